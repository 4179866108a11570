import { formatShape, Module, ShapeError, type Tensor } from '@eole/core';
import { fmt } from '../geometry/convGeometry.js';
import { zeroPad2d } from '../functional/zeroPad2d.js';

/**
 * Torch7's `nn.SpatialZeroPadding(padLeft, padRight, padTop, padBottom)`: adds zeros around each
 * plane of x [N, C, H, W] (or [C, H, W]); a negative amount crops instead:
 *
 *   y[n, c, i, j] = x[n, c, i − padTop, j − padLeft] inside x, 0 elsewhere,
 *
 * y is [N, C, H + padTop + padBottom, W + padLeft + padRight]. The other amounts default to
 * padLeft, as in Torch7. torch/nn builds its SpatialSubtractiveNormalization from this module and a
 * convolution. Computed by {@link zeroPad2d} (one gather kernel; the backward crops the gradient).
 *
 * @example
 * const pad = new SpatialZeroPadding(2);              // 2 zeros on every side
 * pad.forward(Tensor.zeros([1, 1, 28, 28])).shape;   // [1, 1, 32, 32]
 * new SpatialZeroPadding(1, -1, 0, 0).toString();    // nn.SpatialZeroPadding(l=1, r=-1, t=0, b=0)
 */
export class SpatialZeroPadding extends Module {
  constructor(
    readonly padLeft: number,
    readonly padRight = padLeft,
    readonly padTop = padLeft,
    readonly padBottom = padLeft,
  ) {
    super();
    for (const [name, v] of [['padLeft', padLeft], ['padRight', padRight], ['padTop', padTop], ['padBottom', padBottom]] as const) {
      if (!Number.isInteger(v)) throw new RangeError(`SpatialZeroPadding: ${name} must be an integer, got ${v}`);
    }
  }

  protected updateOutput(input: Tensor): Tensor {
    if (input.ndim !== 3 && input.ndim !== 4) throw new ShapeError(this.typeName(), `expected input [N, C, H, W] or [C, H, W], got ${formatShape(input.shape)}`);
    return zeroPad2d(input, { left: this.padLeft, right: this.padRight, top: this.padTop, bottom: this.padBottom }, this.typeName());
  }

  override toString(): string {
    return `${this.typeName()}(l=${this.padLeft}, r=${this.padRight}, t=${this.padTop}, b=${this.padBottom})`;
  }
}
