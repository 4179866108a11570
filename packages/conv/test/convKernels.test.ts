import test from 'ava';
import { Generator, kernels, Tensor } from '@eole/core';
import { checkOp, checkThreadArrays, close } from '@eole/core/testing';
import { conv2d, convTranspose2d } from '@eole/conv';
import { chooseLanes, chooseTile, tileCorrelateRaw, type Correlation, type LaneAxis, type Tile, type WeightView } from '../src/kernels/tileCorrelate.js';
import { maxPoolArgmax } from '../src/kernels/maxPoolKernels.js';
import { blockCost, chooseWeightBlock, slideGradWeightRaw, type GradWeight, type WeightBlock } from '../src/kernels/slideGradWeight.js';
import { planeCost, planeGradWeightRaw, planeTaps } from '../src/kernels/planeGradWeight.js';
import { planeSumsRaw } from '../src/kernels/convKernels.js';

// ---- plain-JS oracles (float64) ---------------------------------------------------------------

/** y[n, o, oh, ow] = b[o] + Σ_c Σ_kh Σ_kw x[n, c, oh·dH + kh, ow·dW + kw] · w(o, c, kh, kw) through `view`. */
function correlateOracle(x: Float32Array, w: Float32Array, b: Float32Array, g: Correlation, v: WeightView): Float64Array {
  const y = new Float64Array(g.batch * g.outPlanes * g.OH * g.OW);
  for (let n = 0; n < g.batch; n++)
    for (let o = 0; o < g.outPlanes; o++)
      for (let oh = 0; oh < g.OH; oh++)
        for (let ow = 0; ow < g.OW; ow++) {
          let s = b[o]!;
          for (let c = 0; c < g.inPlanes; c++)
            for (let kh = 0; kh < g.kH; kh++)
              for (let kw = 0; kw < g.kW; kw++) {
                const xv = x[((n * g.inPlanes + c) * g.H + oh * g.dH + kh) * g.W + ow * g.dW + kw]!;
                s += xv * w[v.base + o * v.sOut + c * v.sIn + kh * v.sH + kw * v.sW]!;
              }
          y[((n * g.outPlanes + o) * g.OH + oh) * g.OW + ow] = s;
        }
  return y;
}

/** ∂w[o, c, kh, kw] = Σ_n Σ_oh Σ_ow g[n, o, oh, ow] · x[n, c, oh·dH + kh, ow·dW + kw]. */
function gradWeightOracle(gy: Float32Array, x: Float32Array, s: GradWeight): Float64Array {
  const out = new Float64Array(s.gPlanes * s.xPlanes * s.kH * s.kW);
  for (let o = 0; o < s.gPlanes; o++)
    for (let c = 0; c < s.xPlanes; c++)
      for (let kh = 0; kh < s.kH; kh++)
        for (let kw = 0; kw < s.kW; kw++) {
          let sum = 0;
          for (let n = 0; n < s.batch; n++)
            for (let oh = 0; oh < s.OH; oh++)
              for (let ow = 0; ow < s.OW; ow++) {
                sum += gy[((n * s.gPlanes + o) * s.OH + oh) * s.OW + ow]! * x[((n * s.xPlanes + c) * s.H + oh * s.dH + kh) * s.W + ow * s.dW + kw]!;
              }
          out[((o * s.xPlanes + c) * s.kH + kh) * s.kW + kw] = sum;
        }
  return out;
}

const rand = (n: number, seed: number): Float32Array => Tensor.randn([n], new Generator(seed)).data;

/** Runs `fn` on cpu and on webasm, checks both against `want` and the two against each other. */
function onBothBackends(t: Parameters<typeof close>[0], what: string, fn: () => Float32Array, want: Float64Array): void {
  const cpu = kernels.withBackend('cpu', fn);
  const wasm = kernels.withBackend('webasm', fn);
  t.is(wasm.length, want.length, `${what}: output size`);
  close(t, cpu, want, 1e-5, `${what} (cpu)`);
  close(t, wasm, want, 1e-5, `${what} (webasm)`);
  close(t, wasm, cpu, 1e-5, `${what}: cpu/webasm parity`);
}

// ---- the tiled correlation, every variant -----------------------------------------------------

const TILES: Tile[] = [
  { th: 1, tw: 4 },
  { th: 2, tw: 2 },
  { th: 4, tw: 1 },
];

const geometries: { name: string; g: Omit<Correlation, 'OH' | 'OW'> }[] = [
  { name: '3 → 5 planes, 3×3, stride 1 (edge tiles past the output)', g: { batch: 3, inPlanes: 3, outPlanes: 5, H: 9, W: 11, kH: 3, kW: 3, dH: 1, dW: 1 } },
  { name: '2 → 6 planes, 2×4, strides 2, 3', g: { batch: 5, inPlanes: 2, outPlanes: 6, H: 10, W: 13, kH: 2, kW: 4, dH: 2, dW: 3 } },
  { name: '1 → 1 plane, 5×5 (LeNet C1 taps)', g: { batch: 2, inPlanes: 1, outPlanes: 1, H: 12, W: 12, kH: 5, kW: 5, dH: 1, dW: 1 } },
];

for (const { name, g: partial } of geometries) {
  const g: Correlation = { ...partial, OH: Math.floor((partial.H - partial.kH) / partial.dH) + 1, OW: Math.floor((partial.W - partial.kW) / partial.dW) + 1 };
  const x = rand(g.batch * g.inPlanes * g.H * g.W, 1);
  const w = rand(g.outPlanes * g.inPlanes * g.kH * g.kW, 2);
  const b = rand(g.outPlanes, 3);
  const dense: WeightView = { sOut: g.inPlanes * g.kH * g.kW, sIn: g.kH * g.kW, sH: g.kW, sW: 1, base: 0 };
  const flipped: WeightView = { sOut: g.kH * g.kW, sIn: g.inPlanes * g.kH * g.kW, sH: -g.kW, sW: -1, base: g.kH * g.kW - 1 };
  for (const lanes of ['planes', 'batch'] as LaneAxis[]) {
    for (const tile of TILES) {
      test(`tileCorrelateRaw ${name}: lanes over ${lanes}, ${tile.th}×${tile.tw} tiles, dense and flipped weights`, (t) => {
        onBothBackends(t, 'dense', () => tileCorrelateRaw(x, w, b, g, dense, { lanes, tile }), correlateOracle(x, w, b, g, dense));
        // The flipped view reads w as [C, O, kH, kW] turned by 180°, as the backward pass does.
        const gf = { ...g, inPlanes: g.outPlanes, outPlanes: g.inPlanes };
        const xf = rand(gf.batch * gf.inPlanes * gf.H * gf.W, 4);
        const bf = rand(gf.outPlanes, 5);
        onBothBackends(t, 'flipped', () => tileCorrelateRaw(xf, w, bf, gf, flipped, { lanes, tile }), correlateOracle(xf, w, bf, gf, flipped));
      });
    }
  }
}

test('tileCorrelateRaw skips rows outside [top, bot) and off the `up` grid without changing the result', (t) => {
  // x has non-zero rows only at top + i·up (a gradient zero-inserted by stride 2 and padded).
  const [batch, C, O, H, W, kH, kW] = [3, 4, 3, 13, 9, 3, 3];
  const top = 2;
  const up = 2;
  const bot = top + 4 * up + 1;
  const x = rand(batch * C * H * W, 6);
  for (let p = 0; p < batch * C; p++)
    for (let r = 0; r < H; r++) if (r < top || r >= bot || (r - top) % up !== 0) x.fill(0, (p * H + r) * W, (p * H + r + 1) * W);
  const w = rand(O * C * kH * kW, 7);
  const b = rand(O, 8);
  const g: Correlation = { batch, inPlanes: C, outPlanes: O, H, W, OH: H - kH + 1, OW: W - kW + 1, kH, kW, dH: 1, dW: 1 };
  const view: WeightView = { sOut: C * kH * kW, sIn: kH * kW, sH: kW, sW: 1, base: 0 };
  const want = correlateOracle(x, w, b, g, view);
  for (const lanes of ['planes', 'batch'] as LaneAxis[]) {
    for (const tile of TILES) {
      for (const rows of [{ top, bot, up }, { top, bot, up: 1 }]) {
        onBothBackends(t, `${lanes} ${tile.th}×${tile.tw} up ${rows.up}`, () => tileCorrelateRaw(x, w, b, { ...g, rows }, view, { lanes, tile }), want);
      }
    }
  }
});

test('tileCorrelateRaw gives the same bits whatever the lanes and the tile (each output sums in one order)', (t) => {
  const g: Correlation = { batch: 4, inPlanes: 3, outPlanes: 8, H: 10, W: 10, OH: 6, OW: 6, kH: 5, kW: 5, dH: 1, dW: 1 };
  const x = rand(4 * 3 * 100, 9);
  const w = rand(8 * 3 * 25, 10);
  const b = rand(8, 11);
  const view: WeightView = { sOut: 75, sIn: 25, sH: 5, sW: 1, base: 0 };
  const runs = (['planes', 'batch'] as LaneAxis[]).flatMap((lanes) => TILES.map((tile) => kernels.withBackend('webasm', () => tileCorrelateRaw(x, w, b, g, view, { lanes, tile }))));
  for (const r of runs) t.deepEqual([...r], [...runs[0]!]);
});

test('chooseLanes takes planes unless they pad 1.5 times as much as the batch; chooseTile prefers 1×4 where rows are skipped', (t) => {
  t.is(chooseLanes(6, 32), 'planes');
  t.is(chooseLanes(16, 32), 'planes');
  t.is(chooseLanes(1, 32), 'batch');
  t.is(chooseLanes(2, 32), 'batch');
  t.is(chooseLanes(1, 1), 'planes');
  t.deepEqual(chooseTile(14, 14, 5, 1, true), { th: 1, tw: 4 });
  t.deepEqual(chooseTile(28, 28, 5, 1), { th: 1, tw: 4 });
  t.deepEqual(chooseTile(28, 1, 3, 1), { th: 4, tw: 1 });
});

// ---- the sliding weight gradient, every block -------------------------------------------------

const BLOCKS: WeightBlock[] = [
  { M: 1, T: 4 },
  { M: 1, T: 3 },
  { M: 2, T: 2 },
  { M: 4, T: 1 },
];

const gradShapes: { name: string; s: GradWeight }[] = [
  { name: '3 → 5 planes, 3×3, 19 columns (an unrolled block and a tail)', s: { batch: 2, gPlanes: 5, xPlanes: 3, OH: 4, OW: 19, H: 6, W: 21, kH: 3, kW: 3, dH: 1, dW: 1 } },
  { name: '2 → 3 planes, 2×5, strides 2, 3', s: { batch: 3, gPlanes: 3, xPlanes: 2, OH: 3, OW: 4, H: 7, W: 14, kH: 2, kW: 5, dH: 2, dW: 3 } },
  { name: '1 → 6 planes, 5×5, 28 columns (LeNet C1)', s: { batch: 2, gPlanes: 6, xPlanes: 1, OH: 3, OW: 28, H: 7, W: 32, kH: 5, kW: 5, dH: 1, dW: 1 } },
];

for (const { name, s } of gradShapes) {
  for (const block of BLOCKS) {
    test(`slideGradWeightRaw ${name}: M = ${block.M}, T = ${block.T}`, (t) => {
      const gy = rand(s.batch * s.gPlanes * s.OH * s.OW, 12);
      const x = rand(s.batch * s.xPlanes * s.H * s.W, 13);
      onBothBackends(t, `M${block.M} T${block.T}`, () => slideGradWeightRaw(gy, x, s, block), gradWeightOracle(gy, x, s));
    });
  }
}

for (const { name, s } of gradShapes) {
  for (const T of [2, 3, 4] as const) {
    test(`planeGradWeightRaw ${name}: T = ${T}, same bits as the sliding kernel`, (t) => {
      const gy = rand(s.batch * s.gPlanes * s.OH * s.OW, 12);
      const x = rand(s.batch * s.xPlanes * s.H * s.W, 13);
      onBothBackends(t, `planes T${T}`, () => planeGradWeightRaw(gy, x, s, { taps: T }).weight, gradWeightOracle(gy, x, s));
      const slide = kernels.withBackend('webasm', () => slideGradWeightRaw(gy, x, s, { M: 1, T: 4 }));
      t.deepEqual([...kernels.withBackend('webasm', () => planeGradWeightRaw(gy, x, s, { taps: T }).weight)], [...slide]);
    });
  }
}

test('planeGradWeightRaw with bias: ∂b from the same launch has the bits of the separate bias-gradient kernel', (t) => {
  for (const { s } of gradShapes) {
    const gy = rand(s.batch * s.gPlanes * s.OH * s.OW, 18);
    const x = rand(s.batch * s.xPlanes * s.H * s.W, 19);
    const want = new Float64Array(s.gPlanes);
    for (let n = 0; n < s.batch; n++) for (let o = 0; o < s.gPlanes; o++) for (let l = 0; l < s.OH * s.OW; l++) want[o] += gy[(n * s.gPlanes + o) * s.OH * s.OW + l]!;
    for (const T of [2, 3] as const) {
      const both = kernels.withBackend('webasm', () => planeGradWeightRaw(gy, x, s, { taps: T, bias: true }));
      close(t, both.bias!, want, 1e-5, `bias, T = ${T}`);
      t.deepEqual([...both.bias!], [...kernels.withBackend('webasm', () => planeSumsRaw(gy, s.batch, s.gPlanes, s.OH * s.OW))]);
      t.deepEqual([...both.weight], [...kernels.withBackend('webasm', () => planeGradWeightRaw(gy, x, s, { taps: T }).weight)]);
      onBothBackends(t, `bias T${T}`, () => planeGradWeightRaw(gy, x, s, { taps: T, bias: true }).bias!, want);
    }
    t.is(planeGradWeightRaw(gy, x, s, { taps: 4, bias: true }).bias, null, 'no free component with T = 4');
  }
});

test('convBackwardWeight takes lanes over planes for LeNet (6 and 16 planes), lanes over taps for 1 plane', (t) => {
  t.is(planeTaps(5), 3);
  t.is(planeTaps(2), 2);
  const cheaper = (G: number, C: number): boolean => planeCost(G, C, 5, 5) <= blockCost(chooseWeightBlock(G, C, 5, 5), G, C, 5, 5);
  t.true(cheaper(6, 1));
  t.true(cheaper(16, 6));
  t.false(cheaper(1, 1));
});

test('chooseWeightBlock: LeNet C1 (1 → 6) takes 2 planes × 2 columns, C3 (6 → 16) 4 planes × 1 column', (t) => {
  t.deepEqual(chooseWeightBlock(6, 1, 5, 5), { M: 2, T: 2 });
  t.deepEqual(chooseWeightBlock(16, 6, 5, 5), { M: 4, T: 1 });
});

test('the tiled and sliding kernels give the same bits with 1, 2 and 3 threads', (t) => {
  const g: Correlation = { batch: 4, inPlanes: 2, outPlanes: 6, H: 12, W: 12, OH: 8, OW: 8, kH: 5, kW: 5, dH: 1, dW: 1 };
  const x = rand(4 * 2 * 144, 14);
  const w = rand(6 * 2 * 25, 15);
  const b = rand(6, 16);
  const gy = rand(4 * 6 * 64, 17);
  const view: WeightView = { sOut: 50, sIn: 25, sH: 5, sW: 1, base: 0 };
  const s: GradWeight = { batch: 4, gPlanes: 6, xPlanes: 2, OH: 8, OW: 8, H: 12, W: 12, kH: 5, kW: 5, dH: 1, dW: 1 };
  checkThreadArrays(t, 'tiles and slides', () => [
    tileCorrelateRaw(x, w, b, g, view, { lanes: 'planes' }),
    tileCorrelateRaw(x, w, b, g, view, { lanes: 'batch' }),
    ...BLOCKS.map((block) => slideGradWeightRaw(gy, x, s, block)),
    planeGradWeightRaw(gy, x, s).weight,
  ]);
});

// ---- the ops on top: conv2d and convTranspose2d rows that reach each variant --------------------

const convRows: { name: string; x: number[]; w: number[]; stride: { dW?: number; dH?: number; padW?: number; padH?: number } }[] = [
  { name: '1 → 2 planes (lanes over the batch), pad 1', x: [4, 1, 6, 7], w: [2, 1, 3, 3], stride: { padW: 1, padH: 1 } },
  { name: '2 → 6 planes (lanes over planes), stride 2', x: [2, 2, 7, 7], w: [6, 2, 3, 3], stride: { dW: 2, dH: 2 } },
];

for (const r of convRows) {
  test(`conv2d ${r.name}: gradcheck, cpu/webasm parity`, (t) =>
    checkOp(t, (x, w, b) => conv2d(x!, w!, b!, r.stride), { shapes: [r.x, r.w, [r.w[0]!]] }));
}

test('convTranspose2d with stride 2 (its forward skips the zero rows of the spread input): gradcheck, parity', (t) =>
  checkOp(t, (x, w, b) => convTranspose2d(x!, w!, b!, { dW: 2, dH: 2, padW: 1, padH: 1, adjW: 1, adjH: 1 }), { shapes: [[2, 3, 3, 4], [3, 4, 3, 3], [4]] }));

// ---- max pooling's arg-max: the unrolled kernel for windows inside the input -------------------

test('maxPoolArgmax for windows inside the input: first maximum on ties, odd output widths, both backends, 1-3 threads', (t) => {
  for (const [kH, kW, dH, dW, iH, iW] of [[2, 2, 2, 2, 10, 10], [3, 2, 2, 1, 9, 7], [2, 3, 1, 3, 5, 11]] as const) {
    const planes = 5;
    const oH = Math.floor((iH - kH) / dH) + 1;
    const oW = Math.floor((iW - kW) / dW) + 1;
    // Values rounded to 1 decimal place in [-1, 1]: plenty of ties inside windows.
    const x = Tensor.uniform([planes * iH * iW], new Generator(kH * 10 + kW), -1, 1).data.map((v) => Math.round(v * 10) / 10);
    const want: number[] = [];
    for (let p = 0; p < planes; p++)
      for (let oh = 0; oh < oH; oh++)
        for (let ow = 0; ow < oW; ow++) {
          let best = -Infinity;
          let arg = -1;
          for (let a = 0; a < kH; a++)
            for (let b = 0; b < kW; b++) {
              const off = (oh * dH + a) * iW + ow * dW + b;
              if (x[p * iH * iW + off]! > best) [best, arg] = [x[p * iH * iW + off]!, off];
            }
          want.push(arg);
        }
    const s = { planes, iH, iW, oH, oW };
    const win = { kH, kW, dH, dW, padH: 0, padW: 0, ceil: false };
    for (const backend of ['cpu', 'webasm'] as const) t.deepEqual([...kernels.withBackend(backend, () => maxPoolArgmax(x, s, win))], want, `${kH}x${kW} on ${backend}`);
    checkThreadArrays(t, `maxPoolArgmax ${kH}x${kW}`, () => [maxPoolArgmax(x, s, win)]);
  }
});
