import { ShapeError } from '@eole/core';
import { convGradWeightRaw, correlateRaw, pad2dRaw, planeSumsRaw, type WeightView } from './convKernels.js';
import type { ConvParams, ConvShape } from '../geometry/convGeometry.js';

/**
 * The three passes of a convolution y = x ⊛ w on flat arrays, shared by `conv2d` (which runs them
 * as forward, ∂x, ∂w) and `convTranspose2d` (its adjoint: forward = this ∂x, ∂x = this forward).
 * Sizes are those of the convolution `s`: x [N, C, H, W], w [O, C, kH, kW], y [N, O, OH, OW].
 */

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

/** The weight as stored, [O, C, kH, kW]. */
const dense = (s: ConvShape): WeightView => ({ sOut: s.C * s.kH * s.kW, sIn: s.kH * s.kW, sH: s.kW, sW: 1, base: 0 });

/** The same weight read as [C, O, kH, kW] with both spatial axes flipped. */
const transposedFlipped = (s: ConvShape): WeightView => ({
  sOut: s.kH * s.kW,
  sIn: s.C * s.kH * s.kW,
  sH: -s.kW,
  sW: -1,
  base: (s.kH - 1) * s.kW + (s.kW - 1),
});

/** x [N, C, H, W] zero-padded to [N, C, H + 2·padH, W + 2·padW] (x itself when there is no padding). */
export function padInput(x: Float32Array, s: ConvShape, p: ConvParams): Float32Array {
  if (p.padH === 0 && p.padW === 0) return x;
  return pad2dRaw(x, s.N * s.C, s.H, s.W, { top: p.padH, left: p.padW, outH: s.H + 2 * p.padH, outW: s.W + 2 * p.padW });
}

/** y = b + xp ⋆ w: the forward pass, from the padded input; returns [N, O, OH, OW]. */
export function convForwardPadded(xp: Float32Array, w: Float32Array, b: Float32Array | null, s: ConvShape, p: ConvParams): Float32Array {
  const geometry = { batch: s.N, inPlanes: s.C, outPlanes: s.O, H: s.H + 2 * p.padH, W: s.W + 2 * p.padW, OH: s.OH, OW: s.OW, kH: s.kH, kW: s.kW, dH: p.dH, dW: p.dW };
  return correlateRaw(xp, w, b ?? new Float32Array(s.O), geometry, dense(s));
}

/**
 * ∂x = g ⊛ᵀ w, the gradient of the forward pass with respect to its input (plus `b` per input
 * plane when given, which makes it a transposed convolution's forward): g [N, O, OH, OW] →
 * [N, C, H, W]. It is a stride-1 correlation of g with the flipped, transposed kernel over g
 * zero-inserted by the stride and padded by k − 1 − pad: the columns are spread out by one gather,
 * the rows are spread out inside the correlation kernel, which skips the rows of zeros.
 *
 *   ∂x[n, c, h, w] = Σ_o Σ_{kh, kw : h + padH = oh·dH + kh, w + padW = ow·dW + kw} g[n, o, oh, ow] · w[o, c, kh, kw]
 */
export function convBackwardData(g: Float32Array, w: Float32Array, b: Float32Array | null, s: ConvShape, p: ConvParams): Float32Array {
  const Wg = s.W + s.kW - 1;
  const spread = pad2dRaw(g, s.N * s.O, s.OH, s.OW, { top: 0, left: s.kW - 1 - p.padW, outH: s.OH, outW: Wg, dilW: p.dW });
  const geometry = {
    batch: s.N,
    inPlanes: s.O,
    outPlanes: s.C,
    H: s.OH,
    W: Wg,
    OH: s.H,
    OW: s.W,
    kH: s.kH,
    kW: s.kW,
    dH: 1,
    dW: 1,
    rows: { top: s.kH - 1 - p.padH, up: p.dH },
  };
  return correlateRaw(spread, w, b ?? new Float32Array(s.C), geometry, transposedFlipped(s));
}

/** ∂w[o, c, kh, kw] = Σ g[n, o, oh, ow] · xp[n, c, oh·dH + kh, ow·dW + kw], from the padded input. */
export function convBackwardWeight(g: Float32Array, xp: Float32Array, s: ConvShape, p: ConvParams): Float32Array {
  return convGradWeightRaw(g, xp, {
    batch: s.N,
    gPlanes: s.O,
    xPlanes: s.C,
    OH: s.OH,
    OW: s.OW,
    H: s.H + 2 * p.padH,
    W: s.W + 2 * p.padW,
    kH: s.kH,
    kW: s.kW,
    dH: p.dH,
    dW: p.dW,
  });
}

/** ∂b[o] = Σ_n Σ_{oh, ow} g[n, o, oh, ow]. */
export function convBackwardBias(g: Float32Array, batch: number, planes: number, planeSize: number): Float32Array {
  return planeSumsRaw(g, batch, planes, planeSize);
}
