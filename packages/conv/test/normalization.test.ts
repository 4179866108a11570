import test from 'ava';
import { Generator, manualSeed, noGrad, Sequential, ShapeError, Tensor } from '@eole/core';
import { checkRoundTrip, close, firstDifference, same, testModules } from '@eole/core/testing';
import {
  gaussianKernel,
  SpatialBatchNormalization,
  SpatialContrastiveNormalization,
  SpatialDivisiveNormalization,
  SpatialDropout,
  SpatialSubtractiveNormalization,
} from '@eole/conv';
import { CONV_LOCAL_NORMALIZATION_CASES, CONV_BATCH_NORMALIZATION_CASES, CONV_DROPOUT_CASES } from '@eole/conv/testing';

const shapeOf = (t: Tensor): number[] => [...t.shape];

// ---- plain-JS oracles -------------------------------------------------------------------------

/** Torch7 `image.gaussian(size, sigma)` (1-based loops, centre 0.5·size + 0.5), then normalised. */
function torchGaussian(size: number, sigma = 0.25): number[] {
  const c = 0.5 * size + 0.5;
  const g: number[] = [];
  for (let y = 1; y <= size; y++) {
    for (let x = 1; x <= size; x++) g.push(Math.exp(-(((x - c) / (sigma * size)) ** 2 / 2 + ((y - c) / (sigma * size)) ** 2 / 2)));
  }
  const s = g.reduce((a, b) => a + b, 0);
  return g.map((v) => v / s);
}

/**
 * Torch7's local normalizations written out: Kn = k/(Σk·nPlane); local sums over all planes of the
 * zero-padded input; coef = the same on ones; subtractive x − sums/coef; divisive x / thr(√sums²/coef).
 */
function torchLocalNorm(x: Tensor, kernel: number[], kH: number, kW: number, mode: 'sub' | 'div', th = 1e-4, thv = th): number[] {
  const [N, C, H, W] = x.shape.length === 4 ? (x.shape as number[]) : [1, ...x.shape];
  const total = kernel.reduce((a, b) => a + b, 0) * C!;
  const at = (n: number, c: number, h: number, w: number, sq: boolean): number => {
    if (h < 0 || h >= H! || w < 0 || w >= W!) return 0;
    const v = x.data[((n * C! + c) * H! + h) * W! + w]!;
    return sq ? v * v : v;
  };
  const local = (n: number, h: number, w: number, f: (c: number, hh: number, ww: number) => number): number => {
    let s = 0;
    for (let c = 0; c < C!; c++) for (let a = 0; a < kH; a++) for (let b = 0; b < kW; b++) s += (kernel[a * kW + b]! / total) * f(c, h + a - (kH - 1) / 2, w + b - (kW - 1) / 2);
    return s;
  };
  const out: number[] = [];
  for (let n = 0; n < N!; n++) {
    for (let c = 0; c < C!; c++) {
      for (let h = 0; h < H!; h++) {
        for (let w = 0; w < W!; w++) {
          const coef = local(n, h, w, (_c, hh, ww) => (hh >= 0 && hh < H! && ww >= 0 && ww < W! ? 1 : 0));
          const v = at(n, c, h, w, false);
          if (mode === 'sub') {
            out.push(v - local(n, h, w, (cc, hh, ww) => at(n, cc, hh, ww, false)) / coef);
          } else {
            const std = Math.sqrt(local(n, h, w, (cc, hh, ww) => at(n, cc, hh, ww, true))) / coef;
            out.push(v / (std > th ? std : thv));
          }
        }
      }
    }
  }
  return out;
}

// ---- gaussianKernel ------------------------------------------------------------------------

test('gaussianKernel follows Torch7 image.gaussian and sums to 1', (t) => {
  for (const [size, sigma] of [[9, 0.25], [5, 0.25], [7, 0.5], [4, 0.3]] as const) {
    const k = gaussianKernel(size, sigma);
    t.deepEqual(shapeOf(k), [size, size]);
    close(t, k.data, torchGaussian(size, sigma), 1e-6, `size ${size}, sigma ${sigma}`);
    t.true(Math.abs(k.data.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  }
  const k9 = gaussianKernel(9);
  t.is(Math.max(...k9.data), k9.data[4 * 9 + 4], 'peak at the centre');
  t.is(k9.data[0], k9.data[80], 'symmetric');
  t.throws(() => gaussianKernel(0), { instanceOf: RangeError, message: /size must be a positive integer, got 0/ });
});

// ---- local normalizations -----------------------------------------------------------------------

/** [description, nInputPlane, kernel (undefined: Torch7 default), kernel as the oracle sees it, input shape]. */
const normConfigs: [string, number, Tensor | undefined, { k: number[]; kH: number; kW: number }, number[]][] = [
  ['default ones(9,9) kernel, one plane', 1, undefined, { k: new Array(81).fill(1), kH: 9, kW: 9 }, [2, 1, 12, 13]],
  ['gaussian 5x5, three planes', 3, gaussianKernel(5), { k: torchGaussian(5), kH: 5, kW: 5 }, [2, 3, 10, 11]],
  ['asymmetric 3x5 kernel, two planes, one sample', 2, Tensor.from([1, 2, 3, 4, 5, 2, 1, 0.5, 3, 1, 0, 1, 2, 1, 4], [3, 5]), { k: [1, 2, 3, 4, 5, 2, 1, 0.5, 3, 1, 0, 1, 2, 1, 4], kH: 3, kW: 5 }, [2, 6, 8]],
  ['1-D kernel [1, 2, 1] (separable)', 2, Tensor.from([1, 2, 1]), { k: [1, 2, 1, 2, 4, 2, 1, 2, 1], kH: 3, kW: 3 }, [1, 2, 5, 6]],
];

for (const [name, nPlane, kernel, o, shape] of normConfigs) {
  test(`local normalizations, ${name}: forward matches Torch7 written out`, (t) => {
    const x = Tensor.randn(shape, new Generator(5)).mul(2).add(1);
    const sub = noGrad(() => new SpatialSubtractiveNormalization(nPlane, kernel).forward(x));
    t.deepEqual(shapeOf(sub), shape);
    close(t, sub.data, torchLocalNorm(x, o.k, o.kH, o.kW, 'sub'), 1e-5, 'subtractive');
    const div = noGrad(() => new SpatialDivisiveNormalization(nPlane, kernel).forward(x));
    close(t, div.data, torchLocalNorm(x, o.k, o.kH, o.kW, 'div'), 1e-5, 'divisive');
    const lcn = noGrad(() => new SpatialContrastiveNormalization(nPlane, kernel).forward(x));
    const centred = Tensor.from(torchLocalNorm(x, o.k, o.kH, o.kW, 'sub'), shape);
    close(t, lcn.data, torchLocalNorm(centred, o.k, o.kH, o.kW, 'div'), 1e-5, 'contrastive = divisive after subtractive');
  });
}

// ---- every normalization module: gradcheck, backward = autograd, cpu/webasm parity, round trip ---

testModules(test, CONV_LOCAL_NORMALIZATION_CASES);

test('contrastive normalization gives about zero local mean and unit local std inside a random image', (t) => {
  const [C, H, W] = [3, 40, 40];
  const rng = new Generator(8);
  const x = Tensor.zeros([1, C, H, W]);
  // Offset 5, a ramp, and noise whose amplitude grows from 1 to 4 down the image.
  for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) x.data[(c * H + h) * W + w] = 5 + 0.05 * (h + w) + (1 + (3 * h) / H) * rng.normal();
  const k = gaussianKernel(9);
  const y = noGrad(() => new SpatialContrastiveNormalization(C, k).forward(x));
  /** Gaussian-weighted mean over all planes of f(v) around (h, w). */
  const local = (img: Tensor, h: number, w: number, f: (v: number) => number): number => {
    let s = 0;
    for (let c = 0; c < C; c++) for (let a = 0; a < 9; a++) for (let b = 0; b < 9; b++) s += (k.data[a * 9 + b]! / C) * f(img.data[(c * H + h + a - 4) * W + w + b - 4]!);
    return s;
  };
  let worstMean = 0;
  let worstStd = 0;
  for (let h = 10; h < 30; h++) {
    for (let w = 10; w < 30; w++) {
      const m = local(y, h, w, (v) => v);
      const sd = Math.sqrt(local(y, h, w, (v) => v * v) - m * m);
      worstMean = Math.max(worstMean, Math.abs(m));
      worstStd = Math.max(worstStd, Math.abs(sd - 1));
      if (Math.abs(m) > 0.15 || Math.abs(sd - 1) > 0.15) t.fail(`at (${h}, ${w}): local mean ${m}, local std ${sd}`);
    }
  }
  t.log(`worst |local mean| ${worstMean.toFixed(3)}, worst |local std − 1| ${worstStd.toFixed(3)}`);
  const inMean = local(x, 20, 20, (v) => v);
  t.true(inMean > 6, `the input's local mean is far from 0 (${inMean})`);
});

test('subtractive normalization of a constant image is 0 everywhere, borders included (coef)', (t) => {
  const y = noGrad(() => new SpatialSubtractiveNormalization(2, gaussianKernel(7)).forward(Tensor.full([1, 2, 9, 10], 3)));
  t.true(y.data.every((v) => Math.abs(v) < 1e-5), `max |y| ${Math.max(...y.data.map(Math.abs))}`);
});

test('divisive normalization: the threshold keeps flat regions from blowing up', (t) => {
  const x = Tensor.zeros([1, 1, 12, 12]);
  x.data[0] = 1e-6;
  const y = noGrad(() => new SpatialDivisiveNormalization(1, gaussianKernel(5), 0.01, 0.5).forward(x));
  t.is(y.data[0], Math.fround(1e-6 / 0.5), 'divided by thresval where the local std is below the threshold');
  const m = new SpatialDivisiveNormalization(1, gaussianKernel(5));
  const gi = m.backward(x, m.forward(x).mul(0).add(1));
  t.true(gi.data.every(Number.isFinite), 'the gradient stays finite on an (almost) all-zero image');
  t.throws(() => new SpatialDivisiveNormalization(1, undefined, -1), { instanceOf: RangeError, message: /threshold must be a finite number >= 0, got -1/ });
});

test('the normalization kernel is a buffer, not a parameter, and round-trips with saveModule/loadModule', (t) => {
  const lcn = new SpatialContrastiveNormalization(2, gaussianKernel(5));
  t.is(lcn.parameters().length, 0);
  t.deepEqual([...lcn.stateDict().keys()], ['subtractive.kernel', 'divisive.kernel']);
  close(t, lcn.kernel.data, torchGaussian(5), 1e-6, 'kernel normalised to sum 1');
  const x = Tensor.randn([2, 2, 9, 9], new Generator(9));
  const fresh = new SpatialContrastiveNormalization(2, Tensor.ones([5, 5]));
  noGrad(() => fresh.forward(x)); // caches border coefficients for the old kernel
  checkRoundTrip(t, lcn, fresh, x);
  const sub = new SpatialSubtractiveNormalization(1, gaussianKernel(3));
  checkRoundTrip(t, sub, new SpatialSubtractiveNormalization(1, Tensor.ones([3, 3])), Tensor.randn([1, 1, 6, 6], new Generator(10)));
});

test('local normalizations: descriptions and errors naming shapes', (t) => {
  t.is(new SpatialSubtractiveNormalization().toString(), 'nn.SpatialSubtractiveNormalization(1, 9x9)');
  t.is(new SpatialDivisiveNormalization(3, gaussianKernel(7)).toString(), 'nn.SpatialDivisiveNormalization(3, 7x7, 0.0001)');
  t.is(new SpatialContrastiveNormalization(1, Tensor.ones([3, 5]), 0.01).toString(), 'nn.SpatialContrastiveNormalization(1, 5x3, 0.01)');
  t.throws(() => new SpatialSubtractiveNormalization(3).forward(Tensor.zeros([2, 2, 9, 9])), {
    instanceOf: ShapeError,
    message: 'nn.SpatialSubtractiveNormalization: expected 3 input planes ([N, 3, H, W] or [3, H, W]), got [2, 2, 9, 9]',
  });
  t.throws(() => new SpatialDivisiveNormalization(1).forward(Tensor.zeros([9, 9])), { instanceOf: ShapeError, message: /expected input \[N, C, H, W\] or \[C, H, W\], got \[9, 9\]/ });
  t.throws(() => new SpatialSubtractiveNormalization(1, Tensor.ones([4, 4])), { instanceOf: ShapeError, message: /odd sizes, got \[4, 4\]/ });
});

// ---- batch normalization ------------------------------------------------------------------------

/** Per-channel batch mean and biased variance over N, H, W. */
function channelStats(x: Tensor): { mean: number[]; variance: number[] } {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const mean: number[] = [];
  const variance: number[] = [];
  for (let c = 0; c < C; c++) {
    const v: number[] = [];
    for (let n = 0; n < N; n++) for (let i = 0; i < H * W; i++) v.push(x.data[(n * C + c) * H * W + i]!);
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    mean.push(m);
    variance.push(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
  }
  return { mean, variance };
}

function bnOracle(x: Tensor, mean: number[], variance: number[], w: ArrayLike<number>, b: ArrayLike<number>, eps: number): number[] {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const out: number[] = [];
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let i = 0; i < H * W; i++) out.push(((x.data[(n * C + c) * H * W + i]! - mean[c]!) / Math.sqrt(variance[c]! + eps)) * w[c]! + b[c]!);
  return out;
}

test('SpatialBatchNormalization in training: batch statistics, running statistics as PyTorch', (t) => {
  const bn = new SpatialBatchNormalization(3, 1e-5, 0.2);
  bn.weight!.data.set([1.5, -0.5, 2]);
  bn.bias!.data.set([0.1, 0.2, -0.3]);
  const rm = [0, 0, 0];
  const rv = [1, 1, 1];
  for (const seed of [11, 12]) {
    const x = Tensor.randn([4, 3, 5, 6], new Generator(seed)).mul(3).add(2);
    const y = noGrad(() => bn.forward(x));
    const { mean, variance } = channelStats(x);
    close(t, y.data, bnOracle(x, mean, variance, bn.weight!.data, bn.bias!.data, 1e-5), 1e-5, 'normalised with batch statistics');
    const M = 4 * 5 * 6;
    for (let c = 0; c < 3; c++) {
      rm[c] = 0.8 * rm[c]! + 0.2 * mean[c]!;
      rv[c] = 0.8 * rv[c]! + (0.2 * variance[c]! * M) / (M - 1);
    }
    close(t, bn.runningMean.data, rm, 1e-5, 'running_mean');
    close(t, bn.runningVar.data, rv, 1e-5, 'running_var uses the unbiased variance');
  }
  const plain = noGrad(() => new SpatialBatchNormalization(3).forward(Tensor.randn([8, 3, 4, 4], new Generator(13)).mul(5).add(-1)));
  const s = channelStats(plain);
  s.mean.forEach((m) => t.true(Math.abs(m) < 1e-5));
  s.variance.forEach((v) => t.true(Math.abs(v - 1) < 1e-3));
});

test('SpatialBatchNormalization in evaluate mode uses the running statistics and leaves them alone', (t) => {
  const bn = new SpatialBatchNormalization(2);
  for (const seed of [14, 15, 16]) noGrad(() => bn.forward(Tensor.randn([6, 2, 3, 3], new Generator(seed)).mul(2).add(4)));
  const rm = Array.from(bn.runningMean.data);
  const rv = Array.from(bn.runningVar.data);
  bn.evaluate();
  const x = Tensor.randn([3, 2, 3, 3], new Generator(17));
  const y = noGrad(() => bn.forward(x));
  close(t, y.data, bnOracle(x, rm, rv, [1, 1], [0, 0], 1e-5), 1e-5, 'normalised with running statistics');
  t.deepEqual(Array.from(bn.runningMean.data), rm, 'running_mean unchanged');
  t.deepEqual(Array.from(bn.runningVar.data), rv, 'running_var unchanged');
  const one = noGrad(() => bn.forward(x.narrow(0, 0, 1).reshape([2, 3, 3])));
  same(t, one.data, y.data.subarray(0, 18), 'one sample [C, H, W] in evaluate mode');
  bn.train();
  t.true(firstDifference(noGrad(() => bn.forward(x)).data, y.data) >= 0, 'training mode uses batch statistics again');
});

// ---- batch normalization as rows: training mode, evaluate mode (running statistics), affine = false

testModules(test, CONV_BATCH_NORMALIZATION_CASES);

test('SpatialBatchNormalization with affine = false has no parameters, only running statistics', (t) => {
  const plain = new SpatialBatchNormalization(2, 1e-5, 0.1, false);
  t.is(plain.parameters().length, 0);
  t.deepEqual([...plain.stateDict().keys()], ['running_mean', 'running_var']);
});

test('SpatialBatchNormalization: state dict with running statistics round-trips through saveModule/loadModule', (t) => {
  const trained = new Sequential(new SpatialBatchNormalization(3), new SpatialDropout(0.5, { rng: new Generator(1) }), new SpatialBatchNormalization(3, 1e-3, 0.3, false));
  for (const seed of [20, 21]) noGrad(() => trained.forward(Tensor.randn([4, 3, 5, 5], new Generator(seed)).add(seed)));
  (trained.get(0) as SpatialBatchNormalization).weight!.data.set([0.5, 1.5, 2]);
  t.deepEqual([...trained.stateDict().keys()], ['0.weight', '0.bias', '0.running_mean', '0.running_var', '2.running_mean', '2.running_var']);
  const fresh = new Sequential(new SpatialBatchNormalization(3), new SpatialDropout(0.5), new SpatialBatchNormalization(3, 1e-3, 0.3, false));
  checkRoundTrip(t, trained, fresh, Tensor.randn([2, 3, 5, 5], new Generator(22)));
  t.notDeepEqual(Array.from((fresh.get(0) as SpatialBatchNormalization).runningMean.data), [0, 0, 0], 'running_mean restored (not the initial zeros)');
});

test('SpatialBatchNormalization: description and errors', (t) => {
  t.is(new SpatialBatchNormalization(16).toString(), 'nn.SpatialBatchNormalization (4D) (16)');
  t.throws(() => new SpatialBatchNormalization(3).forward(Tensor.zeros([2, 4, 5, 5])), { instanceOf: ShapeError, message: 'nn.SpatialBatchNormalization: expected input [N, 3, H, W], got [2, 4, 5, 5]' });
  t.throws(() => new SpatialBatchNormalization(3).forward(Tensor.zeros([1, 3, 1, 1])), { instanceOf: ShapeError, message: /expected more than 1 value per channel in training, got input \[1, 3, 1, 1\]/ });
  t.throws(() => new SpatialBatchNormalization(3).forward(Tensor.zeros([3, 5])), { instanceOf: ShapeError, message: /got \[3, 5\]/ });
});

// ---- spatial dropout ----------------------------------------------------------------------------

test('SpatialDropout drops whole feature maps and scales the kept ones by 1/(1 − p)', (t) => {
  const d = new SpatialDropout(0.3, { rng: new Generator(23) });
  const x = Tensor.uniform([50, 40, 3, 4], new Generator(24), 0.5, 1);
  const y = d.forward(x);
  t.deepEqual(shapeOf(d.noise!), [50, 40, 1, 1]);
  let kept = 0;
  for (let m = 0; m < 2000; m++) {
    const ys = y.data.subarray(m * 12, (m + 1) * 12);
    const xs = x.data.subarray(m * 12, (m + 1) * 12);
    if (ys.every((v) => v === 0)) continue;
    kept++;
    ys.forEach((v, i) => {
      if (Math.abs(v - xs[i]! / 0.7) > 1e-6) t.fail(`map ${m} is neither dropped nor scaled by 1/(1 − p)`);
    });
  }
  t.true(Math.abs(kept / 2000 - 0.7) < 0.04, `kept fraction ${kept / 2000}`);
  const gi = d.backward(x, Tensor.ones(y.shape));
  close(t, gi.data, Array.from(y.data).map((v, i) => v / x.data[i]!), 1e-6, 'the gradient flows through kept maps only, scaled');
});

test('SpatialDropout: seeded masks, the default generator, evaluate mode, one sample', (t) => {
  const x = Tensor.randn([4, 8, 5, 5], new Generator(25));
  const mask = (seed: number): number[] => Array.from(noGrad(() => new SpatialDropout(0.5, { rng: new Generator(seed) }).forward(x)).data);
  same(t, mask(7), mask(7), 'same seed, same mask');
  t.true(firstDifference(mask(7), mask(8)) >= 0, 'another seed, another mask');
  manualSeed(3);
  const a = Array.from(noGrad(() => new SpatialDropout().forward(x)).data);
  manualSeed(3);
  const b = Array.from(noGrad(() => new SpatialDropout().forward(x)).data);
  same(t, a, b, 'the default generator is seeded by manualSeed');
  const d = new SpatialDropout(0.9).evaluate();
  t.is(d.forward(x).data, x.data, 'identity in evaluate mode');
  same(t, d.backward(x, Tensor.ones(x.shape)).data, new Array<number>(x.size).fill(1), 'gradient passes through unchanged');
  const one = noGrad(() => new SpatialDropout(0.5, { rng: new Generator(26) }).forward(x.narrow(0, 0, 1).reshape([8, 5, 5])));
  t.deepEqual(shapeOf(one), [8, 5, 5]);
  const r = new SpatialDropout(0.4, { rng: new Generator(5) });
  r.forward(x);
  t.true(r.backward(x, Tensor.randn(x.shape, new Generator(99))).data.some((v) => v === 0), 'some maps dropped');
  t.is(new SpatialDropout(0.25).toString(), 'nn.SpatialDropout(0.25)');
  t.throws(() => new SpatialDropout(-0.1), { instanceOf: RangeError, message: /p must be a probability in \[0, 1\], got -0\.1/ });
  t.throws(() => new SpatialDropout().forward(Tensor.zeros([3, 4])), { instanceOf: ShapeError, message: 'nn.SpatialDropout: expected input [N, C, H, W] or [C, H, W], got [3, 4]' });
});

testModules(test, CONV_DROPOUT_CASES);
