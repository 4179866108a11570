import { kernels } from '@eole/core';
import type { ConvParams, ConvShape } from '../geometry/convGeometry.js';
import { pad2dRaw } from './pad2dKernels.js';
import { blockReturnType, planeBlock, planeDecl, sumsDecl, sumsReturn, unblockPlanes } from './planeBlock.js';

/**
 * The gpu.js kernels behind every convolution of this package, on flat NCHW Float32Arrays.
 * Three kernels do all the arithmetic of SpatialConvolution and SpatialFullConvolution, forward and
 * backward: {@link pad2dRaw} (zero padding, cropping and zero-insertion), {@link correlateRaw} (a
 * direct 2-D cross-correlation) and {@link convGradWeightRaw} (its weight gradient), plus
 * {@link planeSumsRaw} for bias gradients.
 *
 * Why direct kernels and not im2col + the blocked matmul: measured with gpu.js webasm on the 2-core
 * dev machine, LeNet-5 shapes at batch 32, median of 5×10 runs, in ms (B = planes per thread):
 *
 * | pass | conv1: 1→6, 5×5 on 28×28, pad 2 | conv2: 6→16, 5×5 on 14×14 | formulation                        |
 * |------|--------------------------------:|--------------------------:|------------------------------------|
 * | y    |             2.6 (+0.2 padding) |                       3.7 | direct, B = 3 / B = 4 (chosen)      |
 * | y    |          7.3 (im2col alone 4.6) |                       6.4 | im2col gather + blocked matmul      |
 * | ∂w   |                             1.9 |                       3.6 | direct, ow loop unrolled (chosen)   |
 * | ∂w   |                             3.1 |                       7.0 | direct, ow loop rolled              |
 * | ∂w   |                             7.1 |                       7.1 | im2colᵀ + permute + matmul          |
 * | ∂x   |                             4.1 |                       7.5 | transposed direct, row skip (chosen)|
 * | ∂x   |                             6.3 |                       7.8 | matmul Wᵀ·g + col2im gather         |
 * | ∂x   |                               – |                       8.9 | gather with per-lane bounds tests   |
 *
 * A plain-JS direct loop with bounds tests took 6 to 40 ms for these forwards. gpu.js pays per
 * output cell and per lane-varying read (a 4-load gather), so im2col, which writes kH·kW times more
 * cells than it reads, costs as much as the product itself. The direct kernels instead make every
 * lane-varying read of the image feed B output planes at once (the weights are lane-uniform
 * broadcast loads) and unroll the kernel-width loop by hand; B is chosen per shape by
 * {@link planeBlock}. Results do not depend on B: every output sums its terms in the same order.
 */

// ---- direct correlation -----------------------------------------------------------------------

/**
 * Weight layout of {@link correlateRaw}: w[base + o·sOut + c·sIn + kh·sH + kw·sW] is the tap of
 * output plane o, input plane c at (kh, kw). Strides may be negative (a flipped kernel).
 */
export interface WeightView {
  sOut: number;
  sIn: number;
  sH: number;
  sW: number;
  base: number;
}

/** Geometry of {@link correlateRaw}. */
export interface Correlation {
  batch: number;
  inPlanes: number;
  outPlanes: number;
  /** Rows and columns of x (x already padded or zero-inserted along the width). */
  H: number;
  W: number;
  OH: number;
  OW: number;
  kH: number;
  kW: number;
  dH: number;
  dW: number;
  /**
   * Rows virtually padded and zero-inserted inside the kernel: output row oh, tap kh reads virtual
   * row t = oh·dH + kh − top, which is x row t / up when t ≥ 0 is a multiple of `up` below up·H,
   * and zero otherwise. Omitted: x rows are read directly (top 0, up 1, no test).
   */
  rows?: { top: number; up: number };
}

/**
 * Source of {@link correlateRaw} for kernel width kW and B planes per thread. For kW = 3, B = 2 the
 * body of the (kh, c) loops reads three pixels once and feeds both planes:
 * `const x0 = x[xo + 0]; … s0 += x0 * w[wo0] + x1 * w[wo0 + 1 * sW] + x2 * w[wo0 + 2 * sW]; s1 += …`.
 */
function correlateSource(kW: number, block: number, rows: boolean): string {
  const head = rows
    ? 'const ow = this.thread.x; const oh = this.thread.y; const z = this.thread.z;'
    : 'const l = this.thread.x; const z = this.thread.y; const oh = Math.floor(l / this.constants.OW); const ow = l - oh * this.constants.OW;';
  const taps: string[] = [];
  for (let k = 0; k < kW; k++) taps.push(`const x${k} = x[xo + ${k}];`);
  for (let r = 0; r < block; r++) {
    const terms = Array.from({ length: kW }, (_, k) => `x${k} * w[wo${r}${k === 0 ? '' : ` + ${k} * this.constants.sW`}]`);
    taps.push(`s${r} += ${terms.join(' + ')};`);
  }
  const wBases = Array.from({ length: block }, (_, r) => `const wo${r} = wc + p${r} * this.constants.sOut;`).join(' ');
  const inner = `for (let c = 0; c < this.constants.C; c++) {
      const xo = ((n * this.constants.C + c) * this.constants.H + ih) * this.constants.W + ow * this.constants.dW;
      const wc = this.constants.base + c * this.constants.sIn + kh * this.constants.sH;
      ${wBases}
      ${taps.join('\n      ')}
    }`;
  const body = rows
    ? `const t = oh * this.constants.dH + kh - this.constants.top; const ih = Math.floor(t / this.constants.up);
    if (t >= 0 && ih * this.constants.up === t && ih < this.constants.H) {
    ${inner}
    }`
    : `const ih = oh * this.constants.dH + kh;
    ${inner}`;
  return `function(x, w, b) {
  ${head}
  const n = Math.floor(z / this.constants.R);
  ${planeDecl(block, `(z - n * this.constants.R) * ${block}`, 'this.constants.O')}
  ${sumsDecl(block, (r) => `b[p${r}]`)}
  for (let kh = 0; kh < this.constants.kH; kh++) {
    ${body}
  }
  ${sumsReturn(block)}
}`;
}

/**
 * Direct 2-D cross-correlation of a batch, B output planes per thread (B = {@link planeBlock}):
 *
 *   y[n, o, oh, ow] = b[o] + Σ_c Σ_kh Σ_kw x[n, c, row(oh, kh), ow·dW + kw] · w[o, c, kh, kw]
 *
 * with row(oh, kh) = oh·dH + kh, or the virtual rows of `g.rows`. x is [batch, inPlanes, H, W],
 * w is read through `view`, b has outPlanes values; returns [batch, outPlanes, OH, OW].
 *
 * Without `rows`, `thread.x` walks the flat output plane (OH·OW cells, so a 10×10 plane still fills
 * whole SIMD quads: 3.9 ms against 5.1 ms with a [OW, OH] launch on conv2). With `rows`, the
 * launch is [OW, OH, ·], so the row test is lane-uniform and whole rows of zeros are skipped (the
 * transposed convolution of a strided or padded layer).
 */
export function correlateRaw(x: Float32Array, w: Float32Array, b: Float32Array, g: Correlation, view: WeightView): Float32Array {
  const block = planeBlock(g.outPlanes);
  const R = Math.ceil(g.outPlanes / block);
  const rows = g.rows !== undefined;
  const k = kernels.define(`conv.correlate.${rows ? 'rows' : 'flat'}.k${g.kW}.b${block}`, () => correlateSource(g.kW, block, rows), blockReturnType(block));
  const constants: Record<string, number> = {
    C: g.inPlanes,
    O: g.outPlanes,
    R,
    H: g.H,
    W: g.W,
    OW: g.OW,
    kH: g.kH,
    dH: g.dH,
    dW: g.dW,
    ...view,
  };
  if (g.rows) Object.assign(constants, { top: g.rows.top, up: g.rows.up });
  const work = g.batch * g.outPlanes * g.OH * g.OW * g.inPlanes * g.kH * g.kW;
  const output = rows ? [g.OW, g.OH, g.batch * R] : [g.OH * g.OW, g.batch * R];
  const blocked = k.run({ output, constants, args: [x, w, b], work });
  return unblockPlanes(blocked, g.batch, g.outPlanes, block, g.OH * g.OW);
}

// ---- weight gradient --------------------------------------------------------------------------

/** Geometry of {@link convGradWeightRaw}. */
export interface GradWeight {
  batch: number;
  /** Planes of g (the convolution's output planes). */
  gPlanes: number;
  /** Planes of x (the convolution's input planes). */
  xPlanes: number;
  /** Size of g's planes. */
  OH: number;
  OW: number;
  /** Size of x's planes (x already padded). */
  H: number;
  W: number;
  kH: number;
  kW: number;
  dH: number;
  dW: number;
}

/** Output columns unrolled per loop step of the weight-gradient kernel. */
const GRAD_WEIGHT_UNROLL = 32;

/**
 * Source of {@link convGradWeightRaw}: per (n, oh), `unroll` copies of
 * `{ const xv = x[xo + ow·dW]; s0 += g[go0 + ow] * xv; s1 += g[go1 + ow] * xv; … }` step through
 * the output row, then `tail` more finish it.
 */
function gradWeightSource(block: number, unroll: number, tail: number): string {
  const step = (ow: string): string => {
    const terms = Array.from({ length: block }, (_, r) => `s${r} += g[go${r} + ${ow}] * xv;`).join(' ');
    return `{ const xv = x[xo + (${ow}) * this.constants.dW]; ${terms} }`;
  };
  const main = Array.from({ length: unroll }, (_, i) => step(`t + ${i}`)).join('\n        ');
  const rest = Array.from({ length: tail }, (_, i) => step(`this.constants.OWU + ${i}`)).join('\n      ');
  const gBases = Array.from({ length: block }, (_, r) => `const go${r} = ((n * this.constants.G + p${r}) * this.constants.OH + oh) * this.constants.OW;`).join(' ');
  return `function(g, x) {
  const ck = this.thread.x; const blk = this.thread.y;
  const kk = this.constants.kH * this.constants.kW;
  const c = Math.floor(ck / kk); const q = ck - c * kk; const kh = Math.floor(q / this.constants.kW); const kw = q - kh * this.constants.kW;
  ${planeDecl(block, `blk * ${block}`, 'this.constants.G')}
  ${sumsDecl(block, () => '0')}
  for (let n = 0; n < this.constants.N; n++) {
    for (let oh = 0; oh < this.constants.OH; oh++) {
      const xo = ((n * this.constants.C + c) * this.constants.H + oh * this.constants.dH + kh) * this.constants.W + kw;
      ${gBases}
      for (let t = 0; t < this.constants.OWU; t += ${unroll}) {
        ${main}
      }
      ${rest}
    }
  }
  ${sumsReturn(block)}
}`;
}

/**
 * Weight gradient of a cross-correlation, B gradient planes per thread:
 *
 *   ∂w[o, c, kh, kw] = Σ_n Σ_oh Σ_ow g[n, o, oh, ow] · x[n, c, oh·dH + kh, ow·dW + kw]
 *
 * for g [batch, gPlanes, OH, OW] and a padded x [batch, xPlanes, H, W]; returns
 * [gPlanes, xPlanes, kH, kW]. `thread.x` walks (c, kh, kw), so the g reads are lane-uniform and
 * one gather of x feeds B planes; the ow loop is unrolled by hand (32 at a time), which took conv1's
 * ∂W from 3.1 ms (rolled) to 1.9 ms.
 */
export function convGradWeightRaw(g: Float32Array, x: Float32Array, s: GradWeight): Float32Array {
  const block = planeBlock(s.gPlanes);
  const R = Math.ceil(s.gPlanes / block);
  const unroll = Math.min(s.OW, GRAD_WEIGHT_UNROLL);
  const owu = Math.floor(s.OW / unroll) * unroll;
  const tail = s.OW - owu;
  const k = kernels.define(`conv.correlate.gradWeight.b${block}.u${unroll}.t${tail}`, () => gradWeightSource(block, unroll, tail), blockReturnType(block));
  const CK = s.xPlanes * s.kH * s.kW;
  const constants = { N: s.batch, G: s.gPlanes, C: s.xPlanes, OH: s.OH, OW: s.OW, OWU: owu, H: s.H, W: s.W, kH: s.kH, kW: s.kW, dH: s.dH, dW: s.dW };
  const work = s.batch * s.gPlanes * s.OH * s.OW * CK;
  const blocked = k.run({ output: [CK, R], constants, args: [g, x], work });
  return unblockPlanes(blocked, 1, s.gPlanes, block, CK);
}

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
