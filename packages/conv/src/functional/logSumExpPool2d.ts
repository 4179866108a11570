import { Tensor } from '@eole/core';
import { poolShape, type PoolWindow } from '../geometry/poolGeometry.js';
import { logSumExpPoolBackward, logSumExpPoolForward } from '../kernels/logSumExpPoolKernels.js';

/**
 * Log-sum-exp pooling of x [N, C, H, W] as one autograd node, windows kH×kW moved by dW, dH, no
 * padding: y = (1/β)·log((1/|w|)·Σ_window e^(β·x)), computed stably around the window maximum m as
 * m + (1/β)·log((1/|w|)·Σ e^(β(x − m))). ∂y/∂x = e^(β(x − y))/|w|, the window's softmax weights.
 *
 * @example
 * const y = logSumExpPool2d(x, 10, { kW: 2, kH: 2, dW: 2, dH: 2, padW: 0, padH: 0, ceil: false });
 */
export function logSumExpPool2d(x: Tensor, beta: number, win: PoolWindow, op = 'logSumExpPool2d'): Tensor {
  if (win.padW !== 0 || win.padH !== 0 || win.ceil) throw new RangeError(`${op}: padding and ceil mode are not supported, got padding ${win.padW},${win.padH}${win.ceil ? ' and ceil mode' : ''}`);
  const s = poolShape(op, x, win);
  const y = new Tensor(logSumExpPoolForward(x.data, beta, s, win), [x.shape[0]!, x.shape[1]!, s.oH, s.oW]);
  return Tensor.record(y, 'logSumExpPool2d', [x], (g) => [new Tensor(logSumExpPoolBackward(g.data, x.data, y.data, beta, s, win), x.shape)]);
}
