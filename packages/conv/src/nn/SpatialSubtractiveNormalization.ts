import { Module, type Tensor } from '@eole/core';
import { BorderCoefficients } from '../functional/BorderCoefficients.js';
import { checkPlanes, describeKernel, localMean, normalizationKernel } from '../functional/localNormalization.js';
import { asBatch } from '../geometry/poolGeometry.js';

/**
 * Torch7's `nn.SpatialSubtractiveNormalization(nInputPlane, kernel)`: subtracts from every pixel
 * the kernel-weighted mean of its neighbourhood across all planes,
 *
 *   m[n, h, w] = (1/C) Σ_c Σ_{a,b} k[a, b] · x[n, c, h + a − kH/2, w + b − kW/2]   (zero padding),
 *   y[n, c, h, w] = x[n, c, h, w] − m[n, h, w] / coef[h, w],
 *
 * with k normalised to sum 1 and coef = the same weighted mean of a ones image (1 in the interior,
 * the fraction of the kernel inside the image near the borders), so the borders are not darkened.
 * The kernel defaults to Torch7's ones(9, 9); the usual choice is {@link gaussianKernel}; a 1-D
 * kernel k stands for k·kᵀ. Built by composition as torch/nn does (there: SpatialZeroPadding, a
 * fixed-weight SpatialConvolution summing the planes, Replicate, CDivTable, CSubTable): the mean
 * over planes, `conv2d` with the kernel as a constant weight and zero padding, a division by coef
 * and a broadcast subtraction. The kernel is a buffer (`kernel`, saved in the state dict), not a
 * parameter. The "Normalization" stage of
 * Jarrett, Kavukcuoglu, Ranzato & LeCun, "What is the best multi-stage architecture for object
 * recognition?" (ICCV 2009).
 *
 * @example
 * const sub = new SpatialSubtractiveNormalization(3, gaussianKernel(7));
 * sub.forward(images).shape;  // [N, 3, H, W], local means removed
 */
export class SpatialSubtractiveNormalization extends Module {
  /** The averaging kernel, normalised to sum 1 (a buffer). */
  readonly kernel: Tensor;
  private readonly coefs = new BorderCoefficients();

  constructor(
    readonly nInputPlane = 1,
    kernel?: Tensor,
  ) {
    super();
    if (!Number.isInteger(nInputPlane) || nInputPlane <= 0) throw new RangeError(`SpatialSubtractiveNormalization: nInputPlane must be a positive integer, got ${nInputPlane}`);
    this.kernel = this.registerBuffer('kernel', normalizationKernel('SpatialSubtractiveNormalization', kernel));
  }

  protected updateOutput(input: Tensor): Tensor {
    const { x, unbatch } = asBatch(this.typeName(), input);
    checkPlanes(this.typeName(), input, x, this.nInputPlane);
    const coef = this.coefs.get(this.kernel, x.shape[2]!, x.shape[3]!);
    const mean = localMean(x.mean(1, true), this.kernel).div(coef);
    return unbatch(x.sub(mean));
  }

  override toString(): string {
    return `${this.typeName()}(${this.nInputPlane}, ${describeKernel(this.kernel)})`;
  }
}
