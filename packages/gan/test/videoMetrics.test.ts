import test from 'ava';
import { Generator, ShapeError, Tensor } from '@eole/core';
import { gaussianBlur } from '@eole/gan';
import { checkFrames } from '../src/score/checkFrames.js';
import { frameMse } from '../src/score/frameMse.js';
import { psnr } from '../src/score/psnr.js';
import { sharpnessDifference } from '../src/score/sharpnessDifference.js';
import { ssim } from '../src/score/ssim.js';

const relClose = (actual: number, expected: number, tol: number): boolean => Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected));

function uniform(shape: number[], rng: Generator): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.uniform();
  return new Tensor(data, shape);
}

/** Frames of random 4×4 blocks of random grey levels in [0, 1]: edges everywhere. */
function blocks(frames: number, side: number, rng: Generator): Tensor {
  const data = new Float32Array(frames * side * side);
  const cells = Math.ceil(side / 4);
  for (let n = 0; n < frames; n++) {
    const levels = Array.from({ length: cells * cells }, () => rng.uniform());
    for (let i = 0; i < side; i++) for (let j = 0; j < side; j++) data[n * side * side + i * side + j] = levels[Math.floor(i / 4) * cells + Math.floor(j / 4)]!;
  }
  return new Tensor(data, [frames, 1, side, side]);
}

/** Frame n's pixels (all channels) as float64 numbers. */
function pixels(x: Tensor, n: number): number[] {
  const size = x.data.length / x.shape[0]!;
  return Array.from(x.data.subarray(n * size, (n + 1) * size));
}

function oracleMse(pred: Tensor, target: Tensor): number[] {
  return Array.from({ length: pred.shape[0]! }, (_, n) => {
    const p = pixels(pred, n);
    const t = pixels(target, n);
    return p.reduce((s, v, k) => s + (v - t[k]!) ** 2, 0);
  });
}

/** Naive SSIM of one H×W plane: the 2-D window applied directly at each valid position. */
function oracleSsimPlane(x: number[], y: number[], h: number, w: number, size = 11, sigma = 1.5, L = 1): number {
  const r = (size - 1) / 2;
  const win: number[][] = [];
  let z = 0;
  for (let a = 0; a < size; a++) {
    win.push([]);
    for (let b = 0; b < size; b++) {
      const v = Math.exp(-((a - r) ** 2 + (b - r) ** 2) / (2 * sigma * sigma));
      win[a]!.push(v);
      z += v;
    }
  }
  const c1 = (0.01 * L) ** 2;
  const c2 = (0.03 * L) ** 2;
  let total = 0;
  let count = 0;
  for (let i = 0; i + size <= h; i++) {
    for (let j = 0; j + size <= w; j++) {
      let mx = 0, my = 0;
      for (let a = 0; a < size; a++) for (let b = 0; b < size; b++) {
        const g = win[a]![b]! / z;
        mx += g * x[(i + a) * w + j + b]!;
        my += g * y[(i + a) * w + j + b]!;
      }
      let vx = 0, vy = 0, cxy = 0;
      for (let a = 0; a < size; a++) for (let b = 0; b < size; b++) {
        const g = win[a]![b]! / z;
        const dx = x[(i + a) * w + j + b]! - mx;
        const dy = y[(i + a) * w + j + b]! - my;
        vx += g * dx * dx;
        vy += g * dy * dy;
        cxy += g * dx * dy;
      }
      total += ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
      count++;
    }
  }
  return total / count;
}

function oracleSsim(pred: Tensor, target: Tensor): number[] {
  const [h, w] = pred.shape.slice(-2) as [number, number];
  const channels = pred.shape.length === 4 ? pred.shape[1]! : 1;
  return Array.from({ length: pred.shape[0]! }, (_, n) => {
    const p = pixels(pred, n);
    const t = pixels(target, n);
    let s = 0;
    for (let c = 0; c < channels; c++) s += oracleSsimPlane(p.slice(c * h * w, (c + 1) * h * w), t.slice(c * h * w, (c + 1) * h * w), h, w);
    return s / channels;
  });
}

/** Naive sharpness difference: gradient images first, then the paper's formula over i, j ≥ 1. */
function oracleSharpness(pred: Tensor, target: Tensor, max = 1): number[] {
  const [h, w] = pred.shape.slice(-2) as [number, number];
  const channels = pred.shape.length === 4 ? pred.shape[1]! : 1;
  const grad = (x: number[], c: number, i: number, j: number): number => {
    const at = (a: number, b: number): number => x[c * h * w + a * w + b]!;
    return Math.abs(at(i, j) - at(i - 1, j)) + Math.abs(at(i, j) - at(i, j - 1));
  };
  return Array.from({ length: pred.shape[0]! }, (_, n) => {
    const y = pixels(target, n);
    const yHat = pixels(pred, n);
    let s = 0;
    let count = 0;
    for (let c = 0; c < channels; c++) for (let i = 1; i < h; i++) for (let j = 1; j < w; j++) {
      s += Math.abs(grad(y, c, i, j) - grad(yHat, c, i, j));
      count++;
    }
    return 10 * Math.log10((max * max) / (s / count));
  });
}

function assertAllClose(t: import('ava').ExecutionContext, actual: Float64Array, expected: number[], tol: number, what: string): void {
  t.true(actual instanceof Float64Array, `${what}: returns a Float64Array`);
  t.is(actual.length, expected.length, `${what}: one value per frame`);
  expected.forEach((e, n) => t.true(relClose(actual[n]!, e, tol), `${what}[${n}]: ${actual[n]} vs oracle ${e}`));
}

test('frameMse and psnr match a direct float64 oracle on random frames within 1e-9', (t) => {
  const rng = new Generator(11);
  for (const shape of [[5, 3, 16, 20], [4, 13, 7]]) {
    const pred = uniform(shape, rng);
    const target = uniform(shape, rng);
    const mse = oracleMse(pred, target);
    const pixelsPerFrame = pred.data.length / shape[0]!;
    assertAllClose(t, frameMse(pred, target), mse, 1e-9, `frameMse ${shape}`);
    assertAllClose(t, psnr(pred, target), mse.map((s) => 10 * Math.log10(1 / (s / pixelsPerFrame))), 1e-9, `psnr ${shape}`);
    assertAllClose(t, psnr(pred, target, 255), mse.map((s) => 10 * Math.log10((255 * 255) / (s / pixelsPerFrame))), 1e-9, `psnr max 255 ${shape}`);
  }
});

test('ssim (separable) matches a naive 2-D window implementation within 1e-9', (t) => {
  const rng = new Generator(12);
  for (const shape of [[3, 2, 16, 19], [2, 11, 11], [2, 24, 14]]) {
    const target = uniform(shape, rng);
    // A correlated prediction (target + noise) keeps the SSIMs away from 0 as well as random ones.
    const noise = uniform(shape, rng);
    const pred = new Tensor(target.data.map((v, k) => 0.7 * v + 0.3 * noise.data[k]!), shape);
    assertAllClose(t, ssim(pred, target), oracleSsim(pred, target), 1e-9, `ssim correlated ${shape}`);
    assertAllClose(t, ssim(noise, target), oracleSsim(noise, target), 1e-9, `ssim random ${shape}`);
  }
});

test('sharpnessDifference matches a naive loop within 1e-9', (t) => {
  const rng = new Generator(13);
  for (const shape of [[4, 2, 9, 12], [3, 2, 2], [2, 17, 5]]) {
    const pred = uniform(shape, rng);
    const target = uniform(shape, rng);
    assertAllClose(t, sharpnessDifference(pred, target), oracleSharpness(pred, target), 1e-9, `sharpness ${shape}`);
    assertAllClose(t, sharpnessDifference(pred, target, 2), oracleSharpness(pred, target, 2), 1e-9, `sharpness max 2 ${shape}`);
  }
});

test('identical frames: mse 0, psnr Infinity, ssim 1, sharpness Infinity', (t) => {
  const x = uniform([3, 2, 12, 13], new Generator(14));
  t.deepEqual(Array.from(frameMse(x, x)), [0, 0, 0]);
  t.deepEqual(Array.from(psnr(x, x)), [Infinity, Infinity, Infinity]);
  t.deepEqual(Array.from(sharpnessDifference(x, x)), [Infinity, Infinity, Infinity]);
  for (const v of ssim(x, x)) t.true(Math.abs(v - 1) < 1e-12, `ssim(x, x) = ${v}`);
});

test('a blurred copy scores lower SSIM and lower sharpness difference than a sharp copy plus small noise', (t) => {
  const rng = new Generator(15);
  const target = blocks(6, 32, rng);
  const blurred = gaussianBlur(target, 1);
  const noisy = new Tensor(target.data.map((v) => Math.min(1, Math.max(0, v + rng.normal(0, 0.01)))), target.shape);
  const ssimBlur = ssim(blurred, target);
  const ssimNoisy = ssim(noisy, target);
  const sharpBlur = sharpnessDifference(blurred, target);
  const sharpNoisy = sharpnessDifference(noisy, target);
  for (let n = 0; n < 6; n++) {
    t.true(ssimBlur[n]! < ssimNoisy[n]!, `frame ${n}: ssim blurred ${ssimBlur[n]} < noisy ${ssimNoisy[n]}`);
    t.true(sharpBlur[n]! < sharpNoisy[n]!, `frame ${n}: sharpness blurred ${sharpBlur[n]} < noisy ${sharpNoisy[n]}`);
    t.true(ssimBlur[n]! < 1 && ssimBlur[n]! > 0);
  }
});

test('known values: psnr of a constant error 0.1 is 20 dB; frameMse of a zero prediction is Σ target²', (t) => {
  const shape = [2, 1, 8, 8];
  const target = Tensor.full(shape, 0.1);
  const zero = Tensor.zeros(shape);
  for (const v of psnr(zero, target)) t.true(Math.abs(v - 20) < 1e-6, `psnr = ${v}`);
  for (const v of psnr(Tensor.full(shape, 0.35), Tensor.full(shape, 0.25))) t.true(Math.abs(v - 20) < 1e-5, `psnr = ${v}`);
  const rnd = uniform([3, 2, 5, 6], new Generator(16));
  const sums = Array.from({ length: 3 }, (_, n) => pixels(rnd, n).reduce((s, v) => s + v * v, 0));
  assertAllClose(t, frameMse(Tensor.zeros(rnd.shape), rnd), sums, 1e-12, 'frameMse(0, target)');
  // Shi et al. 2015's scale: a 64×64 frame with 103.3 / 4096 squared error per pixel sums to 103.3.
  const e = Math.sqrt(103.3 / 4096);
  t.true(Math.abs(frameMse(Tensor.full([1, 64, 64], e), Tensor.zeros([1, 64, 64]))[0]! - 103.3) < 1e-3);
});

test('known values: ssim of constant frames a, b is (2ab + C1)/(a² + b² + C1); sharpness of a 2×2 step is −3.01 dB', (t) => {
  const c1 = 0.01 ** 2;
  const v = ssim(Tensor.full([1, 11, 11], 0.5), Tensor.full([1, 11, 11], 0.25))[0]!;
  t.true(Math.abs(v - (2 * 0.5 * 0.25 + c1) / (0.25 + 0.0625 + c1)) < 1e-9, `ssim = ${v}`);
  t.true(Math.abs(ssim(Tensor.zeros([1, 12, 12]), Tensor.full([1, 12, 12], 0.5))[0]! - c1 / (0.25 + c1)) < 1e-9);
  // Only pixel (1, 1) counts: target gradients 1 + 1, prediction 0, mean |2 − 0| = 2.
  const step = Tensor.from([0, 0, 0, 1], [1, 2, 2]);
  t.true(Math.abs(sharpnessDifference(Tensor.zeros([1, 2, 2]), step)[0]! - 10 * Math.log10(1 / 2)) < 1e-12);
});

test('ssim and sharpnessDifference are symmetric; ssim ≤ 1', (t) => {
  const rng = new Generator(17);
  const a = uniform([4, 20, 20], rng);
  const b = uniform([4, 20, 20], rng);
  const ab = ssim(a, b);
  const ba = ssim(b, a);
  ab.forEach((v, n) => t.true(Math.abs(v - ba[n]!) < 1e-12 && v <= 1, `ssim ${v} vs ${ba[n]}`));
  const sab = sharpnessDifference(a, b);
  const sba = sharpnessDifference(b, a);
  sab.forEach((v, n) => t.true(Math.abs(v - sba[n]!) < 1e-12));
});

test('[N, H, W] and [N, 1, H, W] give the same values; C channels count all their pixels', (t) => {
  const rng = new Generator(18);
  const p3 = uniform([3, 14, 15], rng);
  const q3 = uniform([3, 14, 15], rng);
  const p4 = p3.reshape([3, 1, 14, 15]);
  const q4 = q3.reshape([3, 1, 14, 15]);
  for (const f of [frameMse, psnr, ssim, sharpnessDifference] as const) {
    t.deepEqual(Array.from(f(p4, q4)), Array.from(f(p3, q3)), f.name);
  }
  // Two channels: frameMse adds them, ssim averages them.
  const p = uniform([2, 2, 12, 12], rng);
  const q = uniform([2, 2, 12, 12], rng);
  const channel = (x: Tensor, c: number): Tensor => new Tensor(Float32Array.from({ length: 2 * 144 }, (_, k) => x.data[(Math.floor(k / 144) * 2 + c) * 144 + (k % 144)]!), [2, 12, 12]);
  const [m0, m1] = [frameMse(channel(p, 0), channel(q, 0)), frameMse(channel(p, 1), channel(q, 1))];
  const [s0, s1] = [ssim(channel(p, 0), channel(q, 0)), ssim(channel(p, 1), channel(q, 1))];
  const m = frameMse(p, q);
  const s = ssim(p, q);
  for (let n = 0; n < 2; n++) {
    t.true(relClose(m[n]!, m0[n]! + m1[n]!, 1e-12));
    t.true(relClose(s[n]!, (s0[n]! + s1[n]!) / 2, 1e-12));
  }
});

test('an empty batch gives an empty array', (t) => {
  const e = Tensor.zeros([0, 1, 16, 16]);
  for (const f of [frameMse, psnr, ssim, sharpnessDifference] as const) t.is(f(e, e).length, 0);
});

test('errors name the function and both shapes', (t) => {
  const a = Tensor.zeros([2, 1, 16, 16]);
  const b = Tensor.zeros([2, 1, 16, 15]);
  for (const f of [frameMse, psnr, ssim, sharpnessDifference] as const) {
    const name = f.name;
    t.throws(() => f(a, b), { instanceOf: ShapeError, message: new RegExp(`^${name}: .*pred \\[2, 1, 16, 16\\] and target \\[2, 1, 16, 15\\]`) });
    t.throws(() => f(Tensor.zeros([4, 16]), Tensor.zeros([4, 16])), { instanceOf: ShapeError, message: new RegExp(`^${name}: expected frames .*pred \\[4, 16\\] and target \\[4, 16\\]`) });
    t.throws(() => f(Tensor.zeros([2, 3, 1, 16, 16]), Tensor.zeros([2, 3, 1, 16, 16])), { instanceOf: ShapeError, message: /\[B·T, C, H, W\]/ });
    t.throws(() => f(a.data as unknown as Tensor, a), { instanceOf: TypeError, message: new RegExp(`^${name}: pred must be a Tensor.*Float32Array\\(512\\)`) });
    t.throws(() => f(a, null as unknown as Tensor), { instanceOf: TypeError, message: new RegExp(`^${name}: target must be a Tensor.*null`) });
  }
  t.throws(() => ssim(Tensor.zeros([2, 10, 16]), Tensor.zeros([2, 10, 16])), { instanceOf: ShapeError, message: /^ssim: frames must be at least 11×11 .*H = 10, W = 16 in pred \[2, 10, 16\] and target \[2, 10, 16\]/ });
  t.throws(() => sharpnessDifference(Tensor.zeros([2, 1, 5]), Tensor.zeros([2, 1, 5])), { instanceOf: ShapeError, message: /^sharpnessDifference: frames must be at least 2×2/ });
  t.throws(() => frameMse(Tensor.zeros([2, 0, 4, 4]), Tensor.zeros([2, 0, 4, 4])), { instanceOf: ShapeError, message: /at least 1 channel/ });
  t.throws(() => psnr(a, a, 0), { instanceOf: RangeError, message: /^psnr: maxValue must be a positive finite number, got 0/ });
  t.throws(() => sharpnessDifference(a, a, NaN), { instanceOf: RangeError, message: /^sharpnessDifference: maxValue/ });
  t.throws(() => ssim(a, a, { windowSize: 8 }), { instanceOf: RangeError, message: /^ssim: options.windowSize must be a positive odd integer, got 8/ });
  t.throws(() => ssim(a, a, { sigma: -1 }), { instanceOf: RangeError, message: /^ssim: options.sigma/ });
  t.throws(() => checkFrames('myMetric', a, a, 17), { instanceOf: ShapeError, message: /^myMetric: frames must be at least 17×17/ });
});

test('ssim with a smaller window and byte range matches the naive form on 255-scaled frames', (t) => {
  const rng = new Generator(19);
  const x = uniform([2, 16, 16], rng);
  const y = uniform([2, 16, 16], rng);
  const scale = (v: Tensor): Tensor => new Tensor(v.data.map((p) => p * 255), v.shape);
  const ours = ssim(scale(x), scale(y), { dataRange: 255 });
  const unit = ssim(x, y);
  ours.forEach((v, n) => t.true(relClose(v, unit[n]!, 1e-6), `${v} vs ${unit[n]}`));
  const small = ssim(x, y, { windowSize: 7, sigma: 1 });
  small.forEach((v, n) => t.true(relClose(v, oracleSsimPlane(pixels(x, n), pixels(y, n), 16, 16, 7, 1), 1e-9)));
});

test('ssim is fast enough for thousands of 64×64 frames', (t) => {
  const rng = new Generator(20);
  const a = uniform([500, 64, 64], rng);
  const b = uniform([500, 64, 64], rng);
  const start = performance.now();
  const v = ssim(a, b);
  const ms = performance.now() - start;
  t.is(v.length, 500);
  t.log(`ssim: 500 frames of 64×64 in ${ms.toFixed(0)} ms`);
  t.true(ms < 10000, `${ms} ms`);
});
