import { formatShape, Module, ShapeError, type Tensor } from '@eole/core';
import { upsampleNearest2d } from '../functional/upsampleNearest2d.js';

/**
 * Torch7's `nn.SpatialUpSamplingNearest(scale)` (PyTorch `nn.Upsample(scale_factor, mode='nearest')`):
 * every pixel of x [N, C, H, W] or [C, H, W] becomes a scale×scale block, y is [..., H·scale, W·scale];
 * see {@link upsampleNearest2d}.
 *
 * @example
 * new SpatialUpSamplingNearest(2).forward(Tensor.zeros([8, 64, 7, 7])).shape; // [8, 64, 14, 14]
 */
export class SpatialUpSamplingNearest extends Module {
  constructor(readonly scale: number) {
    super();
    if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`SpatialUpSamplingNearest: scale must be an integer ≥ 1, got ${String(scale)}`);
  }

  protected updateOutput(input: Tensor): Tensor {
    if (input.ndim !== 3 && input.ndim !== 4) throw new ShapeError(this.typeName(), `expected input [N, C, H, W] or [C, H, W], got ${formatShape(input.shape)}`);
    return upsampleNearest2d(input, this.scale, this.typeName());
  }

  override toString(): string {
    return `${this.typeName()}(${this.scale})`;
  }
}
