import test from 'ava';
import { Generator, Linear, LogSoftMax, ReLU, Sequential, Tanh, Tensor } from '@eole/core';
import { classEntropy, classHistogram, frechetDistance, gaussianBlur, gaussianStats, GeneratorScorer, symmetricEigen, type GaussianStats } from '@eole/gan';

const stats1d = (mean: number, variance: number): GaussianStats => ({ mean: Float64Array.of(mean), cov: Float64Array.of(variance) });

function diagonal(values: readonly number[]): Float64Array {
  const d = values.length;
  const m = new Float64Array(d * d);
  values.forEach((v, i) => (m[i * d + i] = v));
  return m;
}

function matmul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) out[i * n + j] += a[i * n + k]! * b[k * n + j]!;
  return out;
}

/** A random symmetric positive-definite d×d matrix: G·Gᵀ/d + εI. */
function randomSpd(d: number, rng: Generator, eps = 0.1): Float64Array {
  const g = Float64Array.from(Tensor.randn([d, d], rng).data);
  const gt = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) gt[j * d + i] = g[i * d + j]!;
  const m = matmul(g, gt, d).map((v) => v / d);
  for (let i = 0; i < d; i++) m[i * d + i] += eps;
  return m;
}

/**
 * The oracle: the principal square root by the coupled Newton–Schulz iteration (Higham,
 * "Functions of Matrices", 2008, §6.7), independent of the Jacobi code: for A scaled to ‖A‖_F = 1,
 * Y ← ½·Y·(3I − Z·Y), Z ← ½·(3I − Z·Y)·Z from Y = A, Z = I converge to A^½ and A^-½. Works for any A
 * with positive real eigenvalues (here Σa·Σb, similar to Σa^½ Σb Σa^½), so Tr((Σa Σb)^½) is the FID trace.
 */
function newtonSchulzSqrt(a: Float64Array, n: number): Float64Array {
  let norm = 0;
  for (const v of a) norm += v * v;
  norm = Math.sqrt(norm);
  let y = a.map((v) => v / norm);
  let z = diagonal(new Array<number>(n).fill(1));
  for (let it = 0; it < 100; it++) {
    const t = matmul(z, y, n).map((v) => -v);
    for (let i = 0; i < n; i++) t[i * n + i] += 3;
    y = matmul(y, t, n).map((v) => v / 2);
    z = matmul(t, z, n).map((v) => v / 2);
  }
  return y.map((v) => v * Math.sqrt(norm));
}

function trace(m: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += m[i * n + i]!;
  return s;
}

const close = (actual: number, expected: number, tol: number): boolean => Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected));

test('frechetDistance in 1-D is the closed form (μ1 − μ2)² + (σ1 − σ2)²', (t) => {
  for (const [m1, v1, m2, v2] of [[0, 1, 3, 4], [1.5, 0.25, -2, 9], [0, 2, 0, 2], [4, 0, 1, 1]] as const) {
    const expected = (m1 - m2) ** 2 + (Math.sqrt(v1) - Math.sqrt(v2)) ** 2;
    t.true(close(frechetDistance(stats1d(m1, v1), stats1d(m2, v2)), expected, 1e-12), `N(${m1}, ${v1}) vs N(${m2}, ${v2})`);
  }
});

test('frechetDistance with diagonal covariances is Σ (μ1 − μ2)² + Σ (σ1 − σ2)² per axis', (t) => {
  const va = [1, 4, 0.5, 2, 9];
  const vb = [2, 1, 0.5, 8, 0.1];
  const ma = Float64Array.from([0, 1, 2, 3, 4]);
  const mb = Float64Array.from([1, 1, 0, 3, -1]);
  let expected = 0;
  for (let i = 0; i < 5; i++) expected += (ma[i]! - mb[i]!) ** 2 + (Math.sqrt(va[i]!) - Math.sqrt(vb[i]!)) ** 2;
  t.true(close(frechetDistance({ mean: ma, cov: diagonal(va) }, { mean: mb, cov: diagonal(vb) }), expected, 1e-12));
});

test('frechetDistance with full covariances matches Tr((Σa Σb)^½) by Newton–Schulz, is symmetric, and is 0 for a set against itself', (t) => {
  const rng = new Generator(7);
  for (const d of [3, 12, 40]) {
    const a = { mean: Float64Array.from(Tensor.randn([d], rng).data), cov: randomSpd(d, rng) };
    const b = { mean: Float64Array.from(Tensor.randn([d], rng).data), cov: randomSpd(d, rng, 0.5) };
    let meanTerm = 0;
    for (let i = 0; i < d; i++) meanTerm += (a.mean[i]! - b.mean[i]!) ** 2;
    const oracle = meanTerm + trace(a.cov, d) + trace(b.cov, d) - 2 * trace(newtonSchulzSqrt(matmul(a.cov, b.cov, d), d), d);
    const fid = frechetDistance(a, b);
    t.true(close(fid, oracle, 1e-9), `d = ${d}: ${fid} against the oracle ${oracle}`);
    t.true(close(frechetDistance(b, a), fid, 1e-9), `d = ${d}: symmetric`);
    t.true(frechetDistance(a, a) < 1e-6, `d = ${d}: FID(a, a) = ${frechetDistance(a, a)}`);
  }
});

test('frechetDistance of sample statistics: FID(X, X) = 0, rank-deficient covariances included', (t) => {
  const rng = new Generator(3);
  const n = 50;
  const d = 84;
  const x = Tensor.randn([n, d], rng).data.map((v, i) => (i % d < 20 ? 0 : Math.max(v, 0)));
  const s = gaussianStats(x, n, d);
  t.true(frechetDistance(s, s) < 1e-6, `${frechetDistance(s, s)}`);
});

test('gaussianStats: float64 mean and unbiased covariance', (t) => {
  const s = gaussianStats(Float32Array.from([0, 0, 2, 4]), 2, 2);
  t.deepEqual([...s.mean], [1, 2]);
  t.deepEqual([...s.cov], [2, 4, 4, 8]);
  const x = Float64Array.from([1, 2, 3, 4, 5, 6]);
  const one = gaussianStats(x, 6, 1);
  t.is(one.mean[0], 3.5);
  t.true(close(one.cov[0]!, 3.5, 1e-15), 'unbiased variance of 1..6 is 3.5');
});

test('symmetricEigen: V·diag(λ)·Vᵀ rebuilds the matrix and V is orthonormal', (t) => {
  const rng = new Generator(11);
  const d = 20;
  const a = randomSpd(d, rng);
  a[3] = -2;
  a[3 * d] = -2;
  const { values, vectors } = symmetricEigen(a, d);
  let worst = 0;
  let orth = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let r = 0;
      let o = 0;
      for (let k = 0; k < d; k++) {
        r += vectors[i * d + k]! * values[k]! * vectors[j * d + k]!;
        o += vectors[k * d + i]! * vectors[k * d + j]!;
      }
      worst = Math.max(worst, Math.abs(r - a[i * d + j]!));
      orth = Math.max(orth, Math.abs(o - (i === j ? 1 : 0)));
    }
  }
  t.true(worst < 1e-12 && orth < 1e-12, `reconstruction ${worst}, orthogonality ${orth}`);
});

test('classEntropy: log2 10 bits for a uniform histogram over 10 classes, 0 for one class', (t) => {
  t.true(close(classEntropy(new Array<number>(10).fill(7)), Math.log2(10), 1e-15));
  t.is(classEntropy([0, 0, 0, 12, 0, 0, 0, 0, 0, 0]), 0);
  t.true(close(classEntropy([1, 1]), 1, 1e-15));
  t.deepEqual(classHistogram([0, 1, 1, 3], 4), [1, 2, 0, 1]);
});

test('bad arguments get errors that name the argument and what was expected', (t) => {
  t.throws(() => frechetDistance(stats1d(0, 1), { mean: Float64Array.of(0, 0), cov: diagonal([1, 1]) }), { message: /same dimension, got a of 1 and b of 2/ });
  t.throws(() => frechetDistance({ mean: Float64Array.of(0, 0), cov: Float64Array.of(1) }, stats1d(0, 1)), { message: /a\.cov must hold d·d = 4 values for a mean of 2, got 1/ });
  t.throws(() => frechetDistance({ mean: [0], cov: [1] } as unknown as GaussianStats, stats1d(0, 1)), { message: /a must be \{ mean: Float64Array/ });
  t.throws(() => gaussianStats(new Float32Array(5), 2, 3), { message: /features must hold n·d = 2·3 = 6 values/ });
  t.throws(() => gaussianStats(new Float32Array(3), 1, 3), { message: /n must be an integer ≥ 2/ });
  t.throws(() => classEntropy([0, 0]), { message: /positive total/ });
  t.throws(() => classEntropy([1, -1]), { message: /histogram\[1\] must be a finite count ≥ 0, got -1/ });
  t.throws(() => classHistogram([0, 10], 10), { message: /predictions\[1\] must be a class index in \[0, 10\), got 10/ });
  t.throws(() => symmetricEigen(new Float64Array(3), 2), { message: /n·n = 4 values for n = 2, got 3/ });
  t.throws(() => gaussianBlur(Tensor.zeros([2, 780]), 1), { message: /gaussianBlur: expected images \[N, S·S\].*got \[2, 780\]/ });
  t.throws(() => gaussianBlur(Tensor.zeros([2, 784]), 0), { message: /sigma must be a positive number of pixels, got 0/ });
});

test('gaussianBlur keeps the mass of a centred dot and spreads it as a σ = 1 px Gaussian', (t) => {
  const x = Tensor.zeros([1, 784]);
  x.data[14 * 28 + 14] = 1;
  const y = gaussianBlur(x, 1);
  t.deepEqual(y.shape, [1, 784]);
  const total = y.data.reduce((a, b) => a + b, 0);
  t.true(close(total, 1, 1e-5), `mass ${total}`);
  const g = (r2: number): number => Math.exp(-r2 / 2);
  t.true(close(y.data[14 * 28 + 15]! / y.data[14 * 28 + 14]!, g(1), 1e-5), 'one pixel away: e^{-1/2} of the centre');
  t.true(close(y.data[15 * 28 + 15]! / y.data[14 * 28 + 14]!, g(2), 1e-5), 'diagonal: e^{-1}');
});

/** A tiny classifier of 4-pixel "images": Linear(4 → 3) → Tanh → Linear(3 → 2) → LogSoftMax. */
function tinyClassifier(): Sequential {
  return new Sequential(new Linear(4, 3, { rng: new Generator(1) }), new Tanh(), new Linear(3, 2, { rng: new Generator(2) }), new LogSoftMax());
}

test('GeneratorScorer: features are the input of the last Linear; score gives FID 0 against its own reference, the entropy and the accuracy', (t) => {
  const net = tinyClassifier();
  const scorer = new GeneratorScorer(net, undefined, 4);
  t.is(scorer.featureLayer, 1);
  const rng = new Generator(5);
  const images = Tensor.uniform([1200, 4], rng);
  const f = scorer.features(images);
  t.deepEqual(f.shape, [1200, 3]);
  const expected = net.get(1).forward(net.get(0).forward(images.narrow(0, 600, 600)));
  t.true(f.data.subarray(600 * 3).every((v, i) => Math.abs(v - expected.data[i]!) < 1e-6), 'the features of the second batch');
  t.true(net.training, 'the classifier is left in training mode as it was');
  scorer.reference(images);
  const predictions = scorer.predict(images);
  const r = scorer.score(images, { labels: predictions });
  t.true(r.fid < 1e-6, `FID against itself ${r.fid}`);
  t.is(r.accuracy, 1);
  t.is(r.count, 1200);
  t.deepEqual(r.histogram, classHistogram(predictions, 2));
  t.true(close(r.entropy, classEntropy(r.histogram), 1e-15));
  t.is(scorer.score(images).accuracy, undefined);
  const shifted = scorer.score(images.data.map((v) => v * 0.5));
  t.true(shifted.fid > 1e-3, `a changed set is farther: ${shifted.fid}`);
});

test('GeneratorScorer rejects bad arguments clearly', (t) => {
  t.throws(() => new GeneratorScorer(new Sequential(new ReLU(), new LogSoftMax())), { message: /no Linear module/ });
  t.throws(() => new GeneratorScorer(tinyClassifier(), 3, 4), { message: /featureLayer must be an integer in \[0, 2\]/ });
  const scorer = new GeneratorScorer(tinyClassifier(), undefined, 4);
  t.throws(() => scorer.score(new Float32Array(8)), { message: /no reference set; call reference/ });
  t.throws(() => scorer.reference(Tensor.zeros([3, 5])), { message: /images must be \[N, 4\] with N ≥ 1, got \[3, 5\]/ });
  t.throws(() => scorer.reference(new Float32Array(6)), { message: /rows of 4 pixels/ });
  t.throws(() => scorer.reference(Float32Array.from([0, 0, 0, 0, -1, 0, 0, 0])), { message: /pixels in \[0, 1\].*got -1 at image 1, pixel 0/ });
  scorer.reference(new Float32Array(8).fill(0.5).map((v, i) => v * (i % 3)));
  t.throws(() => scorer.score(new Float32Array(8), { labels: [0] }), { message: /labels must hold one class per image \(2\), got 1/ });
  t.throws(() => scorer.score(new Float32Array(8), { labels: [0, 2] }), { message: /labels\[1\] must be a class in \[0, 2\), got 2/ });
});
