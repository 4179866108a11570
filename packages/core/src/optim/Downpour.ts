import type { Tensor } from '../tensor/Tensor.js';
import type { CenterStore } from './CenterStore.js';
import { timed, type ParallelOptions } from './ParallelWorker.js';
import { StoreWorker } from './StoreWorker.js';

/**
 * DOWNPOUR SGD, one worker's side (Dean et al., "Large Scale Distributed Deep Networks", NIPS 2012;
 * as compared in Zhang, Choromanska & LeCun 2015, Algorithm "DOWNPOUR"): the worker accumulates its
 * own updates vⁱ = xⁱ − (xⁱ at its last fetch); every τ local steps it pushes them to the parameter
 * server and fetches the result, atomically:
 *
 *   x̃ ← x̃ + vⁱ;   xⁱ ← x̃;   vⁱ ← 0.
 *
 * Any local optimizer works (the paper's workers run SGD or momentum SGD).
 *
 * @example
 * const parallel = new Downpour(model.parameters(), store, { rank: 1, workers: 2, tau: 1 });
 * train({ model, criterion, optimizer: new SGD(model.parameters(), { lr: 0.05 }), parallel, data, epochs: 5 }).subscribe();
 */
export class Downpour extends StoreWorker {
  readonly algorithm = 'downpour';
  private readonly x: Float32Array;
  private readonly fetched: Float32Array;

  constructor(params: Iterable<Tensor>, store: CenterStore, options: ParallelOptions) {
    super('Downpour', params, store, options, 10);
    this.x = new Float32Array(this.vector.size);
    this.fetched = new Float32Array(this.vector.size);
  }

  override async start(): Promise<void> {
    await super.start();
    this.vector.gather(this.fetched);
  }

  beforeStep(): void {}

  afterStep(): Promise<void> | void {
    this.steps++;
    if (this.steps % this.tau !== 0) return;
    return timed(this, async () => {
      const x = this.vector.gather(this.x);
      for (let i = 0; i < x.length; i++) x[i] = x[i]! - this.fetched[i]!;
      await this.store.push(x, this.fetched);
      this.vector.scatter(this.fetched);
    });
  }
}
