import type { Tensor } from '@eole/core';
import { avgPool2d } from '../functional/avgPool2d.js';
import { asBatch } from '../geometry/poolGeometry.js';
import { SpatialPooling } from './SpatialPooling.js';

/**
 * Torch7's `nn.SpatialAveragePooling(kW, kH, dW, dH, padW, padH)`: the mean over kH×kW windows
 * moved by dW, dH over each plane of x [N, C, H, W] (or [C, H, W]), with zero padding:
 *
 *   y[n, c, i, j] = (1/|w|) Σ_{0 ≤ a < kH, 0 ≤ b < kW} x[n, c, i·dH − padH + a, j·dW − padW + b],
 *
 * where |w| = kW·kH for windows inside the padded input; a window that a ceil-mode size lets run
 * past the padding counts only its part inside it. After {@link SpatialAveragePooling.setCountExcludePad}
 * |w| counts only the input pixels under the window (Torch7 `count_include_pad = false`).
 * Output sizes as {@link SpatialMaxPooling} (floor, or ceil after {@link SpatialAveragePooling.ceil}).
 * Average ("subsampling") pooling is the pooling of LeCun et al.'s LeNet (Neural Computation 1989;
 * Proc. IEEE 1998).
 *
 * @example
 * const pool = new SpatialAveragePooling(2, 2, 2, 2);
 * pool.forward(Tensor.ones([1, 6, 28, 28])).shape;  // [1, 6, 14, 14], all ones
 * pool.toString();                                  // nn.SpatialAveragePooling(2x2, 2,2)
 */
export class SpatialAveragePooling extends SpatialPooling {
  /** Whether the padding counts in the divisor (Torch7 `count_include_pad`, default true). */
  countIncludePad = true;

  constructor(kW: number, kH: number, dW = 1, dH = 1, padW = 0, padH = 0) {
    super(kW, kH, dW, dH, padW, padH);
  }

  /** Padded positions count in the divisor, the default (Torch7 `:setCountIncludePad()`). */
  setCountIncludePad(): this {
    this.countIncludePad = true;
    return this;
  }

  /** Only input pixels count in the divisor (Torch7 `:setCountExcludePad()`). */
  setCountExcludePad(): this {
    this.countIncludePad = false;
    return this;
  }

  protected updateOutput(input: Tensor): Tensor {
    const { x, unbatch } = asBatch(this.typeName(), input);
    return unbatch(avgPool2d(x, this.window, this.countIncludePad, this.typeName()));
  }
}
