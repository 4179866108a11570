import type { Tensor } from '../tensor/Tensor.js';
import type { CenterStore } from './CenterStore.js';
import { ParameterVector } from './ParameterVector.js';
import { checkParallelOptions, timed, type ParallelOptions, type ParallelWorker } from './ParallelWorker.js';

/**
 * Synchronous data-parallel SGD, one worker's side (the baseline of Zhang, Choromanska & LeCun
 * 2015; PyTorch's DistributedDataParallel): after every backward pass the p workers average their
 * gradients, g ← (1/p) Σᵢ gⁱ (an all-reduce in rank order, the same bits on every worker), and each
 * applies the same optimizer step, so the replicas stay identical. With equal batches of a
 * mean-reduced loss, two workers equal one worker on the combined batch. Every τ steps (default 10)
 * rank 0 publishes its parameters to the store as the centre, for the coordinator to evaluate.
 *
 * @example
 * const parallel = new DataParallelSGD(model.parameters(), store, { rank, workers: 2 });
 * train({ model, criterion, optimizer, parallel, data: myShard, epochs: 5 }).subscribe();
 */
export class DataParallelSGD implements ParallelWorker {
  readonly algorithm = 'sync';
  readonly rank: number;
  readonly workers: number;
  readonly tau: number;
  exchanges = 0;
  exchangeMs = 0;
  private readonly vector: ParameterVector;
  private readonly g: Float32Array;
  private steps = 0;

  constructor(params: Iterable<Tensor>, readonly store: CenterStore, options: ParallelOptions) {
    this.tau = checkParallelOptions('DataParallelSGD', options, 10);
    this.rank = options.rank;
    this.workers = options.workers;
    this.vector = new ParameterVector(params);
    if (this.vector.size !== store.size) throw new RangeError(`DataParallelSGD: the parameters hold ${this.vector.size} values, the store's centre ${store.size}`);
    this.g = new Float32Array(this.vector.size);
  }

  async start(): Promise<void> {
    const x = this.vector.gather();
    await this.store.join(x);
    this.vector.scatter(x);
  }

  beforeStep(): Promise<void> {
    return timed(this, async () => {
      const g = this.vector.gatherGrads(this.g);
      await this.store.allReduceSum(g, this.steps, this.rank, this.workers);
      const p = this.workers;
      for (let i = 0; i < g.length; i++) g[i] = g[i]! / p;
      this.vector.scatterGrads(g);
    });
  }

  afterStep(): Promise<void> | void {
    this.steps++;
    if (this.rank !== 0 || this.steps % this.tau !== 0) return;
    return this.store.write(this.vector.gather());
  }

  async finish(): Promise<void> {
    if (this.rank === 0) await this.store.write(this.vector.gather());
  }
}
