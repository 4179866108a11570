import { noGrad, Tensor } from '@eole/core';
import { localMean } from './localNormalization.js';

/**
 * Torch7's border coefficients of a local normalization: the kernel-weighted mean of a ones image,
 * coef = k ⋆ 1 with zero padding, [1, 1, H, W]. It is 1 in the interior and the fraction of the
 * kernel inside the image at the borders; dividing a local mean by it keeps the borders from
 * darkening. Cached per image size and kernel values (a loaded state dict may change the kernel).
 */
export class BorderCoefficients {
  private readonly cache = new Map<string, { kernel: Float32Array; coef: Tensor }>();

  /** The coefficients [1, 1, H, W] of `kernel` for H×W images, computed once per size and kernel values. */
  get(kernel: Tensor, H: number, W: number): Tensor {
    const key = `${H}x${W}`;
    const hit = this.cache.get(key);
    if (hit && hit.kernel.length === kernel.size && hit.kernel.every((v, i) => v === kernel.data[i])) return hit.coef;
    const coef = noGrad(() => localMean(Tensor.ones([1, 1, H, W]), kernel));
    this.cache.set(key, { kernel: Float32Array.from(kernel.data), coef });
    return coef;
  }
}
