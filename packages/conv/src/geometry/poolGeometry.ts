import { ShapeError, type Tensor } from '@eole/core';

/** Window sizes, strides and zero padding of a 2-D pooling, Torch7 argument names. */
export interface PoolWindow {
  kW: number;
  kH: number;
  dW: number;
  dH: number;
  padW: number;
  padH: number;
  /** Round the output size up (Torch7 `:ceil()`) instead of down. */
  ceil: boolean;
}

/** The sizes of one pooling launch: input and output planes of a batch [N, C, H, W]. */
export interface PoolShape {
  /** N·C, the number of planes pooled independently. */
  planes: number;
  iH: number;
  iW: number;
  oH: number;
  oW: number;
}

const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * Output length of a pooling along one axis, as Torch7 and PyTorch compute it:
 * ⌊(in + 2·pad − k)/d⌋ + 1 (or ⌈…⌉ + 1 in ceil mode, minus one if the last window would start in
 * the right padding).
 */
export function pooledSize(inSize: number, k: number, d: number, pad: number, ceil: boolean): number {
  const span = inSize + 2 * pad - k;
  let out = (ceil ? Math.ceil(span / d) : Math.floor(span / d)) + 1;
  if (ceil && (out - 1) * d >= inSize + pad) out--;
  return out;
}

/** Checks window arguments (positive sizes and strides, padding at most half the window). */
export function checkWindow(op: string, w: Omit<PoolWindow, 'ceil'>): void {
  for (const [name, v] of [['kW', w.kW], ['kH', w.kH], ['dW', w.dW], ['dH', w.dH]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${op}: ${name} must be a positive integer, got ${v}`);
  }
  for (const [name, v, k] of [['padW', w.padW, w.kW], ['padH', w.padH, w.kH]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > Math.floor(k / 2)) {
      throw new RangeError(`${op}: ${name} must be an integer in [0, ${Math.floor(k / 2)}] (at most half the window), got ${v}`);
    }
  }
}

/**
 * The launch sizes of a pooling of `x` ([N, C, H, W]); throws a {@link ShapeError} naming `op`
 * and the shapes when the input is not 4-D or the padded input is smaller than the window.
 */
export function poolShape(op: string, x: Tensor, w: PoolWindow): PoolShape {
  if (x.ndim !== 4) throw new ShapeError(op, `expected input [N, C, H, W], got ${fmt(x.shape)}`);
  const [n, c, iH, iW] = x.shape as [number, number, number, number];
  if (iH + 2 * w.padH < w.kH || iW + 2 * w.padW < w.kW) {
    throw new ShapeError(op, `input ${fmt(x.shape)} with padding ${w.padW},${w.padH} is smaller than the ${w.kW}x${w.kH} window`);
  }
  return { planes: n * c, iH, iW, oH: pooledSize(iH, w.kH, w.dH, w.padH, w.ceil), oW: pooledSize(iW, w.kW, w.dW, w.padW, w.ceil) };
}

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

/**
 * Views a [C, H, W] sample as a batch of one; returns the 4-D tensor and a function that maps a
 * 4-D result back to the caller's rank.
 */
export function asBatch(op: string, input: Tensor): { x: Tensor; unbatch: (y: Tensor) => Tensor } {
  if (input.ndim === 4) return { x: input, unbatch: (y) => y };
  if (input.ndim === 3) return { x: input.reshape([1, ...input.shape]), unbatch: (y) => y.reshape(y.shape.slice(1)) };
  throw new ShapeError(op, `expected input [N, C, H, W] or [C, H, W], got ${fmt(input.shape)}`);
}

/** Torch7's description of a pooling window: `2x2, 2,2` plus `, padW,padH` when padded. */
export function describeWindow(w: Omit<PoolWindow, 'ceil'>): string {
  const pad = w.padW !== 0 || w.padH !== 0 ? `, ${w.padW},${w.padH}` : '';
  return `${w.kW}x${w.kH}, ${w.dW},${w.dH}${pad}`;
}
