import test from 'ava';
import {
  Adam,
  clipGradNorm,
  CosineAnnealingLR,
  Generator,
  kernels,
  Linear,
  SGD,
  StepLR,
  Tensor,
  type OptimizerStateDict,
} from '@eole/core';

const f = Math.fround;

/** A deterministic gradient of the parameter values and the step: 2·(p − c) + r_t, in float32. */
function gradOf(p: Float32Array, step: number, which: number): Float32Array {
  const rng = new Generator(1000 * which + step);
  const g = new Float32Array(p.length);
  for (let i = 0; i < p.length; i++) g[i] = f(f(2 * f(p[i]! - 0.25 * i)) + f(rng.normal(0, 0.5)));
  return g;
}

function makeParams(seed: number): Tensor[] {
  const rng = new Generator(seed);
  return [Tensor.randn([3, 4], rng).requiresGrad_(), Tensor.randn([5], rng).requiresGrad_()];
}

function setGrads(params: Tensor[], step: number): void {
  params.forEach((p, k) => (p.grad = new Tensor(gradOf(p.data, step, k), p.shape)));
}

interface SGDRef { lr: number; momentum: number; dampening: number; nesterov: boolean; weightDecay: number }

/** torch.optim.SGD's documented algorithm, one parameter, float32 arithmetic. */
function sgdReference(p0: Float32Array, which: number, steps: number, o: SGDRef): Float32Array {
  const p = Float32Array.from(p0);
  let b: Float32Array | null = null;
  for (let t = 0; t < steps; t++) {
    const g = gradOf(p, t, which);
    const d = new Float32Array(p.length);
    for (let i = 0; i < p.length; i++) d[i] = o.weightDecay !== 0 ? f(g[i]! + f(o.weightDecay * p[i]!)) : g[i]!;
    if (o.momentum !== 0) {
      if (b === null) b = Float32Array.from(d);
      else for (let i = 0; i < p.length; i++) b[i] = f(f(o.momentum * b[i]!) + f((1 - o.dampening) * d[i]!));
      for (let i = 0; i < p.length; i++) d[i] = o.nesterov ? f(d[i]! + f(o.momentum * b[i]!)) : b[i]!;
    }
    for (let i = 0; i < p.length; i++) p[i] = f(p[i]! - f(o.lr * d[i]!));
  }
  return p;
}

interface AdamRef { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number }

/** torch.optim.Adam's documented algorithm (Kingma & Ba with bias correction), float32 arithmetic. */
function adamReference(p0: Float32Array, which: number, steps: number, o: AdamRef): Float32Array {
  const p = Float32Array.from(p0);
  const m = new Float32Array(p.length);
  const v = new Float32Array(p.length);
  for (let t = 1; t <= steps; t++) {
    const g = gradOf(p, t - 1, which);
    for (let i = 0; i < p.length; i++) {
      const d = o.weightDecay !== 0 ? f(g[i]! + f(o.weightDecay * p[i]!)) : g[i]!;
      m[i] = f(f(o.beta1 * m[i]!) + f((1 - o.beta1) * d));
      v[i] = f(f(o.beta2 * v[i]!) + f(f((1 - o.beta2) * d) * d));
      const mHat = f(m[i]! / (1 - o.beta1 ** t));
      const vHat = f(v[i]! / (1 - o.beta2 ** t));
      p[i] = f(p[i]! - f(f(o.lr * mHat) / f(f(Math.sqrt(vHat)) + o.eps)));
    }
  }
  return p;
}

function assertClose(t: { true(v: boolean, m?: string): void }, actual: Float32Array, expected: Float32Array, tol: number, label: string): void {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
  t.true(worst <= tol, `${label}: max relative error ${worst} > ${tol}`);
}

const SGD_CASES: [string, SGDRef][] = [
  ['plain', { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 }],
  ['momentum', { lr: 0.05, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0 }],
  ['nesterov', { lr: 0.05, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 0 }],
  ['weight decay', { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0.01 }],
  ['dampening', { lr: 0.05, momentum: 0.8, dampening: 0.3, nesterov: false, weightDecay: 0 }],
  ['everything', { lr: 0.02, momentum: 0.7, dampening: 0, nesterov: true, weightDecay: 0.05 }],
];

for (const [name, o] of SGD_CASES) {
  for (const backend of ['cpu', 'webasm'] as const) {
    test(`SGD (${name}, ${backend}) follows torch.optim.SGD for 6 steps`, (t) => {
      const params = makeParams(7);
      const start = params.map((p) => Float32Array.from(p.data));
      const opt = new SGD(params, o);
      kernels.withBackend(backend, () => {
        for (let s = 0; s < 6; s++) {
          setGrads(params, s);
          opt.step();
        }
      });
      params.forEach((p, k) => assertClose(t, p.data, sgdReference(start[k]!, k, 6, o), 2e-6, `param ${k}`));
      if (o.momentum === 0) t.is(opt.stateDict().state[0], null);
    });
  }
}

for (const [name, o] of [
  ['defaults', { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 }],
  ['large lr, weight decay', { lr: 0.05, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.1 }],
] as [string, AdamRef][]) {
  for (const backend of ['cpu', 'webasm'] as const) {
    test(`Adam (${name}, ${backend}) follows torch.optim.Adam for 6 steps`, (t) => {
      const params = makeParams(11);
      const start = params.map((p) => Float32Array.from(p.data));
      const opt = new Adam(params, { lr: o.lr, betas: [o.beta1, o.beta2], eps: o.eps, weightDecay: o.weightDecay });
      kernels.withBackend(backend, () => {
        for (let s = 0; s < 6; s++) {
          setGrads(params, s);
          opt.step();
        }
      });
      params.forEach((p, k) => assertClose(t, p.data, adamReference(start[k]!, k, 6, o), 5e-6, `param ${k}`));
      t.is(opt.stateDict().state[0]!['step'], 6);
    });
  }
}

test('Adam first step moves each coordinate by about lr (bias correction)', (t) => {
  const p = Tensor.from([1, -2, 3]).requiresGrad_();
  p.grad = Tensor.from([0.5, -4, 1e-3]);
  new Adam([p], { lr: 0.01 }).step();
  // m̂ = g, v̂ = g², so the step is lr·g/(|g| + ε) ≈ lr·sign(g).
  assertClose(t, p.data, Float32Array.from([0.99, -1.99, 2.99]), 1e-6, 'first step');
});

test('SGD minimises a quadratic through autograd', (t) => {
  const target = Tensor.from([3, -1, 0.5, 2]);
  const p = Tensor.zeros([4]).requiresGrad_();
  const opt = new SGD([p], { lr: 0.1, momentum: 0.5 });
  for (let i = 0; i < 100; i++) {
    opt.zeroGrad();
    p.sub(target).pow(2).sum().backward();
    opt.step();
  }
  assertClose(t, p.data, target.data, 1e-5, 'minimum');
});

test('the optimizers update the parameter tensors in place and skip params without a grad', (t) => {
  const fc = new Linear(3, 2, { rng: new Generator(3) });
  const [w, b] = fc.parameters() as [Tensor, Tensor];
  const before = Float32Array.from(b.data);
  const wData = w.data;
  fc.forward(Tensor.from([1, 2, 3], [1, 3])).sum().backward();
  b.grad = null;
  for (const opt of [new SGD(fc.parameters(), { lr: 0.1, momentum: 0.9 }), new Adam(fc.parameters())]) {
    const wBefore = Float32Array.from(w.data);
    opt.step();
    t.is(w.data, wData);
    t.notDeepEqual(Array.from(w.data), Array.from(wBefore));
    t.deepEqual(Array.from(b.data), Array.from(before));
    t.is(opt.stateDict().state[1], null);
  }
});

test('a changing learning rate does not recompile the update kernels', (t) => {
  const params = makeParams(5);
  const opt = new SGD(params, { lr: 0.1, momentum: 0.9 });
  const sched = new CosineAnnealingLR(opt, { tMax: 10 });
  setGrads(params, 0);
  opt.step();
  opt.step();
  const compiles = kernels.stats().compiles;
  for (let s = 0; s < 5; s++) {
    sched.step();
    opt.step();
  }
  t.is(kernels.stats().compiles, compiles);
});

test('zeroGrad fills with zeros, or drops the gradients', (t) => {
  const params = makeParams(2);
  setGrads(params, 0);
  const opt = new SGD(params, { lr: 1 });
  const g = params[0]!.grad!;
  opt.zeroGrad();
  t.is(params[0]!.grad, g);
  t.true(g.data.every((v) => v === 0));
  opt.zeroGrad(true);
  t.is(params[0]!.grad, null);
});

function runSteps(opt: SGD | Adam, params: Tensor[], from: number, to: number): void {
  for (let s = from; s < to; s++) {
    setGrads(params, s);
    opt.step();
  }
}

for (const [name, make] of [
  ['SGD (nesterov, weight decay)', (ps: Tensor[]) => new SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 })],
  ['Adam', (ps: Tensor[]) => new Adam(ps, { lr: 0.01, weightDecay: 1e-3 })],
] as [string, (ps: Tensor[]) => SGD | Adam][]) {
  test(`${name}: a state dict round trip through JSON resumes bit for bit`, (t) => {
    const straight = makeParams(21);
    const optA = make(straight);
    runSteps(optA, straight, 0, 5);

    const first = makeParams(21);
    const optB = make(first);
    runSteps(optB, first, 0, 3);
    const saved = JSON.stringify(optB.stateDict());
    const savedParams = first.map((p) => Array.from(p.data));

    const resumed = makeParams(99).map((p, k) => Tensor.from(savedParams[k]!, p.shape).requiresGrad_());
    const optC = make(resumed);
    optC.lr = 123;
    optC.loadStateDict(JSON.parse(saved) as OptimizerStateDict);
    t.is(optC.lr, optB.lr);
    runSteps(optC, resumed, 3, 5);
    resumed.forEach((p, k) => t.deepEqual(p.data, straight[k]!.data));
    t.deepEqual(optC.stateDict(), optA.stateDict());
  });
}

test('loadStateDict rejects a dict of another optimizer or other parameter sizes', (t) => {
  const params = makeParams(1);
  const sgd = new SGD(params, { lr: 0.1, momentum: 0.9 });
  runSteps(sgd, params, 0, 1);
  const dict = sgd.stateDict();
  t.throws(() => new Adam(params).loadStateDict(dict), { message: /state dict is for a SGD optimizer, not Adam/ });
  t.throws(() => new SGD(params.slice(0, 1), { lr: 0.1 }).loadStateDict(dict), { message: /state for 2 parameters, this optimizer has 1/ });
  const other = [Tensor.zeros([3, 4]), Tensor.zeros([6])];
  t.throws(() => new SGD(other, { lr: 0.1 }).loadStateDict(dict), { message: /state\[1\]\.momentumBuffer has 5 values, parameter 1 has 6/ });
});

test('constructors validate their options', (t) => {
  const ps = makeParams(1);
  t.throws(() => new SGD(ps, { lr: -1 }), { message: /lr must be a finite number >= 0, got -1/ });
  t.throws(() => new SGD(ps, { lr: 0.1, nesterov: true }), { message: /Nesterov momentum requires momentum > 0/ });
  t.throws(() => new SGD([ps[0]!, ps[0]!], { lr: 0.1 }), { message: /params\[1\] is the same tensor as params\[0\]/ });
  t.throws(() => new Adam(ps, { betas: [0.9, 1] }), { message: /betas\[1\] must be in \[0, 1\), got 1/ });
  t.throws(() => new StepLR(new SGD(ps, { lr: 1 }), { stepSize: 0 }), { message: /stepSize must be a positive integer, got 0/ });
});

test('StepLR follows lr₀·γ^⌊e/stepSize⌋', (t) => {
  const opt = new SGD(makeParams(1), { lr: 0.5 });
  const sched = new StepLR(opt, { stepSize: 3, gamma: 0.5 });
  const seen = [sched.getLastLr()];
  for (let e = 1; e <= 10; e++) {
    sched.step();
    seen.push(opt.lr);
    t.is(sched.getLastLr(), opt.lr);
  }
  t.deepEqual(seen, [0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125, 0.125, 0.125, 0.0625, 0.0625]);
  t.is(new StepLR(new SGD(makeParams(1), { lr: 1 }), { stepSize: 1 }).lrAt(2), 1 * 0.1 ** 2);
});

test('CosineAnnealingLR follows η_min + (lr₀ − η_min)(1 + cos(πe/T))/2', (t) => {
  const opt = new SGD(makeParams(1), { lr: 0.1 });
  const sched = new CosineAnnealingLR(opt, { tMax: 10, etaMin: 0.001 });
  t.is(opt.lr, 0.1);
  for (let e = 1; e <= 10; e++) {
    sched.step();
    const expected = 0.001 + ((0.1 - 0.001) * (1 + Math.cos((Math.PI * e) / 10))) / 2;
    t.true(Math.abs(opt.lr - expected) < 1e-15, `epoch ${e}: ${opt.lr} vs ${expected}`);
  }
  t.true(Math.abs(opt.lr - 0.001) < 1e-15);
  t.true(Math.abs(new CosineAnnealingLR(new SGD(makeParams(1), { lr: 0.1 }), { tMax: 10 }).lrAt(5) - 0.05) < 1e-15);
});

test('a schedule state dict restores the epoch and the learning rate', (t) => {
  const opt = new SGD(makeParams(1), { lr: 0.2 });
  const sched = new StepLR(opt, { stepSize: 2 });
  for (let e = 0; e < 5; e++) sched.step();
  const saved = JSON.parse(JSON.stringify(sched.stateDict()));
  const opt2 = new SGD(makeParams(1), { lr: 0.2 });
  const sched2 = new StepLR(opt2, { stepSize: 2 }).loadStateDict(saved);
  t.is(opt2.lr, opt.lr);
  sched.step();
  sched2.step();
  t.is(opt2.lr, opt.lr);
  t.throws(() => new CosineAnnealingLR(opt2, { tMax: 3 }).loadStateDict(saved), { message: /for a StepLR schedule, not CosineAnnealingLR/ });
});

test('clipGradNorm scales the joint 2-norm down to maxNorm and returns the norm before', (t) => {
  const a = Tensor.zeros([2]).requiresGrad_();
  const b = Tensor.zeros([1]).requiresGrad_();
  const c = Tensor.zeros([3]).requiresGrad_();
  a.grad = Tensor.from([3, 4]);
  b.grad = Tensor.from([12]);
  const total = clipGradNorm([a, b, c], 6.5);
  t.true(Math.abs(total - 13) < 1e-6);
  const coef = 6.5 / (13 + 1e-6);
  assertClose(t, a.grad.data, Float32Array.from([3 * coef, 4 * coef]), 1e-7, 'a');
  assertClose(t, b.grad.data, Float32Array.from([12 * coef]), 1e-7, 'b');
  t.true(Math.abs(clipGradNorm([a, b], 100) - 6.5) < 1e-5);
  assertClose(t, b.grad.data, Float32Array.from([12 * coef]), 0, 'untouched under the limit');
});

test('clipGradNorm with the infinity norm and with no gradients', (t) => {
  const a = Tensor.zeros([3]).requiresGrad_();
  a.grad = Tensor.from([1, -8, 2]);
  t.is(clipGradNorm([a], 2, Infinity), 8);
  assertClose(t, a.grad.data, Float32Array.from([0.25, -2, 0.5]), 1e-6, 'inf');
  t.is(clipGradNorm([Tensor.zeros([2])], 1), 0);
  t.throws(() => clipGradNorm([a], -1), { message: /maxNorm must be a number >= 0/ });
});

test('after zeroGrad the next backward copies its gradient in; later ones and an assigned grad still accumulate', (t) => {
  const w = Tensor.randn([300, 40], new Generator(31)).requiresGrad_();
  const x = Tensor.randn([8, 300], new Generator(32));
  const loss = (): Tensor => x.matmul(w).tanh().sum();
  loss().backward();
  const once = Float32Array.from(w.grad!.data);
  const opt = new SGD([w], { lr: 0.1 });
  opt.zeroGrad();
  t.true(w.grad!.data.every((v) => v === 0), 'zeroGrad leaves zeros');
  loss().backward();
  t.deepEqual(w.grad!.data, once, 'zeroGrad + backward equals a first backward');
  loss().backward();
  t.deepEqual(w.grad!.data, once.map((v) => v + v), 'a second backward accumulates');
  opt.zeroGrad();
  w.grad = Tensor.full([300, 40], 1);
  loss().backward();
  t.deepEqual(w.grad!.data, once.map((v) => 1 + v), 'an assigned gradient is added to, not overwritten');
});
