import { Module, threshold, type Tensor } from '@eole/core';
import { BorderCoefficients } from '../functional/BorderCoefficients.js';
import { checkPlanes, describeKernel, localMean, normalizationKernel } from '../functional/localNormalization.js';
import { asBatch } from '../geometry/poolGeometry.js';

/**
 * Torch7's `nn.SpatialDivisiveNormalization(nInputPlane, kernel, threshold, thresval)`: divides
 * every pixel by the kernel-weighted standard deviation (root mean square) of its neighbourhood
 * across all planes,
 *
 *   s[n, h, w] = √( (1/C) Σ_c Σ_{a,b} k[a, b] · x[n, c, h + a − kH/2, w + b − kW/2]² ) / coef[h, w],
 *   y[n, c, h, w] = x[n, c, h, w] / (s > threshold ? s : thresval),
 *
 * with k normalised to sum 1, zero padding and coef the weighted mean of a ones image (see
 * {@link SpatialSubtractiveNormalization}; Torch7 divides the root, not the mean square, by coef,
 * and so does this module). The threshold (default 1e-4, `thresval` defaults to it) keeps flat
 * regions from being amplified. The comparison is made on s² against threshold², which is the
 * same test for threshold, thresval ≥ 0 and keeps the gradient finite where s = 0. The kernel is a
 * buffer, not a parameter. Jarrett, Kavukcuoglu, Ranzato & LeCun (ICCV 2009); Pinto, Cox & DiCarlo
 * (PLoS Comput. Biol. 2008).
 *
 * @example
 * const div = new SpatialDivisiveNormalization(3, gaussianKernel(7));
 * div.forward(centred).shape;  // [N, 3, H, W], local contrast ≈ 1
 */
export class SpatialDivisiveNormalization extends Module {
  /** The averaging kernel, normalised to sum 1 (a buffer). */
  readonly kernel: Tensor;
  private readonly coefs = new BorderCoefficients();

  constructor(
    readonly nInputPlane = 1,
    kernel?: Tensor,
    readonly threshold = 1e-4,
    readonly thresval: number = threshold,
  ) {
    super();
    const op = 'SpatialDivisiveNormalization';
    if (!Number.isInteger(nInputPlane) || nInputPlane <= 0) throw new RangeError(`${op}: nInputPlane must be a positive integer, got ${nInputPlane}`);
    if (!(threshold >= 0) || !Number.isFinite(threshold)) throw new RangeError(`${op}: threshold must be a finite number >= 0, got ${threshold}`);
    if (!(thresval > 0) || !Number.isFinite(thresval)) throw new RangeError(`${op}: thresval must be a finite number > 0, got ${thresval}`);
    this.kernel = this.registerBuffer('kernel', normalizationKernel(op, kernel));
  }

  protected updateOutput(input: Tensor): Tensor {
    const { x, unbatch } = asBatch(this.typeName(), input);
    checkPlanes(this.typeName(), input, x, this.nInputPlane);
    const coef = this.coefs.get(this.kernel, x.shape[2]!, x.shape[3]!);
    const meanSquare = localMean(x.mul(x).mean(1, true), this.kernel).div(coef.mul(coef));
    const std = threshold(meanSquare, this.threshold * this.threshold, this.thresval * this.thresval).sqrt();
    return unbatch(x.div(std));
  }

  override toString(): string {
    return `${this.typeName()}(${this.nInputPlane}, ${describeKernel(this.kernel)}, ${this.threshold})`;
  }
}
