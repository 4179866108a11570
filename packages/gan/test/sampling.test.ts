import test from 'ava';
import { Generator, Tensor } from '@eole/core';
import { checkOp } from '@eole/core/testing';
import { balancedLabels, labelPlanes, latentArithmetic, latentNoise, lerp, meanCode, oneHot, slerp } from '@eole/gan';
import { imageGrid } from '@eole/gan/report';

const norm = (v: ArrayLike<number>): number => Math.hypot(...Array.from(v));
const row = (t: Tensor, r: number): Float32Array => t.data.subarray(r * t.shape[1]!, (r + 1) * t.shape[1]!);

test('lerp: evenly spaced points from a to b', (t) => {
  const path = lerp([0, 2], [4, -2], 5);
  t.deepEqual(path.shape, [5, 2]);
  t.deepEqual(Array.from(path.data), [0, 2, 1, 1, 2, 0, 3, -1, 4, -2]);
  t.throws(() => lerp([1], [1, 2], 3), { message: /a and b must be non-empty codes of one size, got 1 and 2/ });
  t.throws(() => lerp([1], [2], 1), { message: /steps must be an integer >= 2, got 1/ });
});

test('slerp: on the great circle between a and b (at even angles for unit codes), keeping the norm of Gaussian codes', (t) => {
  const path = slerp([1, 0], [0, 1], 3);
  t.true(Math.abs(path.data[2]! - Math.SQRT1_2) < 1e-6 && Math.abs(path.data[3]! - Math.SQRT1_2) < 1e-6, 'the midpoint of a quarter circle');
  const rng = new Generator(4);
  const z = latentNoise(2, 64, rng);
  const [a, b] = [row(z, 0), row(z, 1)];
  const s = slerp(a, b, 9);
  const l = lerp(a, b, 9);
  t.deepEqual(Array.from(row(s, 0)), Array.from(a));
  const dip = (p: Tensor): number => Math.min(...Array.from({ length: 9 }, (_, i) => norm(row(p, i))));
  t.true(dip(s) > 0.9 * Math.min(norm(a), norm(b)), 'slerp keeps the norm of Gaussian codes');
  t.true(dip(l) < 0.8 * Math.min(norm(a), norm(b)), 'lerp passes near the origin (where codes are rare)');
  const cos = (u: ArrayLike<number>, v: ArrayLike<number>): number => Array.from(u).reduce((acc, x, i) => acc + x * v[i]!, 0) / (norm(u) * norm(v));
  const unit = (v: Float32Array): Float32Array => v.map((x) => x / norm(v));
  const u = slerp(unit(a), unit(b), 9);
  const angles = Array.from({ length: 8 }, (_, i) => Math.acos(Math.min(1, cos(row(u, i), row(u, i + 1)))));
  t.true(Math.max(...angles) - Math.min(...angles) < 1e-3, `equal angles ${angles.map((x) => x.toFixed(4)).join(' ')}`);
  t.deepEqual(Array.from(slerp([1, 1], [2, 2], 3).data), Array.from(lerp([1, 1], [2, 2], 3).data), 'parallel codes fall back to lerp');
});

test('latentArithmetic: mean(a) − mean(b) + mean(c), as DCGAN’s face algebra', (t) => {
  const codes = new Tensor(Float32Array.from([1, 0, 3, 0, 0, 2, 0, 4, 5, 5]), [5, 2]);
  t.deepEqual(Array.from(meanCode(codes, [0, 1])), [2, 0]);
  t.deepEqual(Array.from(latentArithmetic(codes, [0, 1], [2, 3], [4])), [2 - 0 + 5, 0 - 3 + 5]);
  t.throws(() => meanCode(codes, [5]), { message: /row 5 is out of range \[0, 5\)/ });
  t.throws(() => meanCode(codes, []), { message: /at least one code/ });
});

test('oneHot, labelPlanes and balancedLabels condition the nets on classes; labelPlanes passes the gradient to x', (t) => {
  t.deepEqual(Array.from(oneHot([2, 0], 3).data), [0, 0, 1, 1, 0, 0]);
  t.deepEqual(Array.from(balancedLabels(5, 3)), [0, 1, 2, 0, 1]);
  const planes = labelPlanes(Tensor.zeros([2, 1, 2, 2]), [1, 0], 2);
  t.deepEqual(planes.shape, [2, 3, 2, 2]);
  t.deepEqual(Array.from(planes.data), [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0]);
  checkOp(t, (x) => labelPlanes(x!, [1, 0, 1], 2), { shapes: [[3, 1, 2, 3]] });
  t.throws(() => oneHot([3], 3), { message: /labels\[0\] must be an integer class in \[0, 3\), got 3/ });
  t.throws(() => labelPlanes(Tensor.zeros([2, 4]), [0, 1], 2), { message: /x must be \[N, C, H, W\], got \[2, 4\]/ });
  t.throws(() => labelPlanes(Tensor.zeros([2, 1, 2, 2]), [0], 2), { message: /labels has 1 entries, x has 2 samples/ });
});

test('imageGrid lays images out white on black over [−1, 1] and names a size mismatch', (t) => {
  const images = Float32Array.from({ length: 4 * 9 }, (_, i) => (i < 9 ? 1 : -1));
  const c = imageGrid(images, 4, 3, 3, { cols: 2, scale: 1, gap: 1 });
  t.deepEqual([c.width, c.height], [1 + 2 * 4, 1 + 2 * 4]);
  t.deepEqual(c.getPixel(1, 1), [255, 255, 255]);
  t.deepEqual(c.getPixel(5, 1), [0, 0, 0]);
  t.throws(() => imageGrid(images, 5, 3, 3), { message: /pixels has 36 values, n·h·w = 5·3·3 = 45/ });
});
