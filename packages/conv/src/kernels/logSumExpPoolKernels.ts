import { kernels } from '@eole/core';
import type { PoolShape, PoolWindow } from '../geometry/poolGeometry.js';
import { coveringWindowsSource, poolConstants } from './poolWindows.js';

/**
 * y = m + log(Σ e^(β(x − m)) / norm)/β over the window, with m the window maximum; norm is 1 (the
 * lecture's PROB, a sum) or the window size kW·kH (the mean variant).
 */
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
  return m + Math.log(s / this.constants.norm) / beta;
}`;

/**
 * ∂y/∂x = e^(β(x − y))/norm for each window covering x (the window's softmax weight, for either
 * norm); gathered per input pixel.
 */
const BACKWARD = `function(g, x, y, beta) {
  let s = 0;
  ${coveringWindowsSource('s += g[o] * Math.exp(beta * (x[i] - y[o]));')}
  return s / this.constants.norm;
}`;

/**
 * Log-sum-exp pooling of x [planes, iH, iW] (shape `s`, unpadded window `win`) with sharpness β;
 * `mean` divides the sum of exponentials by the window size inside the logarithm.
 */
export function logSumExpPoolForward(x: Float32Array, beta: number, s: PoolShape, win: PoolWindow, mean: boolean): Float32Array {
  const kHW = win.kH * win.kW;
  const constants = { ...poolConstants(s, win), norm: mean ? kHW : 1 };
  const cells = s.planes * s.oH * s.oW;
  const forward = kernels.define('conv.logSumExpPool2d.forward', FORWARD);
  return forward.run({ output: [cells], constants, args: [x, beta], work: 2 * cells * kHW });
}

/** The input gradient of log-sum-exp pooling, from its input x, output y and output gradient g. */
export function logSumExpPoolBackward(g: Float32Array, x: Float32Array, y: Float32Array, beta: number, s: PoolShape, win: PoolWindow, mean: boolean): Float32Array {
  const constants = { ...poolConstants(s, win), norm: mean ? win.kH * win.kW : 1 };
  const size = s.planes * s.iH * s.iW;
  const backward = kernels.define('conv.logSumExpPool2d.backward', BACKWARD);
  return backward.run({ output: [size], constants, args: [g, x, y, beta], work: size * constants.nWinH * constants.nWinW });
}
