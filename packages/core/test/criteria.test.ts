import test, { type ExecutionContext } from 'ava';
import {
  ClassNLLCriterion,
  CrossEntropyCriterion,
  type Criterion,
  Generator,
  MarginCriterion,
  MSECriterion,
  ShapeError,
  Tensor,
} from '@eole/core';
import { checkGrad, close, CORE_CRITERION_CASES, testCriteria } from '@eole/core/testing';

// ---- plain-JS oracles -------------------------------------------------------------------------

const arr = (t: Tensor): number[] => Array.from(t.data);

function mseOracle(x: number[], y: number[], average = true): { loss: number; grad: number[] } {
  const n = average ? x.length : 1;
  return { loss: x.reduce((s, v, i) => s + (v - y[i]!) ** 2, 0) / n, grad: x.map((v, i) => (2 * (v - y[i]!)) / n) };
}

function nllOracle(logp: number[], c: number, target: number[], average = true): { loss: number; grad: number[] } {
  const n = target.length;
  const scale = average ? n : 1;
  const grad = logp.map(() => 0);
  let loss = 0;
  target.forEach((k, r) => {
    loss -= logp[r * c + k]!;
    grad[r * c + k] = -1 / scale;
  });
  return { loss: loss / scale, grad };
}

/** Cross-entropy of log-probabilities from the target distribution (1 − ε)·q + ε/C, q one-hot or given rows. */
function smoothedNllOracle(logp: number[], c: number, q: number[], eps: number, average = true): { loss: number; grad: number[] } {
  const n = logp.length / c;
  const scale = average ? n : 1;
  const grad = logp.map((_, i) => -((1 - eps) * q[i]! + eps / c) / scale);
  return { loss: logp.reduce((s, v, i) => s + v * grad[i]!, 0), grad };
}

const oneHot = (target: number[], c: number): number[] => target.flatMap((k) => Array.from({ length: c }, (_, j) => (j === k ? 1 : 0)));

function crossEntropyOracle(x: number[], c: number, target: number[]): { loss: number; grad: number[] } {
  const n = target.length;
  const grad: number[] = [];
  let loss = 0;
  for (let r = 0; r < n; r++) {
    const row = x.slice(r * c, (r + 1) * c);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    loss += lse - row[target[r]!]!;
    row.forEach((v, k) => grad.push((Math.exp(v - lse) - (k === target[r] ? 1 : 0)) / n));
  }
  return { loss: loss / n, grad };
}

function marginOracle(x: number[], y: number[], margin = 1, average = true): { loss: number; grad: number[] } {
  const n = average ? x.length : 1;
  return {
    loss: x.reduce((s, v, i) => s + Math.max(0, margin - y[i]! * v), 0) / n,
    grad: x.map((v, i) => (margin - y[i]! * v > 0 ? -y[i]! / n : 0)),
  };
}

/** Loss and ∂loss/∂input through the Torch7 verbs. */
function lossAndGrad(c: Criterion, x: Tensor, y: Tensor): { loss: number; grad: number[] } {
  const loss = c.forward(x, y).item();
  return { loss, grad: arr(c.backward(x, y)) };
}

function matchesOracle(t: ExecutionContext, got: { loss: number; grad: number[] }, want: { loss: number; grad: number[] }): void {
  t.true(Math.abs(got.loss - want.loss) <= 1e-6 * Math.max(1, Math.abs(want.loss)), `loss ${got.loss}, expected ${want.loss}`);
  close(t, got.grad, want.grad, 1e-5, 'gradient');
}

// ---- values on tiny inputs, by hand -----------------------------------------------------------

test('MSECriterion: mean of squared differences over all elements (Torch7)', (t) => {
  const x = Tensor.from([1, 2, -1, 0.5], [2, 2]);
  const y = Tensor.from([0, 1, 1, 0.5], [2, 2]);
  const mse = new MSECriterion();
  t.is(mse.forward(x, y).item(), (1 + 1 + 4 + 0) / 4);
  t.deepEqual(arr(mse.backward(x, y)), [0.5, 0.5, -1, 0]);
  t.is(new MSECriterion(false).forward(x, y).item(), 6);
});

test('ClassNLLCriterion: minus the mean log-probability of the 0-based targets', (t) => {
  const logp = Tensor.from([-0.5, -1.5, -2.5, -0.25, -3, -1], [2, 3]);
  const target = Tensor.from([2, 0]);
  const nll = new ClassNLLCriterion();
  t.true(Math.abs(nll.forward(logp, target).item() - (2.5 + 0.25) / 2) < 1e-7);
  t.deepEqual(arr(nll.backward(logp, target)), [0, 0, -0.5, -0.5, 0, 0]);
  t.true(Math.abs(new ClassNLLCriterion(false).forward(logp, target).item() - 2.75) < 1e-7);
});

test('CrossEntropyCriterion: log-sum-exp minus the target score, averaged', (t) => {
  const x = Tensor.from([1, 2, 3, 0, 0, 0], [2, 3]);
  const target = Tensor.from([0, 2]);
  const want = (Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 1 + Math.log(3) - 0) / 2;
  t.true(Math.abs(new CrossEntropyCriterion().forward(x, target).item() - want) < 1e-6);
  const one = new CrossEntropyCriterion().forward(Tensor.from([0, Math.log(3)]), Tensor.from([1])).item();
  t.true(Math.abs(one - Math.log(4 / 3)) < 1e-6, 'one sample [C] with one target');
});

test('MarginCriterion: mean hinge max(0, margin - y·x) over ±1 targets', (t) => {
  const x = Tensor.from([0.5, -2, 0.3, 1.5]);
  const y = Tensor.from([1, -1, -1, 1]);
  const margin = new MarginCriterion();
  t.true(Math.abs(margin.forward(x, y).item() - (0.5 + 0 + 1.3 + 0) / 4) < 1e-7);
  t.deepEqual(arr(margin.backward(x, y)).map((v) => v + 0), [-0.25, 0, 0.25, 0]); // + 0 folds -0 into 0
  t.true(Math.abs(new MarginCriterion(2, false).forward(x, y).item() - (1.5 + 0 + 2.3 + 0.5)) < 1e-6);
});

// ---- values on random inputs against the oracles ----------------------------------------------

const rng = new Generator(2024);
const scores = Tensor.randn([5, 7], rng);
const classes = Tensor.from([3, 0, 6, 6, 1]);
const labels = Tensor.from(Array.from({ length: 35 }, () => (rng.uniform() < 0.5 ? -1 : 1)), [5, 7]);
const targets = Tensor.randn([5, 7], rng);

test('all four criteria match plain JS on random [5, 7] inputs, loss and gradient', (t) => {
  const x = arr(scores);
  const logp = scores.logSoftmax(1).detach();
  matchesOracle(t, lossAndGrad(new MSECriterion(), scores, targets), mseOracle(x, arr(targets)));
  matchesOracle(t, lossAndGrad(new MSECriterion(false), scores, targets), mseOracle(x, arr(targets), false));
  matchesOracle(t, lossAndGrad(new ClassNLLCriterion(), logp, classes), nllOracle(arr(logp), 7, arr(classes)));
  matchesOracle(t, lossAndGrad(new ClassNLLCriterion(false), logp, classes), nllOracle(arr(logp), 7, arr(classes), false));
  matchesOracle(t, lossAndGrad(new CrossEntropyCriterion(), scores, classes), crossEntropyOracle(x, 7, arr(classes)));
  matchesOracle(t, lossAndGrad(new MarginCriterion(), scores, labels), marginOracle(x, arr(labels)));
  matchesOracle(t, lossAndGrad(new MarginCriterion(0.5, false), scores, labels), marginOracle(x, arr(labels), 0.5, false));
});

test('CrossEntropyCriterion equals LogSoftMax followed by ClassNLLCriterion', (t) => {
  const ce = new CrossEntropyCriterion().forward(scores, classes).item();
  const nll = new ClassNLLCriterion().forward(scores.logSoftmax(-1), classes).item();
  t.true(Math.abs(ce - nll) < 1e-6);
  t.is(new CrossEntropyCriterion().lsm.toString(), 'nn.LogSoftMax');
});

test('label smoothing and class probabilities match plain JS, for ClassNLL and CrossEntropy', (t) => {
  const logp = scores.logSoftmax(1).detach();
  const lp = arr(logp);
  const q = arr(Tensor.randn([5, 7], new Generator(7)).softmax(1));
  const hard = oneHot(arr(classes), 7);
  matchesOracle(t, lossAndGrad(new ClassNLLCriterion({ labelSmoothing: 0.1 }), logp, classes), smoothedNllOracle(lp, 7, hard, 0.1));
  matchesOracle(t, lossAndGrad(new ClassNLLCriterion({ labelSmoothing: 0.3, sizeAverage: false }), logp, classes), smoothedNllOracle(lp, 7, hard, 0.3, false));
  matchesOracle(t, lossAndGrad(new ClassNLLCriterion(), logp, Tensor.from(q, [5, 7])), smoothedNllOracle(lp, 7, q, 0));
  matchesOracle(t, lossAndGrad(new ClassNLLCriterion({ labelSmoothing: 0.2 }), logp, Tensor.from(q, [5, 7])), smoothedNllOracle(lp, 7, q, 0.2));
  // one-hot rows as probabilities give the loss of the indices
  const viaRows = new ClassNLLCriterion().forward(logp, Tensor.from(hard, [5, 7])).item();
  t.true(Math.abs(viaRows - new ClassNLLCriterion().forward(logp, classes).item()) < 1e-6);
  // CrossEntropy: ∂L/∂x = (softmax(x) − (1 − ε)·q − ε/C) / N
  const ce = lossAndGrad(new CrossEntropyCriterion({ labelSmoothing: 0.1 }), scores, Tensor.from(q, [5, 7]));
  const p = arr(scores.softmax(1));
  const want = smoothedNllOracle(lp, 7, q, 0.1);
  matchesOracle(t, ce, { loss: want.loss, grad: p.map((v, i) => v / 5 + want.grad[i]!) });
  // a single sample [C] with a distribution [C]
  const one = new ClassNLLCriterion({ labelSmoothing: 0.5 }).forward(Tensor.from([-0.1, -2.4]), Tensor.from([0, 1])).item();
  t.true(Math.abs(one - (0.75 * 2.4 + 0.25 * 0.1)) < 1e-6);
  t.is(new CrossEntropyCriterion({ labelSmoothing: 0.1 }).toString(), 'nn.CrossEntropyCriterion(labelSmoothing 0.1)');
  t.is(new ClassNLLCriterion(false).sizeAverage, false);
});

test('label smoothing: finite differences through a small net, indices and probabilities', (t) => {
  const g = new Generator(11);
  const w = Tensor.randn([6, 4], g).requiresGrad_();
  const x = Tensor.randn([3, 6], g);
  const q = Tensor.randn([3, 4], g).softmax(1).detach();
  const idx = Tensor.from([2, 0, 3]);
  const smooth = new CrossEntropyCriterion({ labelSmoothing: 0.1 });
  checkGrad(t, 'CrossEntropyCriterion(labelSmoothing 0.1), indices, w.r.t. the weights', (wi) => smooth.forward(x.matmul(wi!), idx), [w]);
  checkGrad(t, 'ClassNLLCriterion(labelSmoothing 0.1), probabilities, w.r.t. the weights', (wi) => new ClassNLLCriterion({ labelSmoothing: 0.1 }).forward(x.matmul(wi!).logSoftmax(1), q), [w]);
});

test('label smoothing outside [0, 1) is a RangeError naming the argument', (t) => {
  for (const eps of [-0.1, 1, 1.5, Number.NaN]) {
    t.throws(() => new ClassNLLCriterion({ labelSmoothing: eps }), { instanceOf: RangeError, message: new RegExp(`nn\\.ClassNLLCriterion: labelSmoothing must be a number in \\[0, 1\\), got ${String(eps)}`) });
    t.throws(() => new CrossEntropyCriterion({ labelSmoothing: eps }), { instanceOf: RangeError, message: /nn\.CrossEntropyCriterion: labelSmoothing must be a number in \[0, 1\)/ });
  }
});

// ---- gradients: finite differences, Torch7 backward against autograd, backends ----------------

testCriteria(test, CORE_CRITERION_CASES);

test('MSECriterion: gradcheck w.r.t. the target too', (t) => {
  const x = Tensor.randn([3, 4], new Generator(1)).requiresGrad_();
  const y = Tensor.randn([3, 4], new Generator(2)).requiresGrad_();
  const crit = new MSECriterion();
  checkGrad(t, 'MSECriterion w.r.t. input and target', (a, b) => crit.forward(a!, b!), [x, y]);
});

// ---- errors -----------------------------------------------------------------------------------

test('a target of the wrong shape is a ShapeError naming the criterion and both shapes', (t) => {
  const shapeErr = (fn: () => unknown, re: RegExp): void => {
    const e = t.throws(fn, { instanceOf: ShapeError });
    t.regex(e!.message, re);
  };
  shapeErr(() => new MSECriterion().forward(Tensor.zeros([2, 3]), Tensor.zeros([3, 2])), /nn\.MSECriterion: target shape \[3, 2\] does not match input shape \[2, 3\]/);
  shapeErr(() => new MSECriterion().forward(Tensor.zeros([4]), Tensor.zeros([5])), /nn\.MSECriterion.*\[5\].*\[4\]/);
  shapeErr(() => new MarginCriterion().forward(Tensor.zeros([4, 2]), Tensor.ones([4])), /nn\.MarginCriterion: target shape \[4\] does not match input shape \[4, 2\]/);
  shapeErr(() => new ClassNLLCriterion().forward(Tensor.zeros([3, 5]), Tensor.zeros([4])), /nn\.ClassNLLCriterion.*\[3, 5\].*\[4\]/);
  shapeErr(() => new CrossEntropyCriterion().forward(Tensor.zeros([3, 5]), Tensor.zeros([4])), /nn\.CrossEntropyCriterion: target shape \[4\] does not match input shape \[3, 5\]/);
  shapeErr(() => new CrossEntropyCriterion().forward(Tensor.zeros([2, 3, 5]), Tensor.zeros([2])), /nn\.CrossEntropyCriterion: input must be \[C\] or \[N, C\] scores, got \[2, 3, 5\]/);
});

test('size-1 dimensions do not count as a mismatch: [N, 1] against [N]', (t) => {
  const x = Tensor.from([1, 2, 3], [3, 1]);
  const y = Tensor.from([1, 1, 1]);
  const mse = new MSECriterion();
  t.true(Math.abs(mse.forward(x, y).item() - (0 + 1 + 4) / 3) < 1e-7);
  t.deepEqual([...mse.backward(x, y).shape], [3, 1]);
});

test('MarginCriterion refuses targets other than ±1', (t) => {
  t.throws(() => new MarginCriterion().forward(Tensor.zeros([3]), Tensor.from([1, 0, -1])), {
    instanceOf: RangeError,
    message: /nn\.MarginCriterion: targets must be 1 or -1, got 0 at position 1/,
  });
});

test('ClassNLLCriterion refuses an out-of-range class index, naming it', (t) => {
  t.throws(() => new ClassNLLCriterion().forward(Tensor.zeros([2, 3]), Tensor.from([0, 3])), { instanceOf: ShapeError, message: /index 3 .*out of range \[0, 3\)/ });
});
