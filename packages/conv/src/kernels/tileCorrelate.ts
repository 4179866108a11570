import { kernels } from '@eole/core';

/**
 * Weight layout of {@link tileCorrelateRaw}: w[base + o·sOut + c·sIn + kh·sH + kw·sW] is the tap of
 * output plane o, input plane c at (kh, kw). Strides may be negative (a flipped kernel).
 */
export interface WeightView {
  sOut: number;
  sIn: number;
  sH: number;
  sW: number;
  base: number;
}

/** Geometry of {@link tileCorrelateRaw}. */
export interface Correlation {
  batch: number;
  inPlanes: number;
  outPlanes: number;
  /** Rows and columns of x (already padded, or zero-inserted, so that every tap lands inside). */
  H: number;
  W: number;
  OH: number;
  OW: number;
  kH: number;
  kW: number;
  dH: number;
  dW: number;
  /**
   * Rows of x that may hold non-zeros: t in [top, bot) with (t − top) a multiple of `up`. A tap row
   * whose tile rows are all zero rows is skipped (the zero rows of a transposed convolution's
   * input; for tiles taller than one row only the range is tested).
   * Omitted: every row is read.
   */
  rows?: { top: number; bot: number; up: number };
}

/** Which output axis the four SIMD lanes of a thread walk: output planes or batch samples. */
export type LaneAxis = 'planes' | 'batch';

/** Output pixels one thread computes: a tile of th rows by tw columns, th·tw = 4. */
export interface Tile {
  th: 1 | 2 | 4;
  tw: 1 | 2 | 4;
}

const TILES: readonly Tile[] = [
  { th: 1, tw: 4 },
  { th: 2, tw: 2 },
  { th: 4, tw: 1 },
];

/** Distinct x values a tile reads per (kh, c): th rows of (tw − 1)·dW + kW columns (fewer when dW > kW). */
function tileLoads(t: Tile, kW: number, dW: number): number {
  const cols = new Set<number>();
  for (let j = 0; j < t.tw; j++) for (let k = 0; k < kW; k++) cols.add(j * dW + k);
  return t.th * cols.size;
}

/**
 * The tile with the lowest modelled cost: tiles × (60·kW + 22·distinct x loads), the wasm
 * instructions gpu.js emits per (kh, c) step for the kW lane loads with their multiply-adds and for
 * each x load, fitted to the generated code of 1×4 and 2×2 tiles with kW = 5. A correlation that
 * skips zero rows (`rows`) takes 1×4: taller tiles skip a row only when all their rows are zero.
 */
export function chooseTile(OH: number, OW: number, kW: number, dW: number, skipsRows = false): Tile {
  if (skipsRows) return TILES[0]!;
  let best = TILES[0]!;
  let bestCost = Infinity;
  for (const t of TILES) {
    const cost = Math.ceil(OH / t.th) * Math.ceil(OW / t.tw) * (60 * kW + 22 * tileLoads(t, kW, dW));
    if (cost < bestCost) {
      best = t;
      bestCost = cost;
    }
  }
  return best;
}

/**
 * Lanes over output planes pad them to a multiple of 4, lanes over the batch pad the batch. Planes
 * win unless they pad 1.5 times as much: their weight reads are contiguous (`w[… + thread.x]`,
 * one vector load under the codegen fix) and their x reads lane-uniform, while lanes over the batch
 * gather x. So 6 planes (LeNet's C1, and the ∂x of C3) take planes; 1 or 2 planes take the batch.
 */
export function chooseLanes(outPlanes: number, batch: number): LaneAxis {
  const waste = (n: number): number => (Math.ceil(n / 4) * 4) / n;
  return waste(outPlanes) >= 1.5 * waste(batch) ? 'batch' : 'planes';
}

/**
 * Source of {@link tileCorrelateRaw}. Per tap row kh and input plane c, a thread reads its
 * kW lane weights once and the tile's x window once, then adds kW products to each of the 4
 * outputs. With lanes over planes the weights are the lane operand (`w[… + thread.x]`, contiguous)
 * and x is lane-uniform; with lanes over the batch x is the lane operand (a gather) and the weights
 * are uniform. Each output sums in the order b + Σ_kh Σ_c (Σ_kw x·w).
 *
 * Index math uses `+ − ×` of integers only (the tile row ti = ⌊q / TW⌋ is found by a binary search
 * over its `rowBits` bits, and the zero-row phase is stepped), so that a code generator can keep
 * every index in i32 registers.
 */
function tileSource(lanes: LaneAxis, tile: Tile, kW: number, dW: number, rowTest: 'none' | 'range' | 'grid', rowBits: number): string {
  const T = 'this.thread.x';
  const k = (name: string): string => `this.constants.${name}`;
  const reads: string[] = [];
  const seen = new Set<string>();
  const xv = (i: number, col: number): string => {
    const name = `x${i}_${col}`;
    if (!seen.has(name)) {
      seen.add(name);
      reads.push(`const ${name} = x[r0${i ? ` + ${i} * ${k('RS')}` : ''}${col ? ` + ${col}` : ''}];`);
    }
    return name;
  };
  const weights = Array.from({ length: kW }, (_, e) =>
    lanes === 'planes' ? `const w${e} = w[wc + ${e} * ${k('OP')} + ${T}];` : `const w${e} = w[wc + ${e}];`,
  );
  const sums: string[] = [];
  for (let i = 0; i < tile.th; i++) {
    for (let j = 0; j < tile.tw; j++) {
      const terms = Array.from({ length: kW }, (_, e) => `${xv(i, j * dW + e)} * w${e}`);
      sums.push(`s${i * tile.tw + j} += ${terms.join(' + ')};`);
    }
  }
  const n = lanes === 'planes' ? 'this.thread.z' : T;
  const wc = lanes === 'planes' ? `(c * ${k('kH')} + kh) * ${k('kW')} * ${k('OP')}` : `((this.thread.z * ${k('C')} + c) * ${k('kH')} + kh) * ${k('kW')}`;
  const bias = lanes === 'planes' ? `b[${T}]` : 'b[this.thread.z]';
  const inRange = `t0 + kh + ${tile.th - 1} * ${k('dH')} >= ${k('top')} && t0 + kh < ${k('bot')}`;
  const test = { none: '', range: `if (${inRange})`, grid: `if (phase === 0 && ${inRange})` }[rowTest];
  const phase =
    rowTest === 'grid'
      ? `let phase = t0 - ${k('top')}; while (phase < 0) { phase += ${k('up')}; } while (phase >= ${k('up')}) { phase -= ${k('up')}; }`
      : '';
  const step = rowTest === 'grid' ? `phase++; if (phase === ${k('up')}) { phase = 0; }` : '';
  return `function(x, w, b) {
  const q = this.thread.y;
  let ti = 0;
  ${Array.from({ length: rowBits }, (_, i) => 2 ** (rowBits - 1 - i)).map((b) => `if (q >= (ti + ${b}) * ${k('TW')}) { ti += ${b}; }`).join(' ')}
  const t0 = ti * ${tile.th} * ${k('dH')};
  const x0 = (${n} * ${k('C')} * ${k('H')} + t0) * ${k('W')} + (q - ti * ${k('TW')}) * ${tile.tw} * ${k('dW')};
  ${phase}
  ${Array.from({ length: 4 }, (_, s) => `let s${s} = ${bias};`).join(' ')}
  for (let kh = 0; kh < ${k('kH')}; kh++) {
    ${test} {
      for (let c = 0; c < ${k('C')}; c++) {
        const r0 = x0 + (c * ${k('H')} + kh) * ${k('W')};
        const wc = ${wc};
        ${weights.join(' ')}
        ${reads.join(' ')}
        ${sums.join('\n        ')}
      }
    }
    ${step}
  }
  return [s0, s1, s2, s3];
}`;
}

/** Copies the weights, read through `view`, into the layout the lanes read: [C, kH, kW, OP] or [O, C, kH, kW]. */
function laneWeights(w: Float32Array, view: WeightView, g: Correlation, lanes: LaneAxis, OP: number): Float32Array {
  const { inPlanes: C, outPlanes: O, kH, kW } = g;
  const out = new Float32Array(lanes === 'planes' ? C * kH * kW * OP : O * C * kH * kW);
  for (let o = 0; o < O; o++) {
    for (let c = 0; c < C; c++) {
      for (let kh = 0; kh < kH; kh++) {
        for (let kw = 0; kw < kW; kw++) {
          const v = w[view.base + o * view.sOut + c * view.sIn + kh * view.sH + kw * view.sW]!;
          const tap = (c * kH + kh) * kW + kw;
          out[lanes === 'planes' ? tap * OP + o : o * C * kH * kW + tap] = v;
        }
      }
    }
  }
  return out;
}

/** Overrides of {@link tileCorrelateRaw}'s choices (tests cover every variant; benchmarks compare them). */
export interface TileChoice {
  lanes?: LaneAxis;
  tile?: Tile;
}

/**
 * Direct 2-D cross-correlation of a batch, computed in tiles of 4 output pixels per thread:
 *
 *   y[n, o, oh, ow] = b[o] + Σ_kh Σ_c Σ_kw x[n, c, oh·dH + kh, ow·dW + kw] · w[o, c, kh, kw]
 *
 * x is [batch, inPlanes, H, W] (padded by the caller), w is read through `view`, b has outPlanes
 * values; returns [batch, outPlanes, OH, OW].
 *
 * The launch is [lanes, tiles, other]: `thread.x` walks the output planes padded to a multiple of 4
 * (or the batch, when that pads less, see {@link chooseLanes}), `thread.y` the tiles of the output
 * plane ({@link chooseTile}: 1×4, 2×2 or 4×1 pixels), `thread.z` the other axis. Edge tiles compute
 * a few pixels past the output (they read real memory and are dropped), so the lanes of every quad
 * do the same work and no quad has a scalar tail.
 */
export function tileCorrelateRaw(x: Float32Array, w: Float32Array, b: Float32Array, g: Correlation, view: WeightView, choice: TileChoice = {}, relu = false): Float32Array {
  const lanes = choice.lanes ?? chooseLanes(g.outPlanes, g.batch);
  const tile = choice.tile ?? chooseTile(g.OH, g.OW, g.kW, g.dW, g.rows !== undefined);
  const OP = Math.ceil(g.outPlanes / 4) * 4;
  const NP = Math.ceil(g.batch / 4) * 4;
  // The grid test needs one row per tile; taller tiles only skip rows outside the range.
  const rowTest = !g.rows ? 'none' : g.rows.up > 1 && tile.th === 1 ? 'grid' : 'range';
  const TH = Math.ceil(g.OH / tile.th);
  const rowBits = Math.max(1, Math.ceil(Math.log2(TH)));
  const name = `conv.correlate.tile.${lanes}.t${tile.th}x${tile.tw}.k${g.kW}.s${g.dW}.${rowTest}.r${rowBits}`;
  const k = kernels.define(name, () => tileSource(lanes, tile, g.kW, g.dW, rowTest, rowBits), 'Array(4)');
  const TW = Math.ceil(g.OW / tile.tw);
  const constants: Record<string, number> = { C: g.inPlanes, H: g.H, W: g.W, kH: g.kH, kW: g.kW, dH: g.dH, dW: g.dW, OP, TW, RS: g.dH * g.W };
  if (g.rows) Object.assign(constants, g.rows);
  const wl = laneWeights(w, view, g, lanes, OP);
  const bl = new Float32Array(lanes === 'planes' ? OP : g.outPlanes);
  bl.set(b.subarray(0, g.outPlanes));
  const output = lanes === 'planes' ? [OP, TH * TW, g.batch] : [NP, TH * TW, g.outPlanes];
  const work = output[0]! * output[1]! * output[2]! * 4 * g.inPlanes * g.kH * g.kW;
  return k.read({ output, constants, args: [x, wl, bl], work }, (blocked) => untile(blocked, g, tile, lanes, lanes === 'planes' ? OP : NP, TW, relu));
}

/**
 * Moves the tiled result [other, tiles, lanes, 4] to [batch, outPlanes, OH, OW], dropping the
 * padding, and applies a fused ReLU when asked: one sequential pass over the result, 4 writes per thread (2.6 ms for conv1's output at
 * batch 256, against 4.6 ms walking the output in order).
 */
function untile(blocked: Float32Array, g: Correlation, tile: Tile, lanes: LaneAxis, L: number, TW: number, relu: boolean): Float32Array {
  const { batch: N, outPlanes: O, OH, OW } = g;
  const { th, tw } = tile;
  const OHW = OH * OW;
  const TH = Math.ceil(OH / th);
  const out = new Float32Array(N * O * OHW);
  // Offset of tile element e from the tile's first pixel.
  const e1 = Math.floor(1 / tw) * OW + (1 % tw);
  const e2 = Math.floor(2 / tw) * OW + (2 % tw);
  const e3 = Math.floor(3 / tw) * OW + (3 % tw);
  const planes = lanes === 'planes';
  const Z = planes ? N : O;
  // Lane l of slab z lands at z·zStride + l·laneStride; lanes past the real planes (or batch) are padding.
  const lanesUsed = planes ? O : N;
  const laneStride = planes ? OHW : O * OHW;
  const zStride = planes ? O * OHW : OHW;
  for (let z = 0, src = 0; z < Z; z++) {
    for (let ti = 0; ti < TH; ti++) {
      for (let tj = 0; tj < TW; tj++, src += 4 * L) {
        const base = z * zStride + ti * th * OW + tj * tw;
        if ((ti + 1) * th <= OH && (tj + 1) * tw <= OW) {
          for (let l = 0, d = base, q = src; l < lanesUsed; l++, d += laneStride, q += 4) {
            out[d] = blocked[q]!;
            out[d + e1] = blocked[q + 1]!;
            out[d + e2] = blocked[q + 2]!;
            out[d + e3] = blocked[q + 3]!;
          }
          continue;
        }
        for (let e = 0; e < 4; e++) {
          const i = Math.floor(e / tw);
          const j = e % tw;
          if (ti * th + i >= OH || tj * tw + j >= OW) continue;
          for (let l = 0, d = base + i * OW + j, q = src + e; l < lanesUsed; l++, d += laneStride, q += 4) out[d] = blocked[q]!;
        }
      }
    }
  }
  // A fused ReLU (Torch7 Threshold(0, 0): v > 0 ? v : 0, the same bits as the separate kernel).
  if (relu) for (let i = 0; i < out.length; i++) out[i] = out[i]! > 0 ? out[i]! : 0;
  return out;
}
