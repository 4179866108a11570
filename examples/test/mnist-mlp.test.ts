import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { main, type MlpSummary } from '../mnist-mlp/main.js';
import { mnistSplit } from '../lib/mnist.js';
import { writeIdx } from './idx.js';

const quiet = (): void => {};
const tmp = (): string => mkdtempSync(join(tmpdir(), 'eole-mlp-'));

// The CI-sized run of the README's full run (10 epochs, 97%): 3 epochs on the same 8,000 digits.
test.serial('mnist-mlp learns the held-out digits (3 epochs, ≥ 94.5%; measured 95.10%), saves, and --eval reads an IDX test set', async (t) => {
  const out = tmp();
  const trained: MlpSummary = await main(['--seed', '1', '--epochs', '3', '--out', out], quiet);
  t.true(trained.accuracy >= 0.945, `held-out accuracy ${trained.accuracy}`);
  t.is(trained.history.length, 3);
  t.true(trained.history[2]!.loss < trained.history[0]!.loss, 'training loss falls');
  const png = PNG.sync.read(readFileSync(join(out, 'curves.png')));
  t.true(png.width > 100 && png.height > 100);

  const dir = tmp();
  writeIdx(dir, mnistSplit(0).test, true);
  const lines: string[] = [];
  const evaluated = await main(['--eval', trained.checkpoint, '--test', dir], (l) => lines.push(l));
  t.true(Math.abs(evaluated.accuracy - trained.accuracy) <= 0.005, `IDX accuracy ${evaluated.accuracy} vs ${trained.accuracy}`);
  t.regex(lines.at(-1)!, /^accuracy: \d+\.\d\d%$/);
  t.true(lines.some((l) => l.startsWith('true\\pred')), 'prints the confusion matrix');
  const total = evaluated.confusion.flat().reduce((a, b) => a + b, 0);
  t.is(total, 2000);
});

test.serial('the same seed reproduces the run bit for bit; a bad IDX folder is named', async (t) => {
  const args = ['--seed', '7', '--epochs', '1', '--train-size', '400', '--hidden', '16'];
  const a = tmp();
  const b = tmp();
  await main([...args, '--out', a], quiet);
  await main([...args, '--out', b], quiet);
  t.deepEqual(readFileSync(join(a, 'mnist-mlp.safetensors')), readFileSync(join(b, 'mnist-mlp.safetensors')));
  const empty = tmp();
  await t.throwsAsync(main(['--eval', join(a, 'mnist-mlp.safetensors'), '--hidden', '16', '--test', empty], quiet), { message: /no t10k-images-idx3-ubyte/ });
});

test.serial('--stop-after 2 then --resume ends on the checkpoint of a straight run, bit for bit; events.jsonl logs every kind of event', async (t) => {
  const args = ['--seed', '3', '--epochs', '3', '--train-size', '400', '--hidden', '16'];
  const straight = tmp();
  const resumed = tmp();
  await main([...args, '--out', straight], quiet);
  const stopped = await main([...args, '--stop-after', '2', '--out', resumed], quiet);
  t.deepEqual(stopped.history.map((h) => h.epoch), [1, 2]);
  const lines: string[] = [];
  const continued = await main([...args, '--resume', '--out', resumed], (l) => lines.push(l));
  t.is(continued.startEpoch, 3);
  t.regex(lines[0]!, /^mnist-mlp: resuming from .*checkpoint\.safetensors at epoch 3 of 3$/);
  t.deepEqual(continued.history.map((h) => h.epoch), [1, 2, 3], 'the history of the first part comes from events.jsonl');
  for (const file of ['checkpoint.safetensors', 'mnist-mlp.safetensors']) {
    t.true(readFileSync(join(resumed, file)).equals(readFileSync(join(straight, file))), `${file} differs from the straight run's`);
  }

  const events = readFileSync(join(resumed, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; epoch?: number });
  const count = (type: string): number => events.filter((e) => e.type === type).length;
  t.deepEqual(
    ['start', 'step', 'epoch', 'validation', 'checkpoint', 'done'].map(count),
    [2, 3 * 12, 3, 3, 3, 1],
    'two starts (run, resumed run), 12 steps of 32 per epoch, one done',
  );
  t.deepEqual(events.filter((e) => e.type === 'checkpoint').map((e) => e.epoch), [1, 2, 3]);
  t.true(PNG.sync.read(readFileSync(join(resumed, 'curves.png'))).width > 100);

  // --epochs 2 then --epochs 3 --resume continues at epoch 3 too, but its first two epochs ran a
  // cosine schedule over 2 epochs, so it is not the straight 3-epoch run (hence --stop-after).
  const extended = tmp();
  await main(['--seed', '3', '--epochs', '2', '--train-size', '400', '--hidden', '16', '--out', extended], quiet);
  const more = await main([...args, '--resume', '--out', extended], quiet);
  t.is(more.startEpoch, 3);
  t.is(more.history.length, 3);
  t.false(readFileSync(join(extended, 'checkpoint.safetensors')).equals(readFileSync(join(straight, 'checkpoint.safetensors'))));

  await t.throwsAsync(main([...args, '--resume', '--out', tmp()], quiet), { message: /^--resume: no checkpoint\.safetensors in '.*' \(run without --resume first, with the same --out\)$/ });
});
