import { Criterion } from './Criterion.js';
import type { Tensor } from '../tensor/Tensor.js';
import { targetLike } from './targetShape.js';

/**
 * Torch7's `nn.MSECriterion`: the mean squared error over all n elements,
 * L = (1/n) Σᵢ (xᵢ − yᵢ)², or the sum when `sizeAverage` is false. ∂L/∂x = 2(x − y)/n. Input and
 * target have the same shape (up to size-1 dimensions: [N, 1] against [N] is fine).
 *
 * @example
 * new MSECriterion().forward(Tensor.from([1, 2]), Tensor.from([0, 0])).item(); // (1 + 4) / 2 = 2.5
 */
export class MSECriterion extends Criterion {
  constructor(readonly sizeAverage = true) {
    super();
  }

  protected updateOutput(input: Tensor, target: Tensor): Tensor {
    const d = input.sub(targetLike(this.typeName(), input, target));
    const total = d.mul(d).sum();
    return this.sizeAverage ? total.mul(1 / Math.max(input.size, 1)) : total;
  }
}
