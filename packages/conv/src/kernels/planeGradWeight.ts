import { kernels, type KernelReturnType } from '@eole/core';
import type { GradWeight } from './slideGradWeight.js';

/** Output columns unrolled per loop step. */
const UNROLL = 16;

/**
 * Kernel columns per thread: the T in 2 to 4 with the lowest ⌈kW/T⌉·(2 + T), two loads (one
 * gradient vector, one new x value) and T multiply-adds per output column, over the padded
 * kernel width (kW = 5 takes 3: 6 columns computed, not 8).
 */
export function planeTaps(kW: number): 2 | 3 | 4 {
  let best: 2 | 3 | 4 = 4;
  for (const T of [3, 2] as const) if (Math.ceil(kW / T) * (2 + T) < Math.ceil(kW / best) * (2 + best)) best = T;
  return best;
}

/**
 * Source of {@link planeGradWeightRaw}: per (n, oh), each unrolled step over the output columns reads
 * the gradients of the 4 lanes' planes (contiguous in the transposed gradient: `g[… + thread.x]`)
 * and one new x value (lane-uniform), the window of T kernel columns sliding along when dW = 1.
 * The tap row kh is counted out of `thread.y` (no division), so every index is an integer
 * expression.
 */
function planeSource(T: number, unroll: number, tail: number, dW: number, bias: boolean): string {
  const k = (name: string): string => `this.constants.${name}`;
  const steps = (count: number, base: string): string => {
    const lines: string[] = [];
    const seen = new Set<number>();
    for (let u = 0; u < count; u++) {
      lines.push(`const g${u} = g[gb + (${base} + ${u}) * ${k('OP')} + this.thread.x];`);
      for (let t = 0; t < T; t++) {
        const col = u * dW + t;
        if (!seen.has(col)) {
          seen.add(col);
          lines.push(`const x${col} = x[xo + ${base} * ${k('dW')} + ${col}];`);
        }
        lines.push(`s${t} += g${u} * x${col};`);
      }
    }
    return lines.join(' ');
  };
  const sums = Array.from({ length: T }, (_, t) => `s${t}`);
  // The bias gradient Σ_n Σ_l g[n, o, l], in that order, by the threads of tap row 0, x plane 0.
  const biasSum = bias
    ? `let sb = 0;
  if (y === 0 && this.thread.z === 0) {
    for (let nb = 0; nb < ${k('N')}; nb++) { for (let l = 0; l < ${k('P')}; l++) { sb += g[(nb * ${k('P')} + l) * ${k('OP')} + this.thread.x]; } }
  }`
    : '';
  const returned = bias ? [...sums, 'sb'] : sums;
  return `function(g, x) {
  const y = this.thread.y;
  let kh = 0;
  for (let r = ${k('KB')}; r <= y; r += ${k('KB')}) { kh++; }
  const col0 = (y - kh * ${k('KB')}) * ${T};
  ${sums.map((s) => `let ${s} = 0;`).join(' ')}
  for (let n = 0; n < ${k('N')}; n++) {
    for (let oh = 0; oh < ${k('OH')}; oh++) {
      const gb = (n * ${k('OH')} + oh) * ${k('OW')} * ${k('OP')};
      const xo = ((n * ${k('C')} + this.thread.z) * ${k('H')} + oh * ${k('dH')} + kh) * ${k('W')} + col0;
      for (let ow = 0; ow < ${k('OWU')}; ow += ${unroll}) {
        ${steps(unroll, 'ow')}
      }
      { ${steps(tail, k('OWU'))} }
    }
  }
  ${biasSum}
  return [${returned.join(', ')}];
}`;
}

/**
 * Modelled cost of {@link planeGradWeightRaw} on the scale of `blockCost` (per output column of
 * one (n, oh)): quads × (2 + T), one gradient vector load, one x load and T multiply-adds, plus the
 * transposition of g (about one unit per padded plane).
 */
export function planeCost(gPlanes: number, xPlanes: number, kH: number, kW: number): number {
  const T = planeTaps(kW);
  const OP = Math.ceil(gPlanes / 4) * 4;
  return (OP / 4) * kH * Math.ceil(kW / T) * xPlanes * (2 + T) + OP;
}

/** g [N, G, P] → [N, P, OP], the planes padded with zeros to a multiple of 4. */
function transposePlanes(g: Float32Array, N: number, G: number, P: number, OP: number): Float32Array {
  const out = new Float32Array(N * P * OP);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < G; o++) {
      const src = (n * G + o) * P;
      for (let q = 0, dst = n * P * OP + o; q < P; q++, dst += OP) out[dst] = g[src + q]!;
    }
  }
  return out;
}

/** Options of {@link planeGradWeightRaw}. */
export interface PlaneGradOptions {
  /** Kernel columns per thread (default {@link planeTaps}). */
  taps?: 2 | 3 | 4;
  /**
   * Also return the bias gradient ∂b[o] = Σ_n Σ_{oh, ow} g[n, o, oh, ow] (summed in that order) from
   * the same launch, when a thread has a free component (T < 4); otherwise `bias` is null.
   */
  bias?: boolean;
}

/**
 * Weight gradient of a cross-correlation with the SIMD lanes over the gradient planes:
 *
 *   ∂w[o, c, kh, kw] = Σ_n Σ_oh Σ_ow g[n, o, oh, ow] · x[n, c, oh·dH + kh, ow·dW + kw]
 *
 * for g [batch, gPlanes, OH, OW] and a padded x [batch, xPlanes, H, W]; returns
 * [gPlanes, xPlanes, kH, kW], each sum in the order n, oh, ow (the same as
 * {@link slideGradWeightRaw}, so the two give the same bits).
 *
 * g is first transposed to [N, OH, OW, planes] (one copy) so that the 4 lanes' gradients are one
 * contiguous read; `thread.x` walks the planes (padded to 4), `thread.y` the (kh, block of T kernel
 * columns) pairs, `thread.z` the x planes. Per output column a thread reads one gradient vector
 * and one new x value for T products. With `bias`, the threads of tap row 0 and x plane 0 also sum
 * the gradient (one launch instead of two).
 */
export function planeGradWeightRaw(g: Float32Array, x: Float32Array, s: GradWeight, options: PlaneGradOptions = {}): { weight: Float32Array; bias: Float32Array | null } {
  const T = options.taps ?? planeTaps(s.kW);
  const bias = options.bias === true && T < 4;
  const KB = Math.ceil(s.kW / T);
  const OP = Math.ceil(s.gPlanes / 4) * 4;
  const P = s.OH * s.OW;
  const unroll = Math.min(s.OW, UNROLL);
  const owu = Math.floor(s.OW / unroll) * unroll;
  const tail = s.OW - owu;
  const R = bias ? T + 1 : T;
  const name = `conv.correlate.gradWeight.planes.t${T}.u${unroll}.t${tail}.s${s.dW}${bias ? '.bias' : ''}`;
  const k = kernels.define(name, () => planeSource(T, unroll, tail, s.dW, bias), `Array(${R})` as KernelReturnType);
  const gt = transposePlanes(g, s.batch, s.gPlanes, P, OP);
  const constants = { N: s.batch, C: s.xPlanes, OH: s.OH, OW: s.OW, OWU: owu, OP, P, H: s.H, W: s.W, dH: s.dH, dW: s.dW, KB };
  const work = OP * s.kH * KB * T * s.xPlanes * s.batch * P;
  const blocked = k.run({ output: [OP, s.kH * KB, s.xPlanes], constants, args: [gt, x], work });
  const weight = new Float32Array(s.gPlanes * s.xPlanes * s.kH * s.kW);
  for (let c = 0; c < s.xPlanes; c++) {
    for (let kh = 0; kh < s.kH; kh++) {
      for (let kb = 0; kb < KB; kb++) {
        for (let o = 0; o < s.gPlanes; o++) {
          const src = (((c * s.kH + kh) * KB + kb) * OP + o) * R;
          for (let t = 0; t < T && kb * T + t < s.kW; t++) weight[((o * s.xPlanes + c) * s.kH + kh) * s.kW + kb * T + t] = blocked[src + t]!;
        }
      }
    }
  }
  // Threads of tap row 0 and x plane 0 come first: their last component is the bias gradient.
  const b = bias ? Float32Array.from({ length: s.gPlanes }, (_, o) => blocked[o * R + T]!) : null;
  return { weight, bias: b };
}
