import type { PoolShape, PoolWindow } from '../geometry/poolGeometry.js';

/** The kernel constants of a pooling launch (a type alias, so it is a `Record<string, number>`). */
export type PoolConstants = {
  [K in 'iH' | 'iW' | 'iHW' | 'oH' | 'oW' | 'oHW' | 'kH' | 'kW' | 'dH' | 'dW' | 'padH' | 'padW' | 'nWinH' | 'nWinW']: number;
};

/** The kernel constants of a pooling launch. */
export function poolConstants(s: PoolShape, w: PoolWindow): PoolConstants {
  return {
    iH: s.iH,
    iW: s.iW,
    iHW: s.iH * s.iW,
    oH: s.oH,
    oW: s.oW,
    oHW: s.oH * s.oW,
    kH: w.kH,
    kW: w.kW,
    dH: w.dH,
    dW: w.dW,
    padH: w.padH,
    padW: w.padW,
    // How many windows can cover one input pixel along each axis.
    nWinH: Math.ceil(w.kH / w.dH),
    nWinW: Math.ceil(w.kW / w.dW),
  };
}

/**
 * Kernel source that, for an input pixel `this.thread.x` of a [planes, iH, iW] batch, loops over
 * the (at most nWinH × nWinW) pooling windows that cover it: declares `plane`, `h`, `w`, `r` (the
 * pixel's offset in its plane) and runs `body` with `o` (the window's flat output index) and
 * `oh`, `ow` in scope. This is the gather form of a pooling backward (no scatter, no atomics).
 */
export function coveringWindowsSource(body: string): string {
  return `const i = this.thread.x;
const plane = Math.floor(i / this.constants.iHW);
const r = i - plane * this.constants.iHW;
const h = Math.floor(r / this.constants.iW);
const w = r - h * this.constants.iW;
const ohHi = Math.floor((h + this.constants.padH) / this.constants.dH);
const owHi = Math.floor((w + this.constants.padW) / this.constants.dW);
for (let a = 0; a < this.constants.nWinH; a++) {
  const oh = ohHi - a;
  if (oh >= 0 && oh < this.constants.oH && oh * this.constants.dH - this.constants.padH + this.constants.kH > h) {
    for (let b = 0; b < this.constants.nWinW; b++) {
      const ow = owHi - b;
      if (ow >= 0 && ow < this.constants.oW && ow * this.constants.dW - this.constants.padW + this.constants.kW > w) {
        const o = plane * this.constants.oHW + oh * this.constants.oW + ow;
        ${body}
      }
    }
  }
}`;
}
