import { Tensor, variant } from '@eole/core';
import { coveringWindowsSource, poolConstants, poolShape, type PoolWindow } from '../geometry/poolGeometry.js';

/** y = m + log((1/n)·Σ e^(β(x − m)))/β over the window, with m the window maximum. */
const FORWARD = `function(x, beta) {
  const i = this.thread.x;
  const plane = Math.floor(i / this.constants.oHW);
  const r = i - plane * this.constants.oHW;
  const oh = Math.floor(r / this.constants.oW);
  const ow = r - oh * this.constants.oW;
  const base = plane * this.constants.iHW + oh * this.constants.dH * this.constants.iW + ow * this.constants.dW;
  let m = x[base];
  for (let a = 0; a < this.constants.kH; a++) {
    for (let b = 0; b < this.constants.kW; b++) {
      m = Math.max(m, x[base + a * this.constants.iW + b]);
    }
  }
  let s = 0;
  for (let a = 0; a < this.constants.kH; a++) {
    for (let b = 0; b < this.constants.kW; b++) {
      s += Math.exp(beta * (x[base + a * this.constants.iW + b] - m));
    }
  }
  return m + Math.log(s / this.constants.kHW) / beta;
}`;

/** ∂y/∂x = e^(β(x − y))/n for each window covering x (a softmax weight); gathered per input pixel. */
const BACKWARD = `function(g, x, y, beta) {
  let s = 0;
  ${coveringWindowsSource('s += g[o] * Math.exp(beta * (x[i] - y[o]));')}
  return s / this.constants.kHW;
}`;

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
  const constants = { ...poolConstants(s, win), kHW: win.kH * win.kW };
  const cells = s.planes * s.oH * s.oW;
  const forward = variant('conv.logSumExpPool2d.forward', () => FORWARD);
  const y = new Tensor(forward.run({ output: [cells], constants, args: [x.data, beta], work: 2 * cells * constants.kHW }), [x.shape[0]!, x.shape[1]!, s.oH, s.oW]);
  return Tensor.record(y, 'logSumExpPool2d', [x], (g) => {
    const backward = variant('conv.logSumExpPool2d.backward', () => BACKWARD);
    const work = x.size * constants.nWinH * constants.nWinW;
    return [new Tensor(backward.run({ output: [x.size], constants, args: [g.data, x.data, y.data, beta], work }), x.shape)];
  });
}
