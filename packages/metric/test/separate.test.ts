import test, { type ExecutionContext } from 'ava';
import { Generator, ShapeError, stackTensors, Tensor, unbind } from '@eole/core';
import { ContrastiveCriterion, CosineDistance, PairwiseDistance, Siamese, TripletMarginCriterion } from '@eole/metric';
import { checkGrad, checkOp, close, same } from '@eole/core/testing';
import { smallNet } from './smallNet.js';

// PyTorch's separate-tensor forms (forward(x1, x2), forward(x1, x2, y), forward(anchor, positive,
// negative)) against today's stacked forms, which the other test files check against oracles.

type Vec = number[];
const pdist = (u: Vec, v: Vec, p = 2, eps = 1e-6): number =>
  p === Infinity ? Math.max(...u.map((ui, j) => Math.abs(ui - v[j]! + eps))) : u.reduce((s, ui, j) => s + Math.abs(ui - v[j]! + eps) ** p, 0) ** (1 / p);
const rows = (x: Tensor): Vec[] => {
  const [n, d] = x.shape as [number, number];
  return Array.from({ length: n }, (_, i) => Array.from(x.data.subarray(i * d, (i + 1) * d)));
};

/**
 * Runs `separate` on leaves xs and `stacked` on their stack, backpropagates L = Σ out·R (R fixed)
 * through both, and checks that the values and the gradient of every input agree.
 */
function sameAsStacked(t: ExecutionContext, what: string, xs: Tensor[], separate: (...xs: Tensor[]) => Tensor, stacked: (s: Tensor) => Tensor): void {
  const leaves = xs.map((x) => x.detach().requiresGrad_());
  const out = separate(...leaves);
  const weights = Tensor.randn([...out.shape], new Generator(99));
  out.mul(weights).sum().backward();
  const s = stackTensors(xs.map((x) => x.detach())).requiresGrad_();
  const ref = stacked(s);
  ref.mul(weights).sum().backward();
  t.deepEqual([...out.shape], [...ref.shape], `${what}: output shape`);
  same(t, out.data, ref.data, `${what}: values`);
  unbind(s.grad!).forEach((g, i) => close(t, leaves[i]!.grad!.data, g.data, 1e-6, `${what}: gradient of input ${i}`));
}

// ---- PairwiseDistance and CosineDistance ------------------------------------------------------------

for (const p of [1, 2, 3, Infinity]) {
  test(`PairwiseDistance(p=${p}).forward(x1, x2) equals the stacked form, gradchecks, and its Torch7 backward splits`, (t) => {
    const rng = new Generator(50 + (p === Infinity ? 9 : p));
    const [x1, x2] = [Tensor.randn([6, 5], rng), Tensor.randn([6, 5], rng)];
    const m = new PairwiseDistance(p);
    sameAsStacked(t, m.toString(), [x1, x2], (a, b) => m.forward(a!, b!), (s) => m.forward(s));
    checkOp(t, (a, b) => new PairwiseDistance(p).forward(a!, b!), {
      shapes: [[6, 5], [6, 5]],
      shape: [6],
      oracle: (a, b) => {
        const [ra, rb] = [rows(new Tensor(a.data, a.shape)), rows(new Tensor(b.data, b.shape))];
        return ra.map((r, i) => pdist(r, rb[i]!, p));
      },
    });
    // Torch7 verbs on the separate form: backward(x1, x2, gradOutput) → [∂L/∂x1, ∂L/∂x2]
    const g = Tensor.randn([6], rng);
    m.forward(x1, x2);
    const [g1, g2] = m.backward(x1, x2, g);
    const s = stackTensors([x1, x2]);
    m.forward(s);
    const gs = unbind(m.backward(s, g));
    same(t, g1.data, gs[0]!.data, 'backward(x1, x2, g)[0]');
    same(t, g2.data, gs[1]!.data, 'backward(x1, x2, g)[1]');
    t.deepEqual([...g1.shape], [6, 5]);
    same(t, m.call(x1, x2).data, m.forward(s).data, 'call(x1, x2)');
  });
}

test('CosineDistance.forward(x1, x2) equals the stacked form and gradchecks', (t) => {
  const rng = new Generator(60);
  const [x1, x2] = [Tensor.randn([7, 4], rng), Tensor.randn([7, 4], rng)];
  const m = new CosineDistance();
  sameAsStacked(t, 'CosineDistance', [x1, x2], (a, b) => m.forward(a!, b!), (s) => m.forward(s));
  checkOp(t, (a, b) => new CosineDistance().forward(a!, b!), { shapes: [[7, 4], [7, 4]], shape: [7] });
});

test('the separate form of a distance reaches the shared net behind both branches', (t) => {
  const rng = new Generator(61);
  const siamese = new Siamese(smallNet(4, 3, 62));
  const [xa, xb] = [Tensor.randn([5, 4], rng), Tensor.randn([5, 4], rng)];
  const dist = new PairwiseDistance();
  checkGrad(t, 'PairwiseDistance(Siamese branches)', (a, b) => dist.forward(...(siamese.forwardBranches(a!, b!) as [Tensor, Tensor])), [xa.requiresGrad_(), xb.requiresGrad_(), ...siamese.parameters()]);
});

// ---- ContrastiveCriterion --------------------------------------------------------------------------

/** Pairs [N, D] whose distances stay 0.05 away from the margin (the kink of max(0, m − D)). */
function pairsAwayFromMargin(n: number, d: number, margin: number, rng: Generator): [Tensor, Tensor] {
  for (;;) {
    const [x1, x2] = [Tensor.randn([n, d], rng, 0, 0.6), Tensor.randn([n, d], rng, 0, 0.6)];
    const r2 = rows(x2);
    if (rows(x1).every((r, i) => Math.abs(pdist(r, r2[i]!) - margin) > 0.05)) return [x1, x2];
  }
}

test('ContrastiveCriterion.forward(x1, x2, y) equals PairwiseDistance then the stacked form, and gradchecks', (t) => {
  const rng = new Generator(70);
  const crit = new ContrastiveCriterion(1.5);
  const [x1, x2] = pairsAwayFromMargin(8, 3, 1.5, rng);
  const y = Tensor.from([0, 1, 1, 0, 1, 0, 1, 1]);
  const dist = new PairwiseDistance();
  sameAsStacked(t, 'ContrastiveCriterion', [x1, x2], (a, b) => crit.forward(a!, b!, y), (s) => crit.forward(dist.forward(s), y));
  const loss = crit.forward(x1, x2, y).item();
  t.true(loss > 0);
  checkGrad(t, 'ContrastiveCriterion(x1, x2, y)', (a, b) => crit.forward(a!, b!, y), [x1.detach().requiresGrad_(), x2.detach().requiresGrad_()]);
  // Torch7 verbs: backward(x1, x2, y) → [∂L/∂x1, ∂L/∂x2], the chain rule through the distances
  crit.forward(x1, x2, y);
  const [g1, g2] = crit.backward(x1, x2, y);
  const s = stackTensors([x1, x2]);
  const d = dist.forward(s);
  crit.forward(d, y);
  const gs = unbind(dist.backward(s, crit.backward(d, y)));
  close(t, g1.data, gs[0]!.data, 1e-6, 'backward(x1, x2, y)[0]');
  close(t, g2.data, gs[1]!.data, 1e-6, 'backward(x1, x2, y)[1]');
  t.is(new ContrastiveCriterion(1.5, false).forward(x1, x2, y).item().toFixed(5), (loss * 8).toFixed(5), 'sizeAverage = false: the sum');
});

// ---- TripletMarginCriterion ------------------------------------------------------------------------

/** Triplets whose hinge d(a, p) − d(a, n) + margin stays 0.05 away from 0. */
function tripletsAwayFromKink(n: number, d: number, margin: number, p: number, rng: Generator): [Tensor, Tensor, Tensor] {
  for (;;) {
    const xs = [Tensor.randn([n, d], rng), Tensor.randn([n, d], rng), Tensor.randn([n, d], rng)] as [Tensor, Tensor, Tensor];
    const [a, pos, neg] = xs.map(rows) as [Vec[], Vec[], Vec[]];
    if (a.every((r, i) => Math.abs(pdist(r, pos[i]!, p) - pdist(r, neg[i]!, p) + margin) > 0.05)) return xs;
  }
}

for (const [margin, p, swap] of [[1, 2, false], [0.5, 1, true]] as const) {
  test(`TripletMarginCriterion(margin=${margin}, p=${p}${swap ? ', swap' : ''}).forward(anchor, positive, negative) equals the stacked form and gradchecks`, (t) => {
    const rng = new Generator(80 + p);
    const crit = new TripletMarginCriterion(margin, p, { swap });
    const xs = tripletsAwayFromKink(8, 3, margin, p, rng);
    sameAsStacked(t, crit.toString(), xs, (a, b, c) => crit.forward(a!, b!, c!), (s) => crit.forward(s));
    if (!swap) checkGrad(t, `${crit.toString()}(anchor, positive, negative)`, (a, b, c) => crit.forward(a!, b!, c!), xs.map((x) => x.detach().requiresGrad_()));
    crit.forward(...xs);
    const grads = crit.backward(...xs);
    const s = stackTensors(xs);
    crit.forward(s);
    const gs = unbind(crit.backward(s));
    t.is(grads.length, 3);
    grads.forEach((g, i) => same(t, g.data, gs[i]!.data, `backward(anchor, positive, negative)[${i}]`));
  });
}

// ---- errors name the argument, the expected and the actual shape -----------------------------------

test('the separate forms name the argument, the expected and the actual shape', (t) => {
  const x = Tensor.zeros([4, 3]);
  const dist = new PairwiseDistance();
  t.throws(() => dist.forward(x, Tensor.zeros([4, 2])), { instanceOf: ShapeError, message: 'nn.PairwiseDistance: x2 must be [4, 3] like x1, got [4, 2]' });
  t.throws(() => dist.forward(Tensor.zeros([4]), x), { instanceOf: ShapeError, message: 'nn.PairwiseDistance: x1 must be [N, D], got [4]' });
  t.throws(() => new CosineDistance().forward(x, Tensor.zeros([5, 3])), { instanceOf: ShapeError, message: 'nn.CosineDistance: x2 must be [4, 3] like x1, got [5, 3]' });
  t.throws(() => dist.forward(x, 3 as unknown as Tensor), { instanceOf: TypeError, message: /nn\.PairwiseDistance: x2 must be a Tensor, got/ });
  const crit = new ContrastiveCriterion();
  t.throws(() => crit.forward(x, Tensor.zeros([3, 3]), Tensor.zeros([4])), { instanceOf: ShapeError, message: 'nn.ContrastiveCriterion: x2 must be [4, 3] like x1, got [3, 3]' });
  t.throws(() => crit.forward(x, x, Tensor.zeros([3])), { instanceOf: ShapeError, message: 'nn.ContrastiveCriterion: target (Y, 1 = dissimilar) must be [4] like the rows of x1, got [3]' });
  t.throws(() => crit.forward(Tensor.zeros([0, 3]), Tensor.zeros([0, 3]), Tensor.zeros([0])), { instanceOf: ShapeError, message: /at least one pair, got \[0, 3\]/ });
  const triplet = new TripletMarginCriterion();
  t.throws(() => triplet.forward(x, x, Tensor.zeros([4, 3, 1])), { instanceOf: ShapeError, message: 'nn.TripletMarginCriterion: negative must be [4, 3] like anchor, got [4, 3, 1]' });
  t.throws(() => triplet.forward(x, Tensor.zeros([2, 3]), x), { instanceOf: ShapeError, message: 'nn.TripletMarginCriterion: positive must be [4, 3] like anchor, got [2, 3]' });
  // backward of the separate form wants the tensors of the last forward
  dist.forward(x, x);
  t.throws(() => dist.backward(x, Tensor.zeros([4, 3]), Tensor.zeros([4])), { message: 'nn.PairwiseDistance.backward: call forward(x1, x2) on these same tensors first' });
  t.throws(() => triplet.backward(x, x, x), { message: /call forward\(anchor, positive, negative\) on these same tensors first/ });
});
