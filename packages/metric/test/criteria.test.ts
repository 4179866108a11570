import test from 'ava';
import { Generator, ShapeError, Tensor } from '@eole/core';
import { ContrastiveCriterion, PairwiseDistance, Siamese, TripletMarginCriterion } from '@eole/metric';
import { checkGrad, checkParity, maxRelErr, testCriteria } from '@eole/core/testing';
import { METRIC_CRITERION_CASES } from '@eole/metric/testing';
import { smallNet } from './smallNet.js';

/** Distances kept away from the margin (the kink of max(0, m − D)). */
function distances(n: number, rng: Generator, margin: number): Tensor {
  const d = Tensor.uniform([n], rng, 0.05, 2 * margin);
  for (let i = 0; i < n; i++) if (Math.abs(d.data[i]! - margin) < 0.05) d.data[i] = margin + 0.1;
  return d;
}

// ---- every criterion row: gradcheck, backward = autograd, cpu/webasm parity (also in the browser page)

testCriteria(test, METRIC_CRITERION_CASES);

// ---- ContrastiveCriterion -------------------------------------------------------------------------

test('ContrastiveCriterion equals the DrLIM loss computed by hand', (t) => {
  const crit = new ContrastiveCriterion(1);
  // similar pair at 0.5: ½·0.25 = 0.125; dissimilar at 0.2: ½·0.8² = 0.32; dissimilar at 1.5: 0; similar at 2: 2
  const d = Tensor.from([0.5, 0.2, 1.5, 2]);
  const y = Tensor.from([0, 1, 1, 0]);
  t.true(Math.abs(crit.forward(d, y).item() - (0.125 + 0.32 + 0 + 2) / 4) < 1e-6);
  t.true(Math.abs(new ContrastiveCriterion(1, false).forward(d, y).item() - 2.445) < 1e-6, 'sizeAverage = false: the sum');
  t.true(Math.abs(new ContrastiveCriterion(2).forward(Tensor.from([0.5]), Tensor.from([1])).item() - 0.5 * 1.5 ** 2) < 1e-6, 'margin 2');
  // ∂L/∂D = ((1 − Y)·D − Y·max(0, m − D)) / N
  const g = crit.backward(d, y);
  t.true(maxRelErr(g.data, [0.5 / 4, -0.8 / 4, 0, 2 / 4]) < 1e-6);
  t.is(crit.toString(), 'nn.ContrastiveCriterion(margin=1)');
});

test('ContrastiveCriterion gradchecks (D, and through PairwiseDistance and a Siamese) and cpu = webasm', (t) => {
  const rng = new Generator(21);
  const crit = new ContrastiveCriterion(1.5);
  const d = distances(12, rng, 1.5).requiresGrad_();
  const y = Tensor.from(Array.from({ length: 12 }, (_, i) => i % 2));
  checkGrad(t, 'ContrastiveCriterion', (di) => crit.forward(di!, y), [d]);
  const siamese = new Siamese(smallNet(4, 2, 3));
  const dist = new PairwiseDistance();
  const x = Tensor.randn([2, 6, 4], rng).requiresGrad_();
  const y6 = Tensor.from([0, 1, 0, 1, 1, 0]);
  checkGrad(t, 'Siamese → PairwiseDistance → ContrastiveCriterion', (xi) => crit.forward(dist.forward(siamese.forward(xi!)), y6), [x, ...siamese.parameters()]);
  const big = distances(3000, rng, 1.5).requiresGrad_();
  const yBig = Tensor.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0));
  checkParity(t, 'ContrastiveCriterion', () => ({ output: crit.forward(big, yBig), inputs: [big] }));
});

test('ContrastiveCriterion accepts [N, 1] distances and refuses bad targets and shapes', (t) => {
  const crit = new ContrastiveCriterion();
  t.true(Math.abs(crit.forward(Tensor.from([0.5, 0.2], [2, 1]), Tensor.from([0, 1])).item() - (0.125 + 0.32) / 2) < 1e-6);
  t.throws(() => crit.forward(Tensor.from([0.5, 0.2]), Tensor.from([0, -1])), { instanceOf: RangeError, message: /target must hold 0 \(similar\) or 1 \(dissimilar\), got -1 at position 1/ });
  t.throws(() => crit.forward(Tensor.zeros([2, 3]), Tensor.zeros([6])), { instanceOf: ShapeError, message: /input \(the distances D\) must be \[N\] with N >= 1, got \[2, 3\]/ });
  t.throws(() => crit.forward(Tensor.zeros([0]), Tensor.zeros([0])), { instanceOf: ShapeError, message: /got \[0\]/ });
  t.throws(() => crit.forward(Tensor.zeros([3]), Tensor.zeros([4])), { instanceOf: ShapeError, message: /target \(Y, 1 = dissimilar\) must be \[3\] like input, got \[4\]/ });
  t.throws(() => new ContrastiveCriterion(0), { message: /margin must be > 0, got 0/ });
});

// ---- TripletMarginCriterion --------------------------------------------------------------------

type Vec = number[];
const pdist = (u: Vec, v: Vec, p: number, eps = 1e-6): number => u.reduce((s, ui, j) => s + Math.abs(ui - v[j]! + eps) ** p, 0) ** (1 / p);

function rowsOf(x: Tensor, i: number): [Vec, Vec, Vec] {
  const [, n, d] = x.shape as [number, number, number];
  const row = (b: number): Vec => Array.from(x.data.subarray((b * n + i) * d, (b * n + i + 1) * d));
  return [row(0), row(1), row(2)];
}

/** The hinge argument d(a, p) − d(a, n) + margin of triplet i, and the swap gap d(a, n) − d(p, n). */
function inner(x: Tensor, i: number, margin: number, p: number, swap: boolean): { hinge: number; gap: number } {
  const [a, pos, neg] = rowsOf(x, i);
  const dn = pdist(a, neg, p);
  const dSwap = pdist(pos, neg, p);
  return { hinge: pdist(a, pos, p) - (swap ? Math.min(dn, dSwap) : dn) + margin, gap: dn - dSwap };
}

/** PyTorch's TripletMarginLoss, written out: mean over i of max(0, d(aᵢ, pᵢ) − d(aᵢ, nᵢ) + margin). */
function tripletOracle(x: Tensor, margin: number, p: number, swap: boolean): number {
  const n = x.shape[1]!;
  let total = 0;
  for (let i = 0; i < n; i++) total += Math.max(0, inner(x, i, margin, p, swap).hinge);
  return total / n;
}

/** Random triplets whose hinge (and swap choice) stays 0.05 away from its kink, for finite differences. */
function triplets(n: number, d: number, rng: Generator, margin: number, p: number, swap = false): Tensor {
  for (;;) {
    const x = Tensor.randn([3, n, d], rng);
    const clear = Array.from({ length: n }, (_, i) => inner(x, i, margin, p, swap)).every(({ hinge, gap }) => Math.abs(hinge) > 0.05 && (!swap || Math.abs(gap) > 0.05));
    if (clear) return x;
  }
}

for (const [margin, p, swap] of [[1, 2, false], [0.5, 1, false], [1, 2, true], [2, 3, false]] as const) {
  test(`TripletMarginCriterion(margin=${margin}, p=${p}${swap ? ', swap' : ''}) matches the plain-JS oracle and gradchecks`, (t) => {
    const rng = new Generator(30 + p);
    const crit = new TripletMarginCriterion(margin, p, { swap });
    const x = triplets(8, 3, rng, margin, p, swap).requiresGrad_();
    const loss = crit.forward(x);
    t.deepEqual([...loss.shape], []);
    t.true(Math.abs(loss.item() - tripletOracle(x, margin, p, swap)) < 1e-5, `${loss.item()} vs ${tripletOracle(x, margin, p, swap)}`);
    t.true(loss.item() > 0, 'some triplets violate the margin');
    checkGrad(t, crit.toString(), (xi) => crit.forward(xi!), [x]);
    checkParity(t, crit.toString(), () => ({ output: crit.forward(x), inputs: [x] }));
  });
}

test('TripletMarginCriterion ignores the target, sums without sizeAverage, trains a three-branch Siamese', (t) => {
  const rng = new Generator(40);
  const crit = new TripletMarginCriterion(1);
  const x = triplets(5, 4, rng, 1, 2);
  const loss = crit.forward(x).item();
  t.is(crit.forward(x, Tensor.from([7, 7, 7])).item(), loss, 'any target is accepted and ignored');
  t.true(Math.abs(new TripletMarginCriterion(1, 2, { sizeAverage: false }).forward(x).item() - 5 * loss) < 1e-5);
  const g = crit.backward(x);
  t.deepEqual([...g.shape], [3, 5, 4]);
  const siamese = new Siamese(smallNet(4, 2, 5));
  checkGrad(t, 'Siamese → TripletMarginCriterion', (xi) => crit.forward(siamese.forward(xi!)), [x.requiresGrad_(), ...siamese.parameters()]);
  t.throws(() => crit.forward(Tensor.zeros([2, 5, 4])), { instanceOf: ShapeError, message: /input must be \[3, N, D\] \(anchor, positive and negative stacked on dimension 0\), got \[2, 5, 4\]/ });
  t.throws(() => crit.forward(Tensor.zeros([3, 0, 4])), { instanceOf: ShapeError, message: /at least one triplet, got \[3, 0, 4\]/ });
  t.throws(() => new TripletMarginCriterion(1, -2), { message: /p must be > 0, got -2/ });
});
