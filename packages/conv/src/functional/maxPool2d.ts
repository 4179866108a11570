import { Tensor } from '@eole/core';
import { poolShape, type PoolWindow } from '../geometry/poolGeometry.js';
import { maxPoolArgmax, maxPoolBackward } from '../kernels/maxPoolKernels.js';

/**
 * 2-D max pooling of x [N, C, H, W] as one autograd node (Torch7 `SpatialMaxPooling`,
 * `torch.nn.functional.max_pool2d`): y[n,c,i,j] = max of x[n,c] over the kH×kW window at
 * (i·dH − padH, j·dW − padW), padded positions excluded. Returns the output and the arg-max of every
 * window as an offset h·W + w inside its input plane (Torch7's `indices`, 0-based). The gradient
 * goes to the arg-max of each window; overlapping windows add up.
 *
 * Backward: a scatter gi[idx[o]] += g[o] under `auto` dispatch, a gather on a forced backend
 * (see `maxPoolBackward`).
 *
 * @example
 * const win = { kW: 2, kH: 2, dW: 2, dH: 2, padW: 0, padH: 0, ceil: false };
 * const { output, indices } = maxPool2d(x, win); // x [32, 6, 28, 28] -> output [32, 6, 14, 14]
 */
export function maxPool2d(x: Tensor, win: PoolWindow, op = 'maxPool2d'): { output: Tensor; indices: Tensor } {
  const s = poolShape(op, x, win);
  const oHW = s.oH * s.oW;
  const iHW = s.iH * s.iW;
  const indices = maxPoolArgmax(x.data, s, win);
  // The maxima are copies of the input at the arg-max.
  const values = new Float32Array(s.planes * oHW);
  for (let p = 0, o = 0; p < s.planes; p++) {
    for (let j = 0; j < oHW; j++, o++) values[o] = x.data[p * iHW + indices[o]!]!;
  }
  const outShape = [x.shape[0]!, x.shape[1]!, s.oH, s.oW];
  const output = Tensor.record(new Tensor(values, outShape), 'maxPool2d', [x], (g) => [new Tensor(maxPoolBackward(g.data, indices, s, win), x.shape)]);
  return { output, indices: new Tensor(indices, outShape) };
}
