import { formatShape, ShapeError, type Tensor } from '@eole/core';

/** Strides and zero padding of a 2-D convolution, Torch7 argument names. */
export interface ConvStride {
  /** Step between windows along the width (default 1). */
  dW?: number;
  /** Step between windows along the height (default 1). */
  dH?: number;
  /** Zeros added on the left and right (default 0). */
  padW?: number;
  /** Zeros added on the top and bottom (default 0). */
  padH?: number;
}

/** {@link ConvStride} plus the extra output size of a transposed convolution. */
export interface ConvTransposeStride extends ConvStride {
  /** Extra columns on the right of the output, 0 ≤ adjW < dW (default 0). */
  adjW?: number;
  /** Extra rows at the bottom of the output, 0 ≤ adjH < dH (default 0). */
  adjH?: number;
}

/** A stride with every default filled in. */
export interface ConvParams {
  dW: number;
  dH: number;
  padW: number;
  padH: number;
  adjW: number;
  adjH: number;
}

/** Formats a shape as `[2, 3]` for error messages. */
export const fmt = (shape: readonly number[]): string => `${formatShape(shape)}`;

/** Fills defaults and checks that strides are positive integers, paddings non-negative integers. */
export function convParams(op: string, s: ConvTransposeStride = {}): ConvParams {
  const p: ConvParams = { dW: s.dW ?? 1, dH: s.dH ?? 1, padW: s.padW ?? 0, padH: s.padH ?? 0, adjW: s.adjW ?? 0, adjH: s.adjH ?? 0 };
  for (const name of ['dW', 'dH'] as const) {
    if (!Number.isInteger(p[name]) || p[name] <= 0) throw new RangeError(`${op}: ${name} must be a positive integer, got ${p[name]}`);
  }
  for (const name of ['padW', 'padH'] as const) {
    if (!Number.isInteger(p[name]) || p[name] < 0) throw new RangeError(`${op}: ${name} must be a non-negative integer, got ${p[name]}`);
  }
  for (const [name, d] of [['adjW', 'dW'], ['adjH', 'dH']] as const) {
    if (!Number.isInteger(p[name]) || p[name] < 0 || p[name] >= p[d]) {
      throw new RangeError(`${op}: ${name} must be an integer in [0, ${d} − 1 = ${p[d] - 1}], got ${p[name]}`);
    }
  }
  return p;
}

/** Checks that every value is a positive integer (plane counts, kernel sizes). */
export function checkPositive(op: string, values: Record<string, number>): void {
  for (const [name, v] of Object.entries(values)) {
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${op}: ${name} must be a positive integer, got ${v}`);
  }
}

/** The sizes of one convolution: x [N, C, H, W] ⊛ w [O, C, kH, kW] → y [N, O, OH, OW]. */
export interface ConvShape {
  N: number;
  C: number;
  H: number;
  W: number;
  O: number;
  kH: number;
  kW: number;
  OH: number;
  OW: number;
}

/** Reads x [N, C, H, W] and checks it is 4-D; `expect` describes the expected shape in errors. */
export function batchDims(op: string, x: Tensor, expect: string): [number, number, number, number] {
  if (x.ndim !== 4) throw new ShapeError(op, `expected input ${expect}, got ${formatShape(x.shape)}`);
  return x.shape as [number, number, number, number];
}

/** Checks an optional bias is [planes]. */
export function checkBias(op: string, bias: Tensor | null, planes: number, weight: Tensor): void {
  if (bias && (bias.ndim !== 1 || bias.size !== planes)) {
    throw new ShapeError(op, `bias must be [${planes}] for weight ${formatShape(weight.shape)}, got ${formatShape(bias.shape)}`);
  }
}

/**
 * Views a [C, H, W] sample as a batch of one; returns the 4-D tensor and a function that maps a
 * 4-D result back to the caller's rank.
 */
export function asBatch4(op: string, input: Tensor, expect: string): { x: Tensor; unbatch: (y: Tensor) => Tensor } {
  if (input.ndim === 4) return { x: input, unbatch: (y) => y };
  if (input.ndim === 3) return { x: input.reshape([1, ...input.shape]), unbatch: (y) => y.reshape(y.shape.slice(1)) };
  throw new ShapeError(op, `expected input ${expect}, got ${formatShape(input.shape)}`);
}

/** Output size of a convolution along one axis: ⌊(in + 2·pad − k)/d⌋ + 1. */
export function convOutSize(inSize: number, k: number, d: number, pad: number): number {
  return Math.floor((inSize + 2 * pad - k) / d) + 1;
}

/** The full shape of a convolution; throws when the padded input is smaller than the kernel. */
export function convShape(op: string, N: number, C: number, H: number, W: number, O: number, kH: number, kW: number, p: ConvParams): ConvShape {
  if (H + 2 * p.padH < kH || W + 2 * p.padW < kW) {
    throw new ShapeError(op, `input [${N}, ${C}, ${H}, ${W}] with padding ${p.padW},${p.padH} is smaller than the ${kW}x${kH} kernel`);
  }
  return { N, C, H, W, O, kH, kW, OH: convOutSize(H, kH, p.dH, p.padH), OW: convOutSize(W, kW, p.dW, p.padW) };
}
