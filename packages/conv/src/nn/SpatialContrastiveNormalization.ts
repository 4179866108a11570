import { Module, type Tensor } from '@eole/core';
import { SpatialDivisiveNormalization } from './SpatialDivisiveNormalization.js';
import { SpatialSubtractiveNormalization } from './SpatialSubtractiveNormalization.js';

/**
 * Torch7's `nn.SpatialContrastiveNormalization(nInputPlane, kernel, threshold, thresval)`: local
 * contrast normalization, a {@link SpatialSubtractiveNormalization} followed by a
 * {@link SpatialDivisiveNormalization} with the same kernel:
 *
 *   v = x − (k ⋆ x̄)/coef,   y = v / max_th(√(k ⋆ v̄²)/coef),
 *
 * (x̄, v̄²: means over the planes; ⋆: zero-padded correlation), so every neighbourhood of the output
 * has about zero mean and unit standard deviation. The "Normalization" stage of Jarrett,
 * Kavukcuoglu, Ranzato & LeCun, "What is the best multi-stage architecture for object
 * recognition?" (ICCV 2009), and of LeCun, Kavukcuoglu & Farabet (ISCAS 2010). Children
 * `subtractive` and `divisive` hold the kernel buffers.
 *
 * @example
 * const lcn = new SpatialContrastiveNormalization(1, gaussianKernel(9));
 * lcn.forward(digits).shape;  // [N, 1, 28, 28]
 */
export class SpatialContrastiveNormalization extends Module {
  readonly subtractive: SpatialSubtractiveNormalization;
  readonly divisive: SpatialDivisiveNormalization;

  constructor(
    readonly nInputPlane = 1,
    kernel?: Tensor,
    readonly threshold = 1e-4,
    readonly thresval: number = threshold,
  ) {
    super();
    this.subtractive = this.registerModule('subtractive', new SpatialSubtractiveNormalization(nInputPlane, kernel));
    this.divisive = this.registerModule('divisive', new SpatialDivisiveNormalization(nInputPlane, kernel, threshold, thresval));
  }

  /** The averaging kernel, normalised to sum 1. */
  get kernel(): Tensor {
    return this.subtractive.kernel;
  }

  protected updateOutput(input: Tensor): Tensor {
    return this.divisive.forward(this.subtractive.forward(input));
  }

  override toString(): string {
    return `${this.typeName()}(${this.nInputPlane}, ${this.kernel.shape[1]}x${this.kernel.shape[0]}, ${this.threshold})`;
  }
}
