import type { Tensor } from '../tensor/Tensor.js';
import type { CenterStore } from './CenterStore.js';
import { timed, type ParallelOptions } from './ParallelWorker.js';
import { StoreWorker } from './StoreWorker.js';

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
export class DataParallelSGD extends StoreWorker {
  readonly algorithm = 'sync';
  private readonly g: Float32Array;

  constructor(params: Iterable<Tensor>, store: CenterStore, options: ParallelOptions) {
    super('DataParallelSGD', params, store, options, 10);
    this.g = new Float32Array(this.vector.size);
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

  override async finish(): Promise<void> {
    if (this.rank === 0) await this.store.write(this.vector.gather());
  }
}
