import type { BackendName } from '../kernels/Backend.js';

/** Metrics of an evaluation pass: mean loss, and accuracy where outputs are class scores. */
export interface Metrics {
  loss: number;
  accuracy?: number;
  samples: number;
}

/** Training starts (or resumes at `startEpoch`). */
export interface StartEvent {
  type: 'start';
  epochs: number;
  startEpoch: number;
  parameters: number;
}

/** One optimisation step. */
export interface StepEvent {
  type: 'step';
  epoch: number;
  step: number;
  /** Steps in this epoch when known (after the first epoch), else null. */
  steps: number | null;
  loss: number;
  lr: number;
  /**
   * Samples in the step's batch: its declared `samples`, else `x.shape[0]` (a Siamese batch of P
   * pairs counts P). Always set by `train`; absent from logs written before it existed.
   */
  samples?: number;
  /** Samples per second of the step (`samples` over the step's time). */
  samplesPerSec: number;
  /** Backends the step's kernels ran on, e.g. `webasm+cpu`. */
  backend: string;
  /**
   * Further named figures of the step beside `loss`, when a loop has several (a GAN's
   * `{ lossD, lossG, 'D(x)', 'D(G(z))' }`); the progress line and the JSON log show them.
   */
  terms?: Record<string, number>;
}

/** An epoch of training ended. */
export interface EpochEvent {
  type: 'epoch';
  epoch: number;
  epochs: number;
  loss: number;
  steps: number;
  /** Samples in the epoch: the sum of its batches' declared `samples` (else `x.shape[0]`). */
  samples: number;
  seconds: number;
  lr: number;
  backend: string;
  /** The epoch's means of the steps' {@link StepEvent.terms}, when they have some. */
  terms?: Record<string, number>;
}

/** Held-out metrics after an epoch (or from `evaluate`). */
export interface ValidationEvent {
  type: 'validation';
  epoch: number;
  metrics: Metrics;
}

/** A checkpoint was written atomically. */
export interface CheckpointEvent {
  type: 'checkpoint';
  epoch: number;
  path: string;
}

/** Training finished every epoch. */
export interface DoneEvent {
  type: 'done';
  epochs: number;
  seconds: number;
}

/** Everything `train(...)` emits; every consumer (bar, log, checkpoint, plot) reads this one stream. */
export type TrainEvent = StartEvent | StepEvent | EpochEvent | ValidationEvent | CheckpointEvent | DoneEvent;

/** Names the backends that ran kernels between two counter snapshots. */
export function backendsUsed(before: Record<BackendName, number>, after: Record<BackendName, number>): string {
  const used = (Object.keys(after) as BackendName[]).filter((b) => after[b] > before[b]);
  return used.length > 0 ? used.join('+') : 'none';
}
