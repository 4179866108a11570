import { formatShape, ShapeError, Tensor } from '@eole/core';
import { pad2dRaw } from '../kernels/pad2dKernels.js';
import { fmt } from '../geometry/convGeometry.js';

/** Zeros added on each side of the last two axes; a negative value crops instead. */
export interface Padding2d {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/**
 * Zero padding of the last two axes of x [..., H, W], as `torch.nn.functional.pad(x, (left,
 * right, top, bottom))`; negative amounts crop:
 *
 *   y[..., i, j] = x[..., i − top, j − left] inside x, 0 elsewhere,
 *
 * y is [..., H + top + bottom, W + left + right]. The backward crops (or pads) the gradient back to
 * x's size with the same gather kernel.
 *
 * @param op - name used in error messages (modules pass their Torch7 type name).
 *
 * @example
 * zeroPad2d(Tensor.ones([1, 1, 2, 2]), { left: 1, right: 1, top: 0, bottom: -1 }).shape; // [1, 1, 1, 4]
 */
export function zeroPad2d(x: Tensor, pad: Padding2d, op = 'zeroPad2d'): Tensor {
  for (const [name, v] of Object.entries(pad)) {
    if (!Number.isInteger(v)) throw new RangeError(`${op}: ${name} must be an integer, got ${v}`);
  }
  if (x.ndim < 2) throw new ShapeError(op, `expected input [..., H, W], got ${formatShape(x.shape)}`);
  const H = x.shape[x.ndim - 2]!;
  const W = x.shape[x.ndim - 1]!;
  const outH = H + pad.top + pad.bottom;
  const outW = W + pad.left + pad.right;
  if (outH <= 0 || outW <= 0) {
    throw new ShapeError(op, `padding ${pad.left},${pad.right},${pad.top},${pad.bottom} (left, right, top, bottom) of input ${formatShape(x.shape)} leaves an empty ${outH}x${outW} plane`);
  }
  const lead = x.shape.slice(0, -2);
  const planes = lead.reduce((a, b) => a * b, 1);
  const y = new Tensor(pad2dRaw(x.data, planes, H, W, { top: pad.top, left: pad.left, outH, outW }), [...lead, outH, outW]);
  return Tensor.record(y, 'zeroPad2d', [x], (g) => [
    new Tensor(pad2dRaw(g.data, planes, outH, outW, { top: -pad.top, left: -pad.left, outH: H, outW: W }), x.shape),
  ]);
}
