import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main as lenet } from '../mnist-lenet/main.js';
import { main as mlp } from '../mnist-mlp/main.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'eole-parallel-'));
const epochs = (out: string): number[] =>
  readFileSync(join(out, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; epoch?: number }).filter((e) => e.type === 'epoch').map((e) => e.epoch!);

test.serial('mnist-lenet --workers 2 (EASGD on threads): each worker prints its line, the coordinator checkpoints the centre every epoch, and --resume continues a parallel run', async (t) => {
  const out = tmp();
  const lines: string[] = [];
  const args = ['--workers', '2', '--epochs', '3', '--train-size', '2000', '--out', out];
  const first = await lenet([...args, '--stop-after', '2'], (l) => lines.push(l));
  t.true(lines.some((l) => /^mnist-lenet: easgd over 2 workers on threads, τ 10, α = β\/p = 0\.450/.test(l)), 'the coordinator says what runs');
  t.deepEqual(epochs(out), [1, 2]);
  t.is(first.history.length, 2);
  const resumed = await lenet([...args, '--resume'], () => undefined);
  t.deepEqual(epochs(out), [1, 2, 3], 'the resumed run adds epoch 3');
  t.is(resumed.startEpoch, 3);
  t.true(resumed.accuracy > 0.75, `held-out accuracy of the centre after 3 epochs on 2,000 digits: ${resumed.accuracy}`);
});

test.serial('mnist-mlp: DOWNPOUR on child processes, EAMSGD and synchronous SGD on threads all learn', async (t) => {
  for (const [parallel, transport, bar] of [['downpour', 'processes', 0.65], ['eamsgd', 'threads', 0.65], ['sync', 'threads', 0.65]] as const) {
    const out = tmp();
    const lines: string[] = [];
    const summary = await mlp(['--workers', '2', '--parallel', parallel, '--transport', transport, '--tau', '4', '--epochs', '2', '--train-size', '2000', '--hidden', '64', '--out', out], (l) => lines.push(l));
    t.true(summary.accuracy > bar, `${parallel} on ${transport}: held-out accuracy ${summary.accuracy}`);
    t.log(`${parallel} on ${transport}: ${summary.accuracy}`);
    t.deepEqual(epochs(out), [1, 2], parallel);
  }
});

test.serial('bad parallel flags are named', async (t) => {
  await t.throwsAsync(mlp(['--workers', '2', '--transport', 'carrier-pigeon', '--out', tmp()], () => undefined), { message: /--transport must be threads, processes or redis:\/\/\[:PASSWORD@\]HOST:PORT, got carrier-pigeon/ });
  await t.throwsAsync(mlp(['--workers', '2', '--local-workers', '1', '--out', tmp()], () => undefined), { message: /--local-workers goes with --transport redis:\/\// });
  await t.throwsAsync(mlp(['--join', 'x', '--rank', '0', '--transport', 'threads'], () => undefined), { message: /--join: workers join through Redis/ });
});
