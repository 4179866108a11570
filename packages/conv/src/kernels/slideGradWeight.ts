import { kernels, type KernelReturnType } from '@eole/core';

/** Geometry of {@link slideGradWeightRaw}. */
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

/** What one thread computes: M gradient planes × T neighbouring kernel columns (M·T ≤ 4). */
export interface WeightBlock {
  M: 1 | 2 | 4;
  T: 1 | 2 | 3 | 4;
}

const BLOCKS: readonly WeightBlock[] = [
  { M: 1, T: 4 },
  { M: 1, T: 3 },
  { M: 2, T: 2 },
  { M: 4, T: 1 },
];

/** Output columns unrolled per loop step. */
const UNROLL = 16;

/**
 * Modelled cost of {@link slideGradWeightRaw} with `b`, per output column of one (n, oh): quads ×
 * (6 + M + M·T), a gather of x counting as 6 and each uniform gradient load and multiply-add as 1
 * (the codegen fix's costs); the lanes (c, kh, kernel-column block) are padded to a multiple of 4,
 * the planes to one of M. It ranks the four blocks on LeNet's C1 and C3 as measured.
 */
export function blockCost(b: WeightBlock, gPlanes: number, xPlanes: number, kH: number, kW: number): number {
  const quads = Math.ceil((xPlanes * kH * Math.ceil(kW / b.T)) / 4) * Math.ceil(gPlanes / b.M);
  return quads * (6 + b.M + b.M * b.T);
}

/** The block with the lowest {@link blockCost}. */
export function chooseWeightBlock(gPlanes: number, xPlanes: number, kH: number, kW: number): WeightBlock {
  let best = BLOCKS[0]!;
  for (const b of BLOCKS) if (blockCost(b, gPlanes, xPlanes, kH, kW) < blockCost(best, gPlanes, xPlanes, kH, kW)) best = b;
  return best;
}

/**
 * Source of {@link slideGradWeightRaw}: per (n, oh), each unrolled step over the output columns
 * reads the M gradient values (lane-uniform) and one new x value per lane (a gather), sliding the
 * window of the T kernel columns along: x[ow·dW + t] for t < T was read by the steps before when
 * dW = 1. Gradient planes past G of the last block read the next sample's planes (or clamped
 * reads at the end) and are dropped. The lane's offset `off` is the only value computed by division;
 * it enters x subscripts only, so every other index stays an integer expression.
 */
function slideSource(b: WeightBlock, unroll: number, tail: number, dW: number): string {
  const k = (name: string): string => `this.constants.${name}`;
  const outs: string[] = [];
  for (let m = 0; m < b.M; m++) for (let t = 0; t < b.T; t++) outs.push(`s${m}_${t}`);
  const steps = (count: number, base: string): string => {
    const lines: string[] = [];
    const seen = new Set<number>();
    for (let u = 0; u < count; u++) {
      for (let m = 0; m < b.M; m++) lines.push(`const g${m}_${u} = g[go${m} + ${base}${u}];`);
      for (let t = 0; t < b.T; t++) {
        const col = u * dW + t;
        if (!seen.has(col)) {
          seen.add(col);
          lines.push(`const x${col} = x[xo + off + ${base.slice(0, -3)} * ${k('dW')} + ${col}];`);
        }
        for (let m = 0; m < b.M; m++) lines.push(`s${m}_${t} += g${m}_${u} * x${col};`);
      }
    }
    return lines.join(' ');
  };
  const gBases = Array.from(
    { length: b.M },
    (_, m) => `const go${m} = ((n * ${k('G')} + p + ${m}) * ${k('OH')} + oh) * ${k('OW')};`,
  ).join(' ');
  return `function(g, x) {
  const l = this.thread.x;
  const c = Math.floor(l / ${k('KHB')}); const r = l - c * ${k('KHB')}; const kh = Math.floor(r / ${k('KB')});
  const off = (c * ${k('H')} + kh) * ${k('W')} + (r - kh * ${k('KB')}) * ${b.T};
  const p = this.thread.y * ${b.M};
  ${outs.map((s) => `let ${s} = 0;`).join(' ')}
  for (let n = 0; n < ${k('N')}; n++) {
    for (let oh = 0; oh < ${k('OH')}; oh++) {
      ${gBases}
      const xo = n * ${k('CHW')} + oh * ${k('RS')};
      for (let ow = 0; ow < ${k('OWU')}; ow += ${unroll}) {
        ${steps(unroll, 'ow + ')}
      }
      { ${steps(tail, `${k('OWU')} + `)} }
    }
  }
  return [${outs.join(', ')}];
}`;
}

/**
 * Weight gradient of a cross-correlation:
 *
 *   ∂w[o, c, kh, kw] = Σ_n Σ_oh Σ_ow g[n, o, oh, ow] · x[n, c, oh·dH + kh, ow·dW + kw]
 *
 * for g [batch, gPlanes, OH, OW] and a padded x [batch, xPlanes, H, W]; returns
 * [gPlanes, xPlanes, kH, kW], each sum in the order n, oh, ow.
 *
 * `thread.x` walks the lanes (c, kh, block of T kernel columns), `thread.y` blocks of M planes
 * ({@link chooseWeightBlock}, or `block`): per output column a thread reads M lane-uniform gradient values and,
 * as the window slides, one new x value, for M·T products.
 */
export function slideGradWeightRaw(g: Float32Array, x: Float32Array, s: GradWeight, block?: WeightBlock): Float32Array {
  const b = block ?? chooseWeightBlock(s.gPlanes, s.xPlanes, s.kH, s.kW);
  const KB = Math.ceil(s.kW / b.T);
  const lanes = s.xPlanes * s.kH * KB;
  const L = Math.ceil(lanes / 4) * 4;
  const R = Math.ceil(s.gPlanes / b.M);
  const unroll = Math.min(s.OW, UNROLL);
  const owu = Math.floor(s.OW / unroll) * unroll;
  const tail = s.OW - owu;
  const name = `conv.correlate.gradWeight.m${b.M}t${b.T}.u${unroll}.t${tail}.s${s.dW}`;
  const returnType = `Array(${b.M * b.T})` as KernelReturnType;
  const k = kernels.define(name, () => slideSource(b, unroll, tail, s.dW), b.M * b.T === 1 ? undefined : returnType);
  const constants = {
    N: s.batch,
    G: s.gPlanes,
    OH: s.OH,
    OW: s.OW,
    OWU: owu,
    H: s.H,
    W: s.W,
    CHW: s.xPlanes * s.H * s.W,
    RS: s.dH * s.W,
    dW: s.dW,
    KB,
    KHB: s.kH * KB,
  };
  const work = L * R * b.M * b.T * s.batch * s.OH * s.OW;
  const blocked = k.run({ output: [L, R], constants, args: [g, x], work });
  const out = new Float32Array(s.gPlanes * s.xPlanes * s.kH * s.kW);
  const MT = b.M * b.T;
  for (let r = 0; r < R; r++) {
    for (let l = 0; l < lanes; l++) {
      const c = Math.floor(l / (s.kH * KB));
      const kh = Math.floor(l / KB) % s.kH;
      const kw0 = (l % KB) * b.T;
      for (let m = 0; m < b.M; m++) {
        const o = r * b.M + m;
        if (o >= s.gPlanes) break;
        for (let t = 0; t < b.T && kw0 + t < s.kW; t++) out[((o * s.xPlanes + c) * s.kH + kh) * s.kW + kw0 + t] = blocked[(r * L + l) * MT + m * b.T + t]!;
      }
    }
  }
  return out;
}
