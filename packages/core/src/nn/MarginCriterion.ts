import { Criterion } from './Criterion.js';
import type { Tensor } from '../tensor/Tensor.js';
import { targetLike } from './targetShape.js';

/**
 * Torch7's `nn.MarginCriterion`, the two-class hinge loss: L = (1/n) Σᵢ max(0, margin − yᵢ·xᵢ)
 * for scores x and targets y ∈ {−1, +1} (the sum when `sizeAverage` is false). ∂L/∂xᵢ = −yᵢ/n
 * where the margin is violated, else 0. Targets other than ±1 are refused (a 0/1 label would
 * silently train the wrong loss).
 *
 * @example
 * new MarginCriterion().forward(Tensor.from([0.5, -2]), Tensor.from([1, -1])).item(); // (0.5 + 0) / 2
 */
export class MarginCriterion extends Criterion {
  constructor(
    readonly margin = 1,
    readonly sizeAverage = true,
  ) {
    super();
    if (typeof margin !== 'number' || !Number.isFinite(margin)) throw new TypeError(`MarginCriterion: margin must be a finite number, got ${String(margin)}`);
  }

  protected updateOutput(input: Tensor, target: Tensor): Tensor {
    const y = targetLike(this.typeName(), input, target);
    const bad = y.data.findIndex((v) => v !== 1 && v !== -1);
    if (bad >= 0) throw new RangeError(`${this.typeName()}: targets must be 1 or -1, got ${y.data[bad]} at position ${bad}`);
    const total = y.mul(input).neg().add(this.margin).relu().sum();
    return this.sizeAverage ? total.mul(1 / Math.max(input.size, 1)) : total;
  }
}
