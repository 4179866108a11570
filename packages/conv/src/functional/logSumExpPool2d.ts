import { Tensor } from '@eole/core';
import { poolShape, type PoolWindow } from '../geometry/poolGeometry.js';
import { logSumExpPoolBackward, logSumExpPoolForward } from '../kernels/logSumExpPoolKernels.js';

/**
 * What log-sum-exp pooling sums inside its logarithm: `'sum'`, the lecture's PROB
 * (1/β)·log Σ e^(β·x), or `'mean'`, (1/β)·log((1/|w|)·Σ e^(β·x)).
 */
export type LogSumExpReduction = 'sum' | 'mean';

/**
 * Log-sum-exp pooling of x [N, C, H, W] as one autograd node, windows kH×kW moved by dW, dH, no
 * padding. With `reduction` `'sum'` (the default) it is the lecture's PROB,
 *
 *   y = (1/β)·log Σ_window e^(β·x),
 *
 * and with `'mean'` it is y = (1/β)·log((1/|w|)·Σ_window e^(β·x)), |w| = kW·kH, the sum's output
 * minus log(|w|)/β. Either is computed stably around the window maximum m, as
 * m + (1/β)·log(Σ e^(β(x − m))) (over |w| for the mean). The gradient is the window's softmax,
 * ∂y/∂x = e^(β·x) / Σ_window e^(β·x), for both.
 *
 * @example
 * const win = { kW: 2, kH: 2, dW: 2, dH: 2, padW: 0, padH: 0, ceil: false };
 * const y = logSumExpPool2d(x, 10, win);           // the lecture's PROB
 * const z = logSumExpPool2d(x, 10, win, 'mean');   // y − log(4)/10
 */
export function logSumExpPool2d(x: Tensor, beta: number, win: PoolWindow, reduction: LogSumExpReduction = 'sum', op = 'logSumExpPool2d'): Tensor {
  if (reduction !== 'sum' && reduction !== 'mean') throw new RangeError(`${op}: reduction must be 'sum' or 'mean', got ${JSON.stringify(reduction)}`);
  if (win.padW !== 0 || win.padH !== 0 || win.ceil) throw new RangeError(`${op}: padding and ceil mode are not supported, got padding ${win.padW},${win.padH}${win.ceil ? ' and ceil mode' : ''}`);
  const s = poolShape(op, x, win);
  const mean = reduction === 'mean';
  const y = new Tensor(logSumExpPoolForward(x.data, beta, s, win, mean), [x.shape[0]!, x.shape[1]!, s.oH, s.oW]);
  return Tensor.record(y, 'logSumExpPool2d', [x], (g) => [new Tensor(logSumExpPoolBackward(g.data, x.data, y.data, beta, s, win, mean), x.shape)]);
}
