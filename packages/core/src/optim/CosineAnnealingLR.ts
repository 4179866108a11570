import type { Optimizer } from './Optimizer.js';
import { LRScheduler } from './LRScheduler.js';

/** Options of {@link CosineAnnealingLR}. */
export interface CosineAnnealingLROptions {
  /** Half-period T_max in epochs (a positive integer). */
  tMax: number;
  /** The minimum learning rate η_min (default 0). */
  etaMin?: number;
}

/**
 * Cosine annealing, in the closed form of `torch.optim.lr_scheduler.CosineAnnealingLR`:
 * lr(e) = η_min + (lr₀ − η_min) · (1 + cos(π·e / T_max)) / 2, which falls from lr₀ at e = 0 to
 * η_min at e = T_max (and rises again after it, as the closed form does).
 * Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts" (ICLR 2017).
 *
 * @example
 * const sched = new CosineAnnealingLR(opt, { tMax: 100, etaMin: 1e-5 });
 * for (let e = 0; e < 100; e++) { trainOneEpoch(opt); sched.step(); }
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: Optimizer, options: CosineAnnealingLROptions) {
    super('CosineAnnealingLR', optimizer);
    const { tMax, etaMin = 0 } = options ?? ({} as CosineAnnealingLROptions);
    if (!Number.isInteger(tMax) || tMax <= 0) throw new RangeError(`CosineAnnealingLR: tMax must be a positive integer, got ${String(tMax)}`);
    if (typeof etaMin !== 'number' || !Number.isFinite(etaMin) || etaMin < 0) throw new RangeError(`CosineAnnealingLR: etaMin must be a finite number >= 0, got ${String(etaMin)}`);
    this.tMax = tMax;
    this.etaMin = etaMin;
  }

  lrAt(epoch: number): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}
