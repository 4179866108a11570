import { kernels } from '@eole/core';
import type { ConvParams, ConvShape } from '../geometry/convGeometry.js';
import { pad2dCopy } from './pad2dKernels.js';
import { planeCost, planeGradWeightRaw } from './planeGradWeight.js';
import { blockCost, chooseWeightBlock, slideGradWeightRaw } from './slideGradWeight.js';
import { tileCorrelateRaw, type WeightView } from './tileCorrelate.js';

/**
 * The gpu.js kernels behind every convolution of this package, on flat NCHW Float32Arrays.
 * Three kernels do all the arithmetic of SpatialConvolution and SpatialFullConvolution, forward and
 * backward: {@link tileCorrelateRaw} (a direct 2-D cross-correlation, 4 output pixels per thread)
 * and the weight gradient with lanes over planes ({@link planeGradWeightRaw}) or over taps
 * ({@link slideGradWeightRaw}), plus {@link planeSumsRaw} for bias gradients; zero padding and
 * zero insertion are plain copies ({@link pad2dCopy}).
 *
 * Measured with gpu.js webasm (with @eole/core's code generator fix, one thread) on the 2-core dev
 * machine, LeNet-5 shapes at batch 32, best of 30 interleaved runs, in ms, whole pass (layout
 * copies included), load average 0.9 to 1.3:
 *
 * | pass | conv1: 1→6, 5×5 on 28×28, pad 2 | conv2: 6→16, 5×5 on 14×14 | formulation                                   |
 * |------|--------------------------------:|--------------------------:|-----------------------------------------------|
 * | y    |                             1.2 |                       1.3 | tiles, lanes over planes (chosen)             |
 * | y    |                             1.9 |                       3.7 | tiles, lanes over the batch                   |
 * | y    |                             4.3 |                       7.4 | before: lanes over pixels, B planes a thread  |
 * | ∂w   |                             1.3 |                       1.6 | lanes over planes, 3 kernel columns (chosen)  |
 * | ∂w   |                             1.6 |                       3.1 | lanes over taps, sliding, best M×T block      |
 * | ∂w   |                             3.2 |                       5.8 | before: lanes over taps, B planes, no slide   |
 * | ∂x   |                               – |                       1.8 | tiles over zero-padded g, row skip (chosen)   |
 * | ∂x   |                               – |                      12.8 | before: lanes over pixels, virtual rows       |
 *
 * With gpu.js's stock generator (load 1.7; conv1 y, conv1 ∂w, conv2 y, ∂x, ∂w, the weight gradient
 * then with lanes over taps) the tiled and sliding kernels took 1.8, 1.1, 1.2, 2.4 and 2.2 ms
 * against 3.1, 2.1, 3.1, 8.2 and 4.1 ms before.
 *
 * Earlier (same machine): im2col + the blocked matmul took 7.3 / 6.4 ms for y and 7.1 ms for ∂w,
 * so the convolutions stay direct. What made the tiles fast: every thread computes 4 outputs, reads
 * each lane operand once per (kh, c) and each x value once per tile, and its index arithmetic is
 * `+ − ×` of integers only (a first version that divided to find a tile's row was 1.9× slower on
 * conv2's y). Results are bit-identical to the kernels they replace: each output sums the same
 * terms in the same order (b + Σ_kh Σ_c Σ_kw for y and ∂x, Σ_n Σ_oh Σ_ow for ∂w).
 */

const PLANE_SUMS = `function(g) {
  const p = this.thread.x;
  let s = 0;
  for (let n = 0; n < this.constants.N; n++) {
    const base = (n * this.constants.P + p) * this.constants.L;
    for (let l = 0; l < this.constants.L; l++) { s += g[base + l]; }
  }
  return s;
}`;

/** Σ_n Σ_l g[n, p, l] for g [batch, planes, L]: the bias gradient of a convolution. */
export function planeSumsRaw(g: Float32Array, batch: number, planes: number, L: number): Float32Array {
  const k = kernels.define('conv.correlate.gradBias', PLANE_SUMS);
  return k.run({ output: [planes], constants: { N: batch, P: planes, L }, args: [g], work: batch * planes * L });
}

// ---- the passes of a convolution ------------------------------------------------------------

/*
 * The three passes of a convolution y = x ⊛ w on flat arrays, shared by `conv2d` (which runs them
 * as forward, ∂x, ∂w) and `convTranspose2d` (its adjoint: forward = this ∂x, ∂x = this forward).
 * Sizes are those of the convolution `s`: x [N, C, H, W], w [O, C, kH, kW], y [N, O, OH, OW].
 */

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
  return pad2dCopy(x, s.N * s.C, s.H, s.W, { top: p.padH, left: p.padW, outH: s.H + 2 * p.padH, outW: s.W + 2 * p.padW });
}

/** y = b + xp ⋆ w: the forward pass, from the padded input; returns [N, O, OH, OW]. */
export function convForwardPadded(xp: Float32Array, w: Float32Array, b: Float32Array | null, s: ConvShape, p: ConvParams, relu = false): Float32Array {
  const geometry = { batch: s.N, inPlanes: s.C, outPlanes: s.O, H: s.H + 2 * p.padH, W: s.W + 2 * p.padW, OH: s.OH, OW: s.OW, kH: s.kH, kW: s.kW, dH: p.dH, dW: p.dW };
  return tileCorrelateRaw(xp, w, b ?? new Float32Array(s.O), geometry, dense(s), {}, relu);
}

/**
 * ∂x = g ⊛ᵀ w, the gradient of the forward pass with respect to its input (plus `b` per input
 * plane when given, which makes it a transposed convolution's forward): g [N, O, OH, OW] →
 * [N, C, H, W]. It is a stride-1 correlation of g with the flipped, transposed kernel over g
 * zero-inserted by the stride and padded by k − 1 − pad (one copy); the correlation skips the tap
 * rows that land on rows of zeros.
 *
 *   ∂x[n, c, h, w] = Σ_o Σ_{kh, kw : h + padH = oh·dH + kh, w + padW = ow·dW + kw} g[n, o, oh, ow] · w[o, c, kh, kw]
 */
export function convBackwardData(g: Float32Array, w: Float32Array, b: Float32Array | null, s: ConvShape, p: ConvParams): Float32Array {
  const top = s.kH - 1 - p.padH;
  const left = s.kW - 1 - p.padW;
  const Hg = s.H + s.kH - 1;
  const Wg = s.W + s.kW - 1;
  const spread = pad2dCopy(g, s.N * s.O, s.OH, s.OW, { top, left, outH: Hg, outW: Wg, dilH: p.dH, dilW: p.dW });
  const geometry = {
    batch: s.N,
    inPlanes: s.O,
    outPlanes: s.C,
    H: Hg,
    W: Wg,
    OH: s.H,
    OW: s.W,
    kH: s.kH,
    kW: s.kW,
    dH: 1,
    dW: 1,
    rows: { top, bot: top + (s.OH - 1) * p.dH + 1, up: p.dH },
  };
  return tileCorrelateRaw(spread, w, b ?? new Float32Array(s.C), geometry, transposedFlipped(s));
}

/**
 * ∂w[o, c, kh, kw] = Σ g[n, o, oh, ow] · xp[n, c, oh·dH + kh, ow·dW + kw], from the padded input:
 * lanes over the gradient planes ({@link planeGradWeightRaw}) unless lanes over the taps
 * ({@link slideGradWeightRaw}) cost less, as for 1 or 2 planes. With `bias`, also ∂b (as
 * {@link convBackwardBias}, same bits) from the same launch where the kernel has room for it, else
 * from its own launch.
 */
export function convBackwardWeight(g: Float32Array, xp: Float32Array, s: ConvShape, p: ConvParams, bias = false): { weight: Float32Array; bias: Float32Array | null } {
  const geometry = {
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
  };
  const block = chooseWeightBlock(s.O, s.C, s.kH, s.kW);
  const out =
    planeCost(s.O, s.C, s.kH, s.kW) <= blockCost(block, s.O, s.C, s.kH, s.kW)
      ? planeGradWeightRaw(g, xp, geometry, { bias })
      : { weight: slideGradWeightRaw(g, xp, geometry, block), bias: null };
  if (bias && !out.bias) out.bias = convBackwardBias(g, s.N, s.O, s.OH * s.OW);
  return out;
}

/** ∂b[o] = Σ_n Σ_{oh, ow} g[n, o, oh, ow]. */
export function convBackwardBias(g: Float32Array, batch: number, planes: number, planeSize: number): Float32Array {
  return planeSumsRaw(g, batch, planes, planeSize);
}
