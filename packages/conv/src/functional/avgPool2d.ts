import { Tensor, variant } from '@eole/core';
import { coveringWindowsSource, poolConstants, poolShape, type PoolWindow } from '../geometry/poolGeometry.js';

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
  const constants = { ...poolConstants(s, win), countPad: countIncludePad ? 1 : 0 };
  const cells = s.planes * s.oH * s.oW;
  const forward = variant('conv.avgPool2d.forward', () => FORWARD);
  const y = new Tensor(forward.run({ output: [cells], constants, args: [x.data], work: cells * win.kH * win.kW }), [x.shape[0]!, x.shape[1]!, s.oH, s.oW]);
  return Tensor.record(y, 'avgPool2d', [x], (g) => {
    const backward = variant('conv.avgPool2d.backward', () => BACKWARD);
    const work = x.size * constants.nWinH * constants.nWinW;
    return [new Tensor(backward.run({ output: [x.size], constants, args: [g.data], work }), x.shape)];
  });
}
