import type { Tensor } from '../tensor/Tensor.js';
import type { CenterStore } from './CenterStore.js';
import { ParameterVector } from './ParameterVector.js';
import { checkParallelOptions, type ParallelOptions, type ParallelWorker } from './ParallelWorker.js';

/**
 * What every {@link ParallelWorker} over a {@link CenterStore} shares: its rank, the job size, τ,
 * the parameters as one vector checked against the store's size, and the exchange counters. The
 * algorithms ({@link EASGD}, {@link Downpour}, {@link DataParallelSGD}) add their hooks.
 */
export abstract class StoreWorker implements ParallelWorker {
  abstract readonly algorithm: string;
  readonly rank: number;
  readonly workers: number;
  readonly tau: number;
  exchanges = 0;
  exchangeMs = 0;
  protected readonly vector: ParameterVector;
  /** Local steps so far. */
  protected steps = 0;

  protected constructor(where: string, params: Iterable<Tensor>, readonly store: CenterStore, options: ParallelOptions, defaultTau: number) {
    this.tau = checkParallelOptions(where, options, defaultTau);
    this.rank = options.rank;
    this.workers = options.workers;
    this.vector = new ParameterVector(params);
    if (this.vector.size !== store.size) throw new RangeError(`${where}: the parameters hold ${this.vector.size} values, the store's centre ${store.size}`);
  }

  /** Joins the run: the parameters become the centre (or create it). */
  async start(): Promise<void> {
    const x = this.vector.gather();
    await this.store.join(x);
    this.vector.scatter(x);
  }

  abstract beforeStep(): Promise<void> | void;
  abstract afterStep(): Promise<void> | void;

  async finish(): Promise<void> {}
}
