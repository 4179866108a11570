import { formatShape, ShapeError, type Tensor } from '@eole/core';

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

const fmt = (shape: readonly number[]): string => `${formatShape(shape)}`;

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
  if (x.ndim !== 4) throw new ShapeError(op, `expected input [N, C, H, W], got ${formatShape(x.shape)}`);
  const [n, c, iH, iW] = x.shape as [number, number, number, number];
  if (iH + 2 * w.padH < w.kH || iW + 2 * w.padW < w.kW) {
    throw new ShapeError(op, `input ${formatShape(x.shape)} with padding ${w.padW},${w.padH} is smaller than the ${w.kW}x${w.kH} window`);
  }
  return { planes: n * c, iH, iW, oH: pooledSize(iH, w.kH, w.dH, w.padH, w.ceil), oW: pooledSize(iW, w.kW, w.dW, w.padW, w.ceil) };
}

/**
 * Views a [C, H, W] sample as a batch of one; returns the 4-D tensor and a function that maps a
 * 4-D result back to the caller's rank.
 */
export function asBatch(op: string, input: Tensor): { x: Tensor; unbatch: (y: Tensor) => Tensor } {
  if (input.ndim === 4) return { x: input, unbatch: (y) => y };
  if (input.ndim === 3) return { x: input.reshape([1, ...input.shape]), unbatch: (y) => y.reshape(y.shape.slice(1)) };
  throw new ShapeError(op, `expected input [N, C, H, W] or [C, H, W], got ${formatShape(input.shape)}`);
}

/** Torch7's description of a pooling window: `2x2, 2,2` plus `, padW,padH` when padded. */
export function describeWindow(w: Omit<PoolWindow, 'ceil'>): string {
  const pad = w.padW !== 0 || w.padH !== 0 ? `, ${w.padW},${w.padH}` : '';
  return `${w.kW}x${w.kH}, ${w.dW},${w.dH}${pad}`;
}
