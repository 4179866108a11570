/**
 * One worker's side of a data-parallel run: the hooks a training loop calls around each local step
 * (`train({ ..., parallel })` calls them for you). Between them the worker runs its own optimizer
 * on its own batches; the hooks talk to the shared {@link CenterStore}. A hook returns a promise
 * only when it has something to wait for, so steps without an exchange cost nothing.
 *
 * Implementations: {@link EASGD} (asynchronous or synchronous; EAMSGD is EASGD over Nesterov SGD,
 * {@link eamsgd}), {@link Downpour}, {@link DataParallelSGD}.
 */
export interface ParallelWorker {
  /** The algorithm's name in logs and events (`easgd`, `easgd-sync`, `eamsgd`, `downpour`, `sync`). */
  readonly algorithm: string;
  /** This worker's rank and the number of workers. */
  readonly rank: number;
  readonly workers: number;
  /** Once, before the first step: join the run (start from the centre). */
  start(): Promise<void>;
  /** After the backward pass, before the optimizer's step (where gradients are averaged). */
  beforeStep(): Promise<void> | void;
  /** After the optimizer's step (where parameters are exchanged every τ steps). */
  afterStep(): Promise<void> | void;
  /** Once, after the last step. */
  finish(): Promise<void>;
  /** Exchanges so far, and the milliseconds spent in them (waiting included). */
  readonly exchanges: number;
  readonly exchangeMs: number;
}

/** Options every algorithm takes. */
export interface ParallelOptions {
  /** This worker's rank, 0 ≤ rank < workers. */
  rank: number;
  /** The number of workers p. */
  workers: number;
  /** The communication period τ in local steps (default 10; 1 for DataParallelSGD). */
  tau?: number;
}

/** Validates rank, workers and τ; returns τ (its default when absent). */
export function checkParallelOptions(where: string, o: ParallelOptions, defaultTau: number): number {
  if (typeof o !== 'object' || o === null) throw new TypeError(`${where}: options must be an object such as { rank: 0, workers: 2 }`);
  const { rank, workers, tau = defaultTau } = o;
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`${where}: workers must be an integer >= 1, got ${String(workers)}`);
  if (!Number.isInteger(rank) || rank < 0 || rank >= workers) throw new RangeError(`${where}: rank must be an integer in [0, ${workers - 1}], got ${String(rank)}`);
  if (!Number.isInteger(tau) || tau < 1) throw new RangeError(`${where}: tau must be an integer >= 1 (local steps between exchanges), got ${String(tau)}`);
  return tau;
}

/** Times an exchange: returns its promise's value and adds to the worker's counters. */
export async function timed<T>(counter: { exchanges: number; exchangeMs: number }, work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await work();
  } finally {
    counter.exchanges++;
    counter.exchangeMs += performance.now() - t0;
  }
}
