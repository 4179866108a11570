// The examples with training loops of their own (not core's `train(...)`) stream core-shaped events
// to the live dashboard too (issue 19): run in-process with `--live 0`, read through the SSE stream.
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator } from '@eole/core';
import { closeLive, liveRun } from '../lib/live.js';
import { main as oneOneOne, type OneOneOneSummary } from '../one-one-one/main.js';
import { main as perceptron, type PerceptronSummary } from '../perceptron/main.js';
import { main as seq2seq, type Seq2SeqSummary } from '../seq2seq/main.js';
import { main as word2vec, type Word2VecSummary } from '../word2vec/main.js';
import { readSse, type SseReader } from './sse.js';

type Event = SseReader['events'][number];
const tmp = (): string => mkdtempSync(join(tmpdir(), 'eole-live-examples-'));
const quiet = (): void => {};

/** Runs `main` with `--live 0`, watching its dashboard's event stream from a tab; resolves with what main returned and every event up to the stream's end. */
async function watch<T>(main: (argv: string[], log: (line: string) => void) => Promise<T>, argv: string[]): Promise<{ result: T; events: Event[] }> {
  const running = main([...argv, '--live', '0'], quiet); // startRun starts the server before main's first await
  const live = liveRun();
  if (live === null) throw new Error('--live 0 started no live server');
  const tab = readSse(`${await live.url}events`);
  const result = await running;
  await tab.until((e) => e.type === 'done');
  await closeLive();
  await tab.ended;
  return { result, events: tab.events };
}

interface Expected {
  /** The run's epochs (the start, epoch and done events say so). */
  epochs: number;
  /** Epoch events expected (default: `epochs`). */
  count?: number;
  /** Steps of every epoch. */
  steps?: number;
  /** A step reached the tab before `done` (default true; a run of milliseconds may end before the tab connects). */
  whileTraining?: boolean;
}

/** The checks every example's stream passes: config, start, steps, epochs 1…count in order, done, end. */
function checkStream(t: ExecutionContext, events: Event[], { epochs, count = epochs, steps, whileTraining = true }: Expected): Event[] {
  const types = events.map((e) => e.type);
  t.is(types[0], 'config');
  t.true(types.includes('end') && types.indexOf('done') < types.indexOf('end'), types.join(' '));
  const start = events.filter((e) => e.type === 'start');
  t.is(start.length, 1);
  t.like(start[0], { epochs, startEpoch: 1 });
  t.true((start[0]!['parameters'] as number) > 0);
  t.true(types.indexOf('start') < types.indexOf('step'), 'start comes before the steps');
  const stepEvents = events.filter((e) => e.type === 'step');
  t.true(stepEvents.length >= 1);
  for (const s of stepEvents) {
    t.true((s['epoch'] as number) >= 1 && (s['epoch'] as number) <= epochs, `step epoch ${String(s['epoch'])}`);
    t.true((s['step'] as number) >= 1);
    t.true(Number.isFinite(s['loss']) && (s['samples'] as number) > 0 && (s['samplesPerSec'] as number) > 0, JSON.stringify(s));
    t.true(typeof s['lr'] === 'number' && typeof s['backend'] === 'string' && s['backend'] !== '', JSON.stringify(s));
  }
  if (whileTraining) t.true(types.indexOf('step') < types.indexOf('done'), 'steps arrived while the run trained, not only after it');
  const epochEvents = events.filter((e) => e.type === 'epoch');
  t.deepEqual(epochEvents.map((e) => e['epoch']), Array.from({ length: count }, (_, i) => i + 1), 'every epoch, in order');
  for (const e of epochEvents) {
    t.like(e, { epochs });
    t.true(Number.isFinite(e['loss']) && (e['loss'] as number) >= 0 && (e['seconds'] as number) > 0 && (e['samples'] as number) > 0, JSON.stringify(e));
    if (steps !== undefined) t.is(e['steps'], steps);
  }
  t.like(events.find((e) => e.type === 'done'), { epochs });
  t.true(types.lastIndexOf('epoch') < types.indexOf('done') && types.lastIndexOf('validation') < types.indexOf('done'), 'done comes last of the kept events');
  return epochEvents;
}

test.serial('seq2seq --live: start, a step per batch, an epoch and a validation (held-out exact match) per epoch, done; the same numbers as without --live', async (t) => {
  const argv = ['--seed', '2', '--epochs', '3', '--batches', '15', '--batch', '8', '--hidden', '16', '--embed', '8', '--min-length', '2', '--max-length', '3', '--test-size', '40'];
  const plain = await seq2seq([...argv, '--out', tmp()], quiet);
  const { result, events } = await watch<Seq2SeqSummary>(seq2seq, [...argv, '--out', tmp()]);
  const epochs = checkStream(t, events, { epochs: 3, steps: 15 });
  t.true(epochs.every((e) => e['samples'] === 15 * 8));
  epochs.forEach((e, i) => t.true(Math.abs((e['loss'] as number) - result.history[i]!.loss) < 1e-9, 'the epoch loss is the printed one'));
  const validations = events.filter((e) => e.type === 'validation');
  t.deepEqual(validations.map((e) => e['epoch']), [1, 2, 3]);
  validations.forEach((v, i) => t.like(v['metrics'] as Record<string, unknown>, { accuracy: result.history[i]!.exact, samples: 40 }));
  const numbers = (r: Seq2SeqSummary) => r.history.map((h) => ({ ...h, seconds: 0 }));
  t.deepEqual(numbers(result), numbers(plain), '--live changes no number');
});

test.serial('word2vec --live: start, steps, an epoch per pass with the printed loss per pair, done', async (t) => {
  const dir = tmp();
  const file = join(dir, 'corpus.txt');
  const rng = new Generator(4);
  const words = ['cat', 'dog', 'car', 'bus', 'apple', 'bread'];
  writeFileSync(file, Array.from({ length: 600 }, () => `the ${words[rng.int(6)]!} is near the ${words[rng.int(6)]!} today`).join('\n'));
  const argv = ['--data', file, '--epochs', '3', '--dim', '8', '--window', '2', '--min-count', '1', '--subsample', '0', '--batch', '32', '--words', 'cat'];
  const plain = await word2vec([...argv, '--out', tmp()], quiet);
  const { result, events } = await watch<Word2VecSummary>(word2vec, [...argv, '--out', dir]);
  const epochs = checkStream(t, events, { epochs: 3 });
  epochs.forEach((e, i) => t.true(Math.abs((e['loss'] as number) - result.losses[i]!) < 1e-9, 'the epoch loss is the printed one'));
  t.is(epochs.reduce((s, e) => s + (e['samples'] as number), 0), result.pairs, 'the epochs count every pair');
  const lrs = events.filter((e) => e.type === 'epoch').map((e) => e['lr'] as number);
  t.true(lrs[0]! > lrs[2]!, `the learning rate decays: ${lrs.join(', ')}`);
  t.deepEqual(result.losses, plain.losses, '--live changes no number');
});

test.serial('perceptron and one-one-one --live: an epoch per pass of the rule (its mistakes) and per start of the descent, the same runs as without --live', async (t) => {
  const p = ['--seed', '3', '--epochs', '50'];
  const plainP = await perceptron([...p, '--out', tmp()], quiet);
  const liveP = await watch<PerceptronSummary>(perceptron, [...p, '--out', tmp()]);
  const fitted = checkStream(t, liveP.events, { epochs: 50, count: plainP.epochs, steps: 1, whileTraining: false });
  t.deepEqual(fitted.map((e) => (e['terms'] as Record<string, number>)['mistakes']), plainP.history, 'each epoch\'s mistakes');
  t.deepEqual({ ...liveP.result, files: [] }, { ...plainP, files: [] }, 'the same fit');

  const o = ['--seed', '2', '--epochs', '40'];
  const plainO = await oneOneOne([...o, '--out', tmp()], quiet);
  const liveO = await watch<OneOneOneSummary>(oneOneOne, [...o, '--out', tmp()]);
  const starts = checkStream(t, liveO.events, { epochs: plainO.trajectories.length, steps: 40, whileTraining: false });
  starts.forEach((e, i) => t.true(Math.abs((e['loss'] as number) - plainO.trajectories[i]!.losses.slice(0, 40).reduce((a, b) => a + b, 0) / 40) < 1e-9, 'the mean loss of the start\'s steps'));
  t.deepEqual(liveO.result.trajectories, plainO.trajectories, 'the same descents');
});
