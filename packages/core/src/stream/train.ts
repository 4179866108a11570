import { Observable } from 'rxjs';
import type { Tensor } from '../tensor/Tensor.js';
import type { Module } from '../nn/Module.js';
import type { Criterion } from '../nn/Criterion.js';
import type { Optimizer } from '../optim/Optimizer.js';
import type { ParallelWorker } from '../optim/ParallelWorker.js';
import type { LRScheduler } from '../optim/LRScheduler.js';
import type { AveragedModel } from '../optim/AveragedModel.js';
import type { Generator } from '../random/Generator.js';
import { noGrad } from '../autograd/gradMode.js';
import { pull, yieldTurn } from './operators.js';
import type { Metrics, TrainEvent } from './events.js';
import { trainLoop, type StepResult } from './trainLoop.js';
import type { TrainState } from './TrainState.js';

/**
 * A batch the training loop understands: inputs `x` and targets `y`, and the number of samples it
 * holds when that is not `x.shape[0]`.
 *
 * @example
 * const plain: Batch = { x: images, y: labels };                      // x [N, ...]: N samples
 * const pairs: Batch = { x: stacked, y: similar, samples: similar.size }; // x [2, P, ...]: P pairs
 */
export interface Batch {
  x: Tensor;
  y: Tensor;
  /**
   * The samples in this batch, when `x.shape[0]` is not their count: a Siamese stack x [2, P, ...]
   * holds P pairs, a triplet stack [3, P, ...] P triplets. `train` counts these in its step and
   * epoch events (samples/s), and `evaluate` weights the batch's loss by them. Default `x.shape[0]`.
   */
  samples?: number;
}

/**
 * The samples `b` holds: its declared `samples`, else `x.shape[0]` (1 for a scalar `x`).
 *
 * @example
 * samplesOf({ x: Tensor.zeros([2, 64, 784]), y, samples: 64 }); // 64
 */
export function samplesOf(b: Batch): number {
  if (b.samples === undefined) return b.x.shape[0] ?? 1;
  if (typeof b.samples !== 'number' || !Number.isInteger(b.samples) || b.samples < 0) {
    throw new RangeError(`batch.samples must be a non-negative integer (the samples in the batch), got ${String(b.samples)}`);
  }
  return b.samples;
}

/** One epoch of batches: an Observable subscribed afresh every epoch, or a factory of one. */
export type EpochSource = Observable<Batch> | ((epoch: number) => Observable<Batch>);

/** Options of {@link train}. */
export interface TrainOptions {
  model: Module;
  criterion: Criterion;
  optimizer: Optimizer;
  data: EpochSource;
  epochs: number;
  /** Held-out batches, evaluated after every epoch (loss, and accuracy for class scores). */
  validation?: EpochSource;
  /** Stepped once per epoch, or once per optimizer step with `schedulerInterval: 'step'`. */
  scheduler?: LRScheduler;
  /**
   * When the scheduler steps (PyTorch Lightning's `interval`): `'epoch'` (the default) after each
   * epoch, its `tMax`/`stepSize` counted in epochs; `'step'` after each optimizer step, counted in
   * steps (a cosine over the whole run: `tMax = epochs × steps per epoch`).
   */
  schedulerInterval?: 'epoch' | 'step';
  /** Generators whose state a checkpoint saves (the shuffle order, dropout masks). */
  rngs?: Record<string, Generator>;
  /** The first epoch to run (1-based; from `resume`). */
  startEpoch?: number;
  /** An average of the model's weights, updated after every optimizer step and kept in the checkpoint. */
  average?: AveragedModel;
  /**
   * This run is one worker of a data-parallel job ({@link EASGD}, {@link Downpour},
   * {@link DataParallelSGD}): it joins the job before the first step, and its hooks run around every
   * optimizer step.
   */
  parallel?: ParallelWorker;
}

/**
 * The state a checkpoint needs, handed to consumers on every epoch event (not serialised); Node's
 * `checkpoint(dir)` saves it with `saveTrainState(dir, state, event.epoch)`.
 */
export interface EpochContext {
  state: TrainState;
}

const CONTEXT = Symbol.for('eole.train.context');

/** The training state behind an epoch event, for `checkpoint(...)`. */
export function epochContext(event: TrainEvent): EpochContext | undefined {
  return (event as unknown as Record<symbol, EpochContext | undefined>)[CONTEXT];
}

/**
 * Attaches the training state behind an epoch event, so that `checkpoint(dir)` and the run kits
 * can save it (`saveTrainState` of `state` after `event.epoch`). For training loops other than
 * {@link train} that emit the same events (a GAN's alternating steps). Returns `event`.
 *
 * @example
 * subscriber.next(withEpochContext({ type: 'epoch', epoch, epochs, loss, steps, samples, seconds, lr, backend }, { model: pair, optimizer: both, rngs }));
 */
export function withEpochContext(event: TrainEvent & { type: 'epoch' }, state: TrainState): TrainEvent {
  Object.defineProperty(event, CONTEXT, { value: { state }, enumerable: false });
  return event;
}

/**
 * Training as a stream (DESIGN.md, layer 6): subscribing runs the loop and emits typed events
 * (start, step, epoch, validation, done); every consumer (progress bar, JSON log, checkpoint,
 * curves) hangs off this one Observable. Unsubscribing stops the work within one step. A NaN or
 * infinite loss, or any error inside a step, ends the stream with an error naming the epoch and
 * step.
 *
 * @example
 * train({ model, criterion, optimizer, data: batches$, epochs: 10, validation: test$ })
 *   .pipe(progressBar(), jsonLines('out/events.jsonl'), checkpoint('out'))
 *   .subscribe();
 */
export function train(options: TrainOptions): Observable<TrainEvent> {
  const { model, criterion, optimizer } = options;
  const interval = options.schedulerInterval ?? 'epoch';
  if (interval !== 'epoch' && interval !== 'step') throw new RangeError(`train: schedulerInterval must be 'epoch' or 'step', got ${String(options.schedulerInterval)}`);
  const state: TrainState = { model, optimizer, ...(options.scheduler ? { scheduler: options.scheduler } : {}), ...(options.rngs ? { rngs: options.rngs } : {}), ...(options.average ? { average: options.average } : {}) };
  return trainLoop({
    name: 'train',
    data: options.data,
    epochs: options.epochs,
    ...(options.startEpoch !== undefined ? { startEpoch: options.startEpoch } : {}),
    state,
    beginEpoch: () => model.train(),
    ...(options.parallel ? { begin: () => options.parallel!.start(), end: () => options.parallel!.finish() } : {}),
    step: (b, where) => (options.parallel ? runParallelStep(options, options.parallel, b, where) : { loss: runStep(options, b, where) }),
    ...(interval === 'step' ? { endStep: () => options.scheduler?.step() } : { endEpoch: () => options.scheduler?.step() }),
    afterEpoch: async (epoch, cancelled) => {
      if (!options.validation) return null;
      const metrics = await evaluateBatches(model, criterion, source(options.validation, epoch), cancelled);
      return { type: 'validation', epoch, metrics };
    },
  });
}

function source(data: EpochSource, epoch: number): Observable<Batch> {
  return typeof data === 'function' ? data(epoch) : data;
}

function runStep(options: TrainOptions, b: Batch, where: string): number {
  try {
    const value = forwardBackward(options, b, where);
    options.optimizer.step();
    options.average?.update();
    return value;
  } catch (error) {
    throw located(error, where);
  }
}

/** A step of one worker of a parallel run: its hooks around the optimizer's step. */
async function runParallelStep(options: TrainOptions, parallel: ParallelWorker, b: Batch, where: string): Promise<StepResult> {
  try {
    const loss = forwardBackward(options, b, where);
    const before = parallel.beforeStep();
    if (before) await before;
    options.optimizer.step();
    const after = parallel.afterStep();
    if (after) await after;
    options.average?.update();
    return { loss };
  } catch (error) {
    throw located(error, where);
  }
}

/** Zeroes the gradients, runs forward and backward, checks the loss and gradients; returns the loss. */
function forwardBackward(options: TrainOptions, b: Batch, where: string): number {
  samplesOf(b);
  options.optimizer.zeroGrad();
  const output = options.model.forward(b.x);
  const loss = options.criterion.forward(output, b.y);
  const value = loss.item();
  if (!Number.isFinite(value)) throw new Error(`${where}: the loss is ${value} (tensor 'loss' from ${options.criterion.typeName()}); lower the learning rate or check the inputs`);
  loss.backward();
  for (const [name, p] of options.model.namedParameters()) {
    if (p.grad && !allFinite(p.grad.data)) throw new Error(`${where}: the gradient of parameter '${name}' holds NaN or Infinity`);
  }
  return value;
}

function located(error: unknown, where: string): Error {
  const message = (error as Error).message ?? String(error);
  if (message.startsWith(where)) return error as Error;
  return new Error(`${where}: ${message}`, { cause: error });
}

function allFinite(a: Float32Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return false;
  return true;
}

/** Mean loss and accuracy of `model` over batches, in evaluate mode and without the graph. */
export async function evaluateBatches(model: Module, criterion: Criterion, batches: Observable<Batch>, cancelled: () => boolean = () => false): Promise<Metrics> {
  model.evaluate();
  let loss = 0;
  let correct = 0;
  let samples = 0;
  let classScores = true;
  try {
    for await (const b of pull(batches)) {
      if (cancelled()) break;
      const n = samplesOf(b);
      noGrad(() => {
        const out = model.forward(b.x);
        loss += criterion.forward(out, b.y).item() * n;
        if (out.ndim === 2 && b.y.size === n) {
          const pred = out.argmax(1).data;
          for (let i = 0; i < n; i++) if (pred[i] === b.y.data[i]) correct++;
        } else classScores = false;
      });
      samples += n;
      await yieldTurn();
    }
  } finally {
    model.train();
  }
  return { loss: loss / Math.max(samples, 1), ...(classScores ? { accuracy: correct / Math.max(samples, 1) } : {}), samples };
}

/**
 * Evaluation as a stream: emits one `validation` event with the metrics of `model` over `data`,
 * then completes; unsubscribing stops it.
 */
export function evaluate(options: { model: Module; criterion: Criterion; data: Observable<Batch>; epoch?: number }): Observable<TrainEvent> {
  return new Observable<TrainEvent>((subscriber) => {
    let stopped = false;
    evaluateBatches(options.model, options.criterion, options.data, () => stopped)
      .then((metrics) => {
        if (stopped) return;
        subscriber.next({ type: 'validation', epoch: options.epoch ?? 0, metrics });
        subscriber.complete();
      })
      .catch((e: unknown) => subscriber.error(e));
    return () => {
      stopped = true;
    };
  });
}

