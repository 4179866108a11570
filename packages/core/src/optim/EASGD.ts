import type { Tensor } from '../tensor/Tensor.js';
import type { CenterStore } from './CenterStore.js';
import { timed, type ParallelOptions } from './ParallelWorker.js';
import { StoreWorker } from './StoreWorker.js';

/** Options of {@link EASGD}. */
export interface EASGDOptions extends ParallelOptions {
  /** β in α = β/p (default 0.9, the paper's). Ignored when `alpha` is given. */
  beta?: number;
  /** The moving rate α (default β/p). α = 0 leaves every worker alone (plain SGD). */
  alpha?: number;
  /** Synchronous EASGD: all workers exchange together every τ steps (default false: asynchronous). */
  synchronous?: boolean;
  /** The name in logs (default `easgd`, or `easgd-sync`; {@link eamsgd} says `eamsgd`). */
  name?: string;
}

/**
 * Elastic Averaging SGD, one worker's side (Zhang, Choromanska & LeCun, "Deep learning with Elastic
 * Averaging SGD", NIPS 2015). Each of p workers runs its own optimizer on its own batches; every τ
 * local steps its parameters xⁱ and the centre x̃ are pulled toward each other, with α = β/p:
 *
 * - asynchronous (Algorithm 1): d = α(xⁱ − x̃); xⁱ ← xⁱ − d; x̃ ← x̃ + d, atomically in the store,
 *   whenever this worker reaches a multiple of τ;
 * - synchronous (eq. 5–6): all workers at once, every τ steps, from the same x̃:
 *   xⁱ ← xⁱ − α(xⁱ − x̃);  x̃ ← x̃ + α Σᵢ(xⁱ − x̃). Every worker keeps a replica of x̃ and updates it
 *   from the all-reduced Σᵢxⁱ, so the replicas stay bit-identical; rank 0 publishes it to the store.
 *
 * Every worker starts at the centre ({@link CenterStore.join}). With α = 0 the exchange does
 * nothing and the run is plain local SGD, bit for bit.
 *
 * @example
 * const optimizer = new SGD(model.parameters(), { lr: 0.05 });
 * const parallel = new EASGD(model.parameters(), store, { rank: 0, workers: 2, tau: 10 });
 * train({ model, criterion, optimizer, parallel, data, epochs: 5 }).subscribe();
 */
export class EASGD extends StoreWorker {
  readonly algorithm: string;
  readonly alpha: number;
  readonly synchronous: boolean;
  private readonly x: Float32Array;
  private center: Float32Array | null = null;
  private round = 0;

  constructor(params: Iterable<Tensor>, store: CenterStore, options: EASGDOptions) {
    super('EASGD', params, store, options, 10);
    const beta = options.beta ?? 0.9;
    if (typeof beta !== 'number' || !(beta >= 0 && beta <= 1)) throw new RangeError(`EASGD: beta must be a number in [0, 1], got ${String(beta)}`);
    this.alpha = options.alpha ?? beta / this.workers;
    if (typeof this.alpha !== 'number' || !(this.alpha >= 0 && this.alpha <= 1)) throw new RangeError(`EASGD: alpha must be a number in [0, 1], got ${String(this.alpha)}`);
    this.synchronous = options.synchronous ?? false;
    if (this.synchronous && this.alpha * this.workers > 1) throw new RangeError(`EASGD: synchronous EASGD needs p·α <= 1 for the centre to stay a convex combination, got ${this.workers}·${this.alpha}`);
    this.algorithm = options.name ?? (this.synchronous ? 'easgd-sync' : 'easgd');
    this.x = new Float32Array(this.vector.size);
  }

  override async start(): Promise<void> {
    await super.start();
    if (this.synchronous) this.center = this.vector.gather();
  }

  beforeStep(): void {}

  afterStep(): Promise<void> | void {
    this.steps++;
    if (this.steps % this.tau !== 0) return;
    return timed(this, () => (this.synchronous ? this.exchangeTogether() : this.exchangeAlone()));
  }

  private async exchangeAlone(): Promise<void> {
    this.vector.gather(this.x);
    await this.store.elastic(this.x, this.alpha);
    this.vector.scatter(this.x);
  }

  private async exchangeTogether(): Promise<void> {
    const x = this.vector.gather(this.x);
    const c = this.center!;
    const sum = x.slice();
    await this.store.allReduceSum(sum, this.round++, this.rank, this.workers);
    const a = Math.fround(this.alpha);
    const pa = Math.fround(this.alpha * this.workers);
    for (let i = 0; i < x.length; i++) {
      const ci = c[i]!;
      x[i] = x[i]! - Math.fround(a * Math.fround(x[i]! - ci));
      c[i] = ci + Math.fround(Math.fround(a * sum[i]!) - Math.fround(pa * ci));
    }
    this.vector.scatter(x);
    if (this.rank === 0) await this.store.write(c);
  }
}
