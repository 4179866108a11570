import test from 'ava';
import { Generator, kernels, noGrad, Sequential, ShapeError, Tensor } from '@eole/core';
import { checkRoundTrip, close, same, testModules } from '@eole/core/testing';
import { SpatialAveragePooling, SpatialLogSumExpPooling, SpatialLPPooling, SpatialMaxPooling } from '@eole/conv';
import { avgPool, CONV_POOLING_CASES, maxPool, POOL_WINDOWS as configs, win, type PoolWindowCase } from '@eole/conv/testing';

// ---- plain-JS oracles (direct loops over each window, as the Torch7 C code) -------------------

type Win = PoolWindowCase;

function outSize(n: number, k: number, d: number, pad: number, ceil: boolean): number {
  const frac = (n + 2 * pad - k) / d;
  let o = (ceil ? Math.ceil(frac) : Math.floor(frac)) + 1;
  if (ceil && (o - 1) * d >= n + pad) o--;
  return o;
}

/** Visits every window of every plane: f(plane, cells inside the input, divisor with padding). */
function windows(x: Tensor, w: Win, f: (vals: number[], poolSize: number) => number): { data: number[]; shape: number[] } {
  const [n, c, H, W] = x.shape as [number, number, number, number];
  const oH = outSize(H, w.kH, w.dH, w.padH, w.ceil);
  const oW = outSize(W, w.kW, w.dW, w.padW, w.ceil);
  const data: number[] = [];
  for (let p = 0; p < n * c; p++) {
    for (let i = 0; i < oH; i++) {
      for (let j = 0; j < oW; j++) {
        const hs = i * w.dH - w.padH;
        const ws = j * w.dW - w.padW;
        const poolSize = (Math.min(hs + w.kH, H + w.padH) - hs) * (Math.min(ws + w.kW, W + w.padW) - ws);
        const vals: number[] = [];
        for (let h = Math.max(hs, 0); h < Math.min(hs + w.kH, H); h++) {
          for (let q = Math.max(ws, 0); q < Math.min(ws + w.kW, W); q++) vals.push(x.data[p * H * W + h * W + q]!);
        }
        data.push(f(vals, poolSize));
      }
    }
  }
  return { data, shape: [n, c, oH, oW] };
}

const maxOracle = (x: Tensor, w: Win) => windows(x, w, (v) => Math.max(...v));
const avgOracle = (x: Tensor, w: Win, includePad = true) => windows(x, w, (v, size) => v.reduce((a, b) => a + b, 0) / (includePad ? size : v.length));
const lpOracle = (x: Tensor, w: Win, p: number) => windows(x, w, (v) => Math.pow(v.reduce((a, b) => a + Math.pow(Math.abs(b), p), 0), 1 / p));
/** The lecture's PROB, (1/β)·log Σ e^(β·x), straight from the formula in float64 (`mean`: the sum over the window size). */
const lseOracle = (x: Tensor, w: Win, beta: number, mean = false) => windows(x, w, (v) => Math.log(v.reduce((a, b) => a + Math.exp(beta * b), 0) / (mean ? v.length : 1)) / beta);
/** The same in float64 for large β·x, folded pairwise as log(e^a + e^b) = max(a, b) + log1p(e^(−|a − b|)). */
const lseOracleLarge = (x: Tensor, w: Win, beta: number) =>
  windows(x, w, (v) => v.map((b) => beta * b).reduce((a, b) => Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)))) / beta);

const shapeOf = (t: Tensor): number[] => [...t.shape];

// ---- output sizes -----------------------------------------------------------------------------

test('output sizes follow Torch7/PyTorch floor and ceil rules', (t) => {
  const size = (m: SpatialMaxPooling | SpatialAveragePooling, s: number[]): number[] => shapeOf(noGrad(() => m.forward(Tensor.zeros(s))));
  t.deepEqual(size(new SpatialMaxPooling(2, 2), [1, 1, 5, 5]), [1, 1, 2, 2]);
  t.deepEqual(size(new SpatialMaxPooling(2, 2).ceil(), [1, 1, 5, 5]), [1, 1, 3, 3]);
  t.deepEqual(size(new SpatialMaxPooling(3, 3, 2, 2, 1, 1), [1, 1, 8, 8]), [1, 1, 4, 4]);
  t.deepEqual(size(new SpatialMaxPooling(3, 3, 2, 2, 1, 1).ceil(), [1, 1, 8, 8]), [1, 1, 5, 5]);
  // ceil((5 + 2 - 2)/3) + 1 = 3, but the third window would start in the right padding (PyTorch gives 2).
  t.deepEqual(size(new SpatialMaxPooling(2, 2, 3, 3, 1, 1).ceil(), [1, 1, 5, 5]), [1, 1, 2, 2]);
  t.deepEqual(size(new SpatialAveragePooling(2, 2, 2, 2).ceil().floor(), [1, 1, 5, 5]), [1, 1, 2, 2]);
  t.deepEqual(size(new SpatialMaxPooling(2, 2), [6, 28, 28]), [6, 14, 14], 'one sample [C, H, W]');
});

// ---- forward against the oracles ---------------------------------------------------------------

for (const [name, w, shape] of configs) {
  test(`SpatialMaxPooling ${name}: forward and indices match the oracle`, (t) => {
    const x = Tensor.randn(shape, new Generator(1));
    const m = maxPool(w);
    const y = noGrad(() => m.forward(x));
    const want = maxOracle(x, w);
    t.deepEqual(shapeOf(y), want.shape);
    same(t, y.data, Float32Array.from(want.data), 'maxima');
    const [, , H, W] = shape as [number, number, number, number];
    const idx = m.indices!;
    t.deepEqual(shapeOf(idx), want.shape);
    const planeOut = want.shape[2]! * want.shape[3]!;
    for (let o = 0; o < idx.size; o++) {
      const k = idx.data[o]!;
      t.true(Number.isInteger(k) && k >= 0 && k < H * W, `index ${k} inside the plane`);
      if (x.data[Math.floor(o / planeOut) * H * W + k] !== y.data[o]) t.fail(`indices[${o}] = ${k} does not point at the maximum`);
    }
  });

  test(`SpatialAveragePooling ${name}: forward matches the oracle (count_include_pad and exclude)`, (t) => {
    const x = Tensor.randn(shape, new Generator(2));
    const y = noGrad(() => avgPool(w).forward(x));
    const want = avgOracle(x, w);
    t.deepEqual(shapeOf(y), want.shape);
    close(t, y.data, want.data, 1e-6, 'include pad');
    const ex = noGrad(() => avgPool(w).setCountExcludePad().forward(x));
    close(t, ex.data, avgOracle(x, w, false).data, 1e-6, 'exclude pad');
  });
}

// ---- every pooling module: gradcheck, backward = autograd, cpu/webasm parity, round trip -------

const lpInput = (): Tensor => Tensor.uniform([2, 2, 6, 6], new Generator(9), 0.2, 1.5);
testModules(test, CONV_POOLING_CASES);

test('SpatialAveragePooling count_include_pad: the padding counts in the divisor at the borders', (t) => {
  const x = Tensor.ones([1, 1, 4, 4]);
  const inc = noGrad(() => new SpatialAveragePooling(3, 3, 1, 1, 1, 1).forward(x));
  t.is(inc.data[0], Math.fround(4 / 9), 'a corner window holds 4 ones out of 9 cells');
  t.is(inc.data[5], 1, 'an interior window');
  const exc = noGrad(() => new SpatialAveragePooling(3, 3, 1, 1, 1, 1).setCountExcludePad().forward(x));
  t.true(exc.data.every((v) => v === 1), 'excluding the padding, a constant image stays constant');
});

test('SpatialMaxPooling gradient goes to the arg-max of each window and adds up where windows overlap', (t) => {
  const x = Tensor.from([1, 5, 2, 0, 0, 3, 0, 4, 9], [1, 1, 3, 3]);
  const m = new SpatialMaxPooling(2, 2, 1, 1);
  const y = m.forward(x);
  t.deepEqual(y.toArray(), [5, 5, 4, 9]);
  t.deepEqual(m.backward(x, Tensor.from([1, 2, 3, 4], [1, 1, 2, 2])).toArray(), [0, 3, 0, 0, 0, 0, 0, 3, 4]);
  const flat = new SpatialMaxPooling(2, 2);
  const ones = Tensor.ones([1, 1, 4, 4]);
  flat.forward(ones);
  t.deepEqual(flat.indices!.toArray(), [0, 2, 8, 10], 'ties go to the first maximum of the window, as in Torch7');
  t.deepEqual(flat.backward(ones, Tensor.ones([1, 1, 2, 2])).toArray(), [1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0]);
});

test('SpatialMaxPooling backward: the cpu-mode scatter and the webasm gather agree on LeNet shapes', (t) => {
  for (const shape of [[32, 6, 28, 28], [32, 16, 10, 10]]) {
    const x = Tensor.randn(shape, new Generator(4));
    const g = (s: readonly number[]) => Tensor.randn(s, new Generator(5));
    const run = (be: 'auto' | 'webasm') =>
      kernels.withBackend(be, () => {
        const m = new SpatialMaxPooling(2, 2);
        const y = m.forward(x);
        return m.backward(x, g(y.shape)).data;
      });
    same(t, run('auto'), run('webasm'), `${shape}`);
  }
});

// ---- Lp pooling --------------------------------------------------------------------------------

test('SpatialLPPooling matches the oracle for p = 1, 2, 3 and fractional p', (t) => {
  const x = Tensor.randn([2, 3, 7, 8], new Generator(6));
  for (const [p, w] of [[1, win(2, 2, 2, 2)], [2, win(3, 3, 2, 2)], [3, win(2, 3, 1, 2)], [1.5, win(2, 2, 2, 2)]] as const) {
    const y = noGrad(() => new SpatialLPPooling(3, p, w.kW, w.kH, w.dW, w.dH).forward(x));
    const want = lpOracle(x, w, p);
    t.deepEqual(shapeOf(y), want.shape);
    close(t, y.data, want.data, 1e-5, `p = ${p}`);
  }
});

test('SpatialLPPooling with p = 1 is average pooling times kW·kH on non-negative input', (t) => {
  const x = Tensor.uniform([2, 3, 8, 8], new Generator(7), 0, 1);
  const lp = noGrad(() => new SpatialLPPooling(3, 1, 2, 2, 2, 2).forward(x));
  const avg = noGrad(() => new SpatialAveragePooling(2, 2, 2, 2).forward(x));
  close(t, lp.data, avg.data.map((v) => v * 4), 1e-6, 'p = 1');
});

test('SpatialLPPooling with a large p approaches max pooling of |x|', (t) => {
  const x = Tensor.uniform([1, 2, 8, 8], new Generator(8), 0.1, 1);
  const max = noGrad(() => new SpatialMaxPooling(2, 2).forward(x));
  const lp = noGrad(() => new SpatialLPPooling(2, 64, 2, 2).forward(x));
  // (Σ of 4 values^p)^(1/p) lies in [max, 4^(1/p)·max]; 4^(1/64) ≈ 1.022.
  for (let i = 0; i < lp.size; i++) t.true(lp.data[i]! >= max.data[i]! * (1 - 1e-5) && lp.data[i]! <= max.data[i]! * 1.022);
  const lp2 = noGrad(() => new SpatialLPPooling(2, 2, 2, 2).forward(x));
  const gap = (y: Tensor) => y.data.reduce((s, v, i) => s + v - max.data[i]!, 0);
  t.true(gap(lp) < gap(lp2) / 10, 'p = 64 is much closer to the max than p = 2');
});

test('SpatialLPPooling: one sample, errors', (t) => {
  const x = lpInput();
  const one = noGrad(() => new SpatialLPPooling(2, 2, 2, 2).forward(x.narrow(0, 0, 1).reshape([2, 6, 6])));
  t.deepEqual(shapeOf(one), [2, 3, 3]);
  t.throws(() => new SpatialLPPooling(3, 2, 2, 2).forward(x), { instanceOf: ShapeError, message: /nn\.SpatialLPPooling: expected 3 input planes .* got \[2, 2, 6, 6\]/ });
  t.throws(() => new SpatialLPPooling(3, 0, 2, 2), { instanceOf: RangeError, message: /pnorm must be a positive finite number, got 0/ });
});

// ---- log-sum-exp pooling -----------------------------------------------------------------------

test("SpatialLogSumExpPooling is the lecture's PROB, (1/β)·log Σ e^(β·x): float64 oracle, sum and mean", (t) => {
  const x = Tensor.randn([2, 3, 8, 9], new Generator(11));
  for (const [beta, w] of [[1, win(2, 2, 2, 2)], [4, win(3, 3, 2, 2)], [0.5, win(3, 2, 1, 3)], [20, win(2, 3, 2, 1)]] as const) {
    const y = noGrad(() => new SpatialLogSumExpPooling(beta, w.kW, w.kH, w.dW, w.dH).forward(x));
    const want = lseOracle(x, w, beta);
    t.deepEqual(shapeOf(y), want.shape);
    close(t, y.data, want.data, 1e-5, `beta = ${beta}, sum`);
    const m = noGrad(() => new SpatialLogSumExpPooling(beta, w.kW, w.kH, w.dW, w.dH, { reduction: 'mean' }).forward(x));
    close(t, m.data, lseOracle(x, w, beta, true).data, 1e-5, `beta = ${beta}, mean`);
    close(t, y.data, Array.from(m.data, (v) => v + Math.log(w.kW * w.kH) / beta), 1e-5, `beta = ${beta}: sum = mean + log(kW·kH)/β`);
  }
  // Worked by hand: a window of zeros gives (1/β)·log(kW·kH) summed, 0 averaged.
  const zeros = Tensor.zeros([1, 1, 2, 2]);
  t.is(noGrad(() => new SpatialLogSumExpPooling(1, 2, 2).forward(zeros)).data[0], Math.fround(Math.log(4)));
  t.is(noGrad(() => new SpatialLogSumExpPooling(2, 2, 2).forward(zeros)).data[0], Math.fround(Math.log(4) / 2));
  t.is(noGrad(() => new SpatialLogSumExpPooling(2, 2, 2, 2, 2, { reduction: 'mean' }).forward(zeros)).data[0], 0);
  t.is(noGrad(() => new SpatialLogSumExpPooling(1, 1, 2).forward(Tensor.from([0, Math.log(3)], [1, 1, 2, 1]))).data[0], Math.fround(Math.log(4)), 'log(e^0 + e^log 3) = log 4');
});

test('SpatialLogSumExpPooling is stable for large β·x (the window maximum is subtracted)', (t) => {
  const x = Tensor.randn([2, 3, 8, 9], new Generator(11));
  const big = x.mul(100);
  for (const [beta, w] of [[50, win(2, 2, 2, 2)], [20, win(3, 3, 2, 2)]] as const) {
    const y = noGrad(() => new SpatialLogSumExpPooling(beta, w.kW, w.kH, w.dW, w.dH).forward(big));
    t.true(y.data.every(Number.isFinite), `β·x up to ~1e4 stays finite (β = ${beta})`);
    const want = lseOracleLarge(big, w, beta);
    t.true(want.data.every(Number.isFinite));
    close(t, y.data, want.data, 1e-4, `β = ${beta} against the float64 pairwise oracle`);
    const max = maxOracle(big, w).data;
    for (let i = 0; i < y.size; i++) t.true(y.data[i]! >= max[i]! - 1e-3 && y.data[i]! <= max[i]! + Math.log(w.kW * w.kH) / beta + 1e-3);
    const m = noGrad(() => new SpatialLogSumExpPooling(beta, w.kW, w.kH, w.dW, w.dH, { reduction: 'mean' }).forward(big));
    t.true(m.data.every(Number.isFinite), 'the mean variant too');
  }
  const g = Tensor.from([1e4, -1e4, 1e4, 0], [1, 1, 2, 2]).requiresGrad_();
  new SpatialLogSumExpPooling(10, 2, 2).forward(g).sum().backward();
  // y is stored in float32 (spacing 1e-3 near 1e4), so the weights e^(β(x − y)) carry a relative error of about β·5e-4.
  close(t, g.grad!.data, [0.5, 0, 0.5, 0], 1e-3, 'the gradient is the softmax, finite for e^(1e5)');
});

test("SpatialLogSumExpPooling's gradient is each window's softmax (it sums to 1 over a window), for sum and mean", (t) => {
  const x = Tensor.randn([1, 2, 6, 6], new Generator(14));
  for (const reduction of ['sum', 'mean'] as const) {
    const xi = x.detach().requiresGrad_();
    new SpatialLogSumExpPooling(1.5, 2, 2, 2, 2, { reduction }).forward(xi).sum().backward();
    const gx = windows(xi.grad!, win(2, 2, 2, 2), (v) => v.reduce((a, b) => a + b, 0));
    close(t, gx.data, new Array<number>(gx.data.length).fill(1), 1e-6, reduction);
    const soft = windows(x, win(2, 2, 2, 2), (v) => Math.exp(1.5 * v[0]!) / v.reduce((a, b) => a + Math.exp(1.5 * b), 0));
    const first = windows(xi.grad!, win(2, 2, 2, 2), (v) => v[0]!);
    close(t, first.data, soft.data, 1e-6, `${reduction}: the top-left cell's weight`);
  }
});

test('SpatialLogSumExpPooling: PROB tends to max pooling for large β and to log(kW·kH)/β + average for small β; the mean variant to the average', (t) => {
  const x = Tensor.randn([2, 2, 8, 8], new Generator(12));
  const max = noGrad(() => new SpatialMaxPooling(2, 2).forward(x));
  const avg = noGrad(() => new SpatialAveragePooling(2, 2, 2, 2).forward(x));
  const hot = noGrad(() => new SpatialLogSumExpPooling(1000, 2, 2).forward(x));
  const cold = noGrad(() => new SpatialLogSumExpPooling(1e-3, 2, 2).forward(x));
  const hotMean = noGrad(() => new SpatialLogSumExpPooling(1000, 2, 2, 2, 2, { reduction: 'mean' }).forward(x));
  const coldMean = noGrad(() => new SpatialLogSumExpPooling(1e-3, 2, 2, 2, 2, { reduction: 'mean' }).forward(x));
  for (let i = 0; i < max.size; i++) {
    const hi = hot.data[i]! - max.data[i]!;
    t.true(hi >= -1e-5 && hi <= Math.log(4) / 1000 + 1e-5, `β = 1000: ${hot.data[i]} vs max ${max.data[i]}`);
    t.true(Math.abs(cold.data[i]! - Math.log(4) / 1e-3 - avg.data[i]!) < 5e-3, `β = 0.001: ${cold.data[i]} vs log(4)/β + mean ${avg.data[i]}`);
    t.true(Math.abs(hotMean.data[i]! - max.data[i]!) <= Math.log(4) / 1000 + 1e-5, `mean, β = 1000: ${hotMean.data[i]} vs max ${max.data[i]}`);
    t.true(Math.abs(coldMean.data[i]! - avg.data[i]!) < 5e-3, `mean, β = 0.001: ${coldMean.data[i]} vs mean ${avg.data[i]}`);
    t.true(coldMean.data[i]! >= avg.data[i]! - 1e-5 && hotMean.data[i]! <= max.data[i]! + 1e-5, 'the mean variant lies between the average and the max');
  }
});

test('SpatialLogSumExpPooling: errors', (t) => {
  t.throws(() => new SpatialLogSumExpPooling(0, 2, 2), { instanceOf: RangeError, message: /beta must be a positive finite number, got 0/ });
  t.throws(() => new SpatialLogSumExpPooling(1, 2, 2, 2, 2, { reduction: 'max' as never }), { instanceOf: RangeError, message: /reduction must be 'sum' or 'mean', got "max"/ });
});

// ---- modules: descriptions, save/load, errors --------------------------------------------------

test('toString describes the window as Torch7 does', (t) => {
  t.is(new SpatialMaxPooling(2, 2).toString(), 'nn.SpatialMaxPooling(2x2, 2,2)');
  t.is(new SpatialMaxPooling(3, 3, 2, 2, 1, 1).toString(), 'nn.SpatialMaxPooling(3x3, 2,2, 1,1)');
  t.is(new SpatialAveragePooling(2, 2, 2, 2).toString(), 'nn.SpatialAveragePooling(2x2, 2,2)');
  t.is(new SpatialAveragePooling(3, 3).toString(), 'nn.SpatialAveragePooling(3x3, 1,1)');
  t.is(new SpatialLPPooling(16, 2, 2, 2).toString(), 'nn.SpatialLPPooling(16, 2, 2x2, 2,2)');
  t.is(new SpatialLogSumExpPooling(10, 2, 2).toString(), 'nn.SpatialLogSumExpPooling(10, 2x2, 2,2)');
  t.is(new SpatialLogSumExpPooling(10, 2, 2, 1, 1, { reduction: 'mean' }).toString(), 'nn.SpatialLogSumExpPooling(10, 2x2, 1,1, mean)');
});

test('pooling modules have no parameters and round-trip through saveModule/loadModule', (t) => {
  const make = () => new Sequential(new SpatialMaxPooling(2, 2), new SpatialAveragePooling(2, 2, 1, 1), new SpatialLPPooling(3, 2, 2, 2, 1, 1), new SpatialLogSumExpPooling(2, 1, 1), new SpatialLogSumExpPooling(2, 2, 2, 1, 1, { reduction: 'mean' }));
  const net = make();
  t.is(net.parameters().length, 0);
  t.is(net.stateDict().size, 0);
  checkRoundTrip(t, net, make(), Tensor.randn([2, 3, 12, 12], new Generator(15)));
});

test('pooling errors name the module, the expected and the actual shape', (t) => {
  t.throws(() => new SpatialMaxPooling(2, 2).forward(Tensor.zeros([4, 4])), { instanceOf: ShapeError, message: 'nn.SpatialMaxPooling: expected input [N, C, H, W] or [C, H, W], got [4, 4]' });
  t.throws(() => new SpatialAveragePooling(5, 5).forward(Tensor.zeros([1, 1, 4, 8])), {
    instanceOf: ShapeError,
    message: 'nn.SpatialAveragePooling: input [1, 1, 4, 8] with padding 0,0 is smaller than the 5x5 window',
  });
  t.throws(() => new SpatialMaxPooling(2, 2, 2, 2, 2, 0), { instanceOf: RangeError, message: /SpatialMaxPooling: padW must be an integer in \[0, 1\] \(at most half the window\), got 2/ });
  t.throws(() => new SpatialMaxPooling(0, 2), { instanceOf: RangeError, message: /kW must be a positive integer, got 0/ });
});
