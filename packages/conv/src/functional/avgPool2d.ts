import { Tensor } from '@eole/core';
import { poolShape, type PoolWindow } from '../geometry/poolGeometry.js';
import { avgPoolBackward, avgPoolForward } from '../kernels/avgPoolKernels.js';

/**
 * 2-D average pooling of x [N, C, H, W] as one autograd node (Torch7 `SpatialAveragePooling`,
 * `torch.nn.functional.avg_pool2d`): y[n,c,i,j] = (1/|w|)·Σ x over the kH×kW window at
 * (i·dH − padH, j·dW − padW), zeros in the padding. |w| counts the window clipped to the padded
 * input when `countIncludePad` (Torch7's and PyTorch's default), else only its input pixels.
 * The gradient spreads g/|w| evenly over each window (a gather over the windows covering each pixel).
 *
 * @example
 * const y = avgPool2d(x, { kW: 2, kH: 2, dW: 2, dH: 2, padW: 0, padH: 0, ceil: false }); // [N, C, H/2, W/2]
 */
export function avgPool2d(x: Tensor, win: PoolWindow, countIncludePad = true, op = 'avgPool2d'): Tensor {
  const s = poolShape(op, x, win);
  const y = new Tensor(avgPoolForward(x.data, s, win, countIncludePad), [x.shape[0]!, x.shape[1]!, s.oH, s.oW]);
  return Tensor.record(y, 'avgPool2d', [x], (g) => [new Tensor(avgPoolBackward(g.data, s, win, countIncludePad), x.shape)]);
}
