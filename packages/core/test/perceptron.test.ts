import test from 'ava';
import { Generator, kernels, Perceptron, Tensor } from '@eole/core';

/** 60 points on either side of the line x₁ + 2x₂ = 0.5, at least 0.2 away from it. */
function separable(seed: number): { x: Tensor; y: Tensor; points: number[][]; labels: number[] } {
  const rng = new Generator(seed);
  const points: number[][] = [];
  const labels: number[] = [];
  while (points.length < 60) {
    const p = [rng.uniform(-3, 3), rng.uniform(-3, 3)];
    const margin = (p[0]! + 2 * p[1]! - 0.5) / Math.sqrt(5);
    if (Math.abs(margin) < 0.2) continue;
    points.push(p);
    labels.push(margin > 0 ? 1 : -1);
  }
  return { x: Tensor.from(points.flat(), [60, 2]), y: Tensor.from(labels), points, labels };
}

test('converges on a separable 2-D set, and the learned line separates every point', (t) => {
  const { x, y, points, labels } = separable(3);
  const p = new Perceptron(2, { seed: 1 });
  const result = p.fit(x, y, { maxEpochs: 1000 });
  t.true(result.converged);
  t.is(result.errors, 0);
  t.is(result.history.length, result.epochs);
  t.is(result.history[result.history.length - 1], 0);
  t.true(result.history[0]! > 0);
  const [w1, w2] = p.weight.toArray() as [number, number];
  points.forEach(([a, b], i) => t.true(labels[i]! * (w1 * a! + w2 * b! + p.bias) > 0, `point ${i} on the wrong side`));
  t.deepEqual(p.predict(x).toArray(), labels);
  t.deepEqual(p.predict(x).shape, [60]);
  const one = p.predict(Tensor.from(points[0]!));
  t.deepEqual(one.shape, []);
  t.is(one.item(), labels[0]);
});

test('converges on the webasm backend too', (t) => {
  const { x, y, labels } = separable(4);
  kernels.withBackend('webasm', () => {
    const p = new Perceptron(2, { seed: 2 });
    t.true(p.fit(x, y, { maxEpochs: 1000 }).converged);
    t.deepEqual(p.predict(x).toArray(), labels);
  });
});

test('does not converge on XOR', (t) => {
  const x = Tensor.from([0, 0, 0, 1, 1, 0, 1, 1], [4, 2]);
  const y = Tensor.from([-1, 1, 1, -1]);
  const result = new Perceptron(2, { seed: 7 }).fit(x, y, { maxEpochs: 50 });
  t.false(result.converged);
  t.is(result.epochs, 50);
  t.is(result.history.length, 50);
  t.true(result.history.every((m) => m > 0));
  t.is(result.errors, result.history[49]);
});

test('the rule is the perceptron rule: one mistake from zero weights gives w = 2·y·x, b = 2·y', (t) => {
  for (const label of [1, -1]) {
    const p = new Perceptron(3);
    t.deepEqual(p.weight.toArray(), [0, 0, 0]);
    const x = [0.5, -1.25, 3];
    const result = p.fit(Tensor.from(x, [1, 3]), Tensor.from([label]), { maxEpochs: 1 });
    t.deepEqual(result.history, [1]);
    t.false(result.converged);
    t.deepEqual(p.weight.toArray(), x.map((v) => 2 * label * v));
    t.is(p.bias, 2 * label);
    // Now the sample is classified correctly, so the next epoch makes no mistake and changes nothing.
    t.deepEqual(p.fit(Tensor.from(x, [1, 3]), Tensor.from([label])), { converged: true, epochs: 1, errors: 0, history: [0] });
    t.deepEqual(p.weight.toArray(), x.map((v) => 2 * label * v));
  }
});

test('the rule scales with lr, and a correctly classified sample leaves the weights alone', (t) => {
  const p = new Perceptron(2, { lr: 0.25 });
  p.fit(Tensor.from([1, 2], [1, 2]), Tensor.from([1]), { maxEpochs: 1 });
  t.deepEqual(p.weight.toArray(), [0.5, 1]);
  t.is(p.bias, 0.5);
  p.fit(Tensor.from([3, 3, -1, -1], [2, 2]), Tensor.from([1, -1]), { maxEpochs: 1 });
  t.deepEqual(p.weight.toArray(), [0.5, 1]);
});

test('a seed fixes the order, hence the weights; shuffle false visits in order', (t) => {
  const { x, y } = separable(5);
  const run = (seed: number, shuffle = true): number[] => {
    const p = new Perceptron(2, { seed });
    p.fit(x, y, { maxEpochs: 3, shuffle });
    return [...p.weight.toArray(), p.bias];
  };
  t.deepEqual(run(1), run(1));
  t.notDeepEqual(run(1), run(2));
  t.deepEqual(run(1, false), run(2, false));
});

test('bad labels and shapes give clear errors', (t) => {
  const p = new Perceptron(2);
  const x = Tensor.from([1, 2, 3, 4], [2, 2]);
  t.throws(() => p.fit(x, Tensor.from([1, 0])), { message: /labels must be \+1 or -1, got y\[1\] = 0/ });
  t.throws(() => p.fit(x, Tensor.from([1, 2])), { message: /labels must be \+1 or -1, got y\[1\] = 2/ });
  t.throws(() => p.fit(x, Tensor.from([1, -1, 1])), { message: /y must be \[2\] \(one label per row of x\), got \[3\]/ });
  t.throws(() => p.fit(Tensor.from([1, 2, 3], [1, 3]), Tensor.from([1])), { message: /x must be \[2\] or \[n, 2\], got \[1, 3\]/ });
  t.throws(() => p.fit(Tensor.from([1, 2]), Tensor.from([1])), { message: /x must be \[n, 2\], got \[2\]/ });
  t.throws(() => p.fit(x, Tensor.from([1, -1]), { maxEpochs: 0 }), { message: /maxEpochs must be a positive integer, got 0/ });
  t.throws(() => p.predict(Tensor.from([1, NaN])), { message: /x must be finite, got NaN at flat index 1/ });
  t.throws(() => new Perceptron(0), { message: /inputSize must be a positive integer, got 0/ });
  t.throws(() => new Perceptron(2, { lr: 0 }), { message: /lr must be a finite number > 0, got 0/ });
});
