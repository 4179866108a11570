import { formatShape, ShapeError, Tensor } from '@eole/core';
import { upsampleNearestBackwardRaw, upsampleNearestRaw } from '../kernels/upsampleKernels.js';

/**
 * Nearest-neighbour upsampling of the last two axes of x [..., H, W] by an integer factor, as
 * `torch.nn.functional.interpolate(x, scale_factor=s, mode='nearest')` and Torch7's
 * `nn.SpatialUpSamplingNearest`: y[..., i, j] = x[..., ⌊i/s⌋, ⌊j/s⌋], y is [..., H·s, W·s]. The
 * gradient of an input pixel is the sum over the s×s block it was copied to. A generator's way up
 * from a small feature map (with a convolution after it), and LAPGAN's coarse-to-fine step.
 *
 * @param op - name used in error messages (modules pass their Torch7 type name).
 *
 * @example
 * upsampleNearest2d(Tensor.from([1, 2, 3, 4], [1, 1, 2, 2]), 2).shape; // [1, 1, 4, 4]
 */
export function upsampleNearest2d(x: Tensor, scale: number, op = 'upsampleNearest2d'): Tensor {
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`${op}: scale must be an integer ≥ 1, got ${String(scale)}`);
  if (x.ndim < 2) throw new ShapeError(op, `expected input [..., H, W], got ${formatShape(x.shape)}`);
  const H = x.shape[x.ndim - 2]!;
  const W = x.shape[x.ndim - 1]!;
  const lead = x.shape.slice(0, -2);
  const planes = lead.reduce((a, b) => a * b, 1);
  const y = new Tensor(upsampleNearestRaw(x.data, planes, H, W, scale), [...lead, H * scale, W * scale]);
  return Tensor.record(y, 'upsampleNearest2d', [x], (g) => [new Tensor(upsampleNearestBackwardRaw(g.data, planes, H, W, scale), x.shape)]);
}
