import { kernels } from '@eole/core';
import type { PoolShape, PoolWindow } from '../geometry/poolGeometry.js';
import { coveringWindowsSource, poolConstants } from './poolWindows.js';

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

/** Log-sum-exp pooling of x [planes, iH, iW] (shape `s`, unpadded window `win`) with sharpness β. */
export function logSumExpPoolForward(x: Float32Array, beta: number, s: PoolShape, win: PoolWindow): Float32Array {
  const constants = { ...poolConstants(s, win), kHW: win.kH * win.kW };
  const cells = s.planes * s.oH * s.oW;
  const forward = kernels.define('conv.logSumExpPool2d.forward', FORWARD);
  return forward.run({ output: [cells], constants, args: [x, beta], work: 2 * cells * constants.kHW });
}

/** The input gradient of log-sum-exp pooling, from its input x, output y and output gradient g. */
export function logSumExpPoolBackward(g: Float32Array, x: Float32Array, y: Float32Array, beta: number, s: PoolShape, win: PoolWindow): Float32Array {
  const constants = { ...poolConstants(s, win), kHW: win.kH * win.kW };
  const size = s.planes * s.iH * s.iW;
  const backward = kernels.define('conv.logSumExpPool2d.backward', BACKWARD);
  return backward.run({ output: [size], constants, args: [g, x, y, beta], work: size * constants.nWinH * constants.nWinW });
}
