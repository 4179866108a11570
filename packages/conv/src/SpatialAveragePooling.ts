import { Module, type Tensor } from '@eole/core';
import { avgPool2d } from './avgPool2d.js';
import { asBatch, checkWindow, describeWindow, type PoolWindow } from './poolGeometry.js';

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
export class SpatialAveragePooling extends Module {
  /** Whether output sizes round up (Torch7 `ceil_mode`). */
  ceilMode = false;
  /** Whether the padding counts in the divisor (Torch7 `count_include_pad`, default true). */
  countIncludePad = true;

  constructor(
    readonly kW: number,
    readonly kH: number,
    readonly dW = 1,
    readonly dH = 1,
    readonly padW = 0,
    readonly padH = 0,
  ) {
    super();
    checkWindow('SpatialAveragePooling', this);
  }

  /** Output sizes round up (Torch7 `:ceil()`). */
  ceil(): this {
    this.ceilMode = true;
    return this;
  }

  /** Output sizes round down, the default (Torch7 `:floor()`). */
  floor(): this {
    this.ceilMode = false;
    return this;
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

  /** The window as {@link avgPool2d} takes it. */
  get window(): PoolWindow {
    return { kW: this.kW, kH: this.kH, dW: this.dW, dH: this.dH, padW: this.padW, padH: this.padH, ceil: this.ceilMode };
  }

  protected updateOutput(input: Tensor): Tensor {
    const { x, unbatch } = asBatch(this.typeName(), input);
    return unbatch(avgPool2d(x, this.window, this.countIncludePad, this.typeName()));
  }

  override toString(): string {
    return `${this.typeName()}(${describeWindow(this)})`;
  }
}
