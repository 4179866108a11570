import { kernels } from '@eole/core';
import type { PoolShape, PoolWindow } from '../geometry/poolGeometry.js';
import { coveringWindowsSource, poolConstants } from './poolWindows.js';

/**
 * The divisor of window (oh, ow), declared as `div`: the window clipped to the padded input
 * (countPad = 1, Torch7's default) or to the input itself (countPad = 0).
 */
const DIVISOR = `const hs = oh * this.constants.dH - this.constants.padH;
const ws = ow * this.constants.dW - this.constants.padW;
const he = Math.min(hs + this.constants.kH, this.constants.iH + this.constants.padH);
const we = Math.min(ws + this.constants.kW, this.constants.iW + this.constants.padW);
let div = (he - hs) * (we - ws);
if (this.constants.countPad < 1) {
  div = (Math.min(he, this.constants.iH) - Math.max(hs, 0)) * (Math.min(we, this.constants.iW) - Math.max(ws, 0));
}`;

/** Forward: the window sum over the divisor. */
const FORWARD = `function(x) {
  const i = this.thread.x;
  const plane = Math.floor(i / this.constants.oHW);
  const r = i - plane * this.constants.oHW;
  const oh = Math.floor(r / this.constants.oW);
  const ow = r - oh * this.constants.oW;
  ${DIVISOR}
  const base = plane * this.constants.iHW;
  let s = 0;
  for (let a = 0; a < this.constants.kH; a++) {
    const h = hs + a;
    if (h >= 0 && h < this.constants.iH) {
      for (let b = 0; b < this.constants.kW; b++) {
        const w = ws + b;
        if (w >= 0 && w < this.constants.iW) {
          s += x[base + h * this.constants.iW + w];
        }
      }
    }
  }
  return s / div;
}`;

/** Backward in gather form: each input pixel sums g/div over the windows that cover it. */
const BACKWARD = `function(g) {
  let s = 0;
  ${coveringWindowsSource(`${DIVISOR}\ns += g[o] / div;`)}
  return s;
}`;

/** Average pooling of x [planes, iH, iW] (shape `s`, window `win`): [planes·oH·oW] window means. */
export function avgPoolForward(x: Float32Array, s: PoolShape, win: PoolWindow, countIncludePad: boolean): Float32Array {
  const constants = { ...poolConstants(s, win), countPad: countIncludePad ? 1 : 0 };
  const cells = s.planes * s.oH * s.oW;
  const forward = kernels.define('conv.avgPool2d.forward', FORWARD);
  return forward.run({ output: [cells], constants, args: [x], work: cells * win.kH * win.kW });
}

/** The input gradient of average pooling: each pixel gathers g/|w| from the windows covering it. */
export function avgPoolBackward(g: Float32Array, s: PoolShape, win: PoolWindow, countIncludePad: boolean): Float32Array {
  const constants = { ...poolConstants(s, win), countPad: countIncludePad ? 1 : 0 };
  const size = s.planes * s.iH * s.iW;
  const backward = kernels.define('conv.avgPool2d.backward', BACKWARD);
  return backward.run({ output: [size], constants, args: [g], work: size * constants.nWinH * constants.nWinW });
}
