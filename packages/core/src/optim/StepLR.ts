import type { Optimizer } from './Optimizer.js';
import { LRScheduler } from './LRScheduler.js';

/** Options of {@link StepLR}. */
export interface StepLROptions {
  /** Epochs between two decays (a positive integer). */
  stepSize: number;
  /** Multiplicative decay γ (default 0.1). */
  gamma?: number;
}

/**
 * Step decay, as `torch.optim.lr_scheduler.StepLR`: lr(e) = lr₀ · γ^⌊e / stepSize⌋.
 * Used by Krizhevsky, Sutskever & Hinton (2012) and He et al. (2016), who divide the learning rate
 * by 10 at fixed epochs.
 *
 * @example
 * const sched = new StepLR(opt, { stepSize: 30, gamma: 0.1 });
 * sched.step(); sched.getLastLr();
 */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: StepLROptions) {
    super('StepLR', optimizer);
    const { stepSize, gamma = 0.1 } = options ?? ({} as StepLROptions);
    if (!Number.isInteger(stepSize) || stepSize <= 0) throw new RangeError(`StepLR: stepSize must be a positive integer, got ${String(stepSize)}`);
    if (typeof gamma !== 'number' || !Number.isFinite(gamma) || gamma < 0) throw new RangeError(`StepLR: gamma must be a finite number >= 0, got ${String(gamma)}`);
    this.stepSize = stepSize;
    this.gamma = gamma;
  }

  lrAt(epoch: number): number {
    return this.baseLr * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}
