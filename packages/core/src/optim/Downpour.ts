import type { Tensor } from '../tensor/Tensor.js';
import type { CenterStore } from './CenterStore.js';
import { ParameterVector } from './ParameterVector.js';
import { checkParallelOptions, timed, type ParallelOptions, type ParallelWorker } from './ParallelWorker.js';

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
export class Downpour implements ParallelWorker {
  readonly algorithm = 'downpour';
  readonly rank: number;
  readonly workers: number;
  readonly tau: number;
  exchanges = 0;
  exchangeMs = 0;
  private readonly vector: ParameterVector;
  private readonly x: Float32Array;
  private readonly fetched: Float32Array;
  private steps = 0;

  constructor(params: Iterable<Tensor>, readonly store: CenterStore, options: ParallelOptions) {
    this.tau = checkParallelOptions('Downpour', options, 10);
    this.rank = options.rank;
    this.workers = options.workers;
    this.vector = new ParameterVector(params);
    if (this.vector.size !== store.size) throw new RangeError(`Downpour: the parameters hold ${this.vector.size} values, the store's centre ${store.size}`);
    this.x = new Float32Array(this.vector.size);
    this.fetched = new Float32Array(this.vector.size);
  }

  async start(): Promise<void> {
    this.vector.gather(this.x);
    await this.store.join(this.x);
    this.vector.scatter(this.x);
    this.fetched.set(this.x);
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

  async finish(): Promise<void> {}
}
