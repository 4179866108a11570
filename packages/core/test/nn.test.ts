import test from 'ava';
import {
  ClassNLLCriterion,
  Concat,
  Ensemble,
  defineFunction,
  Dropout,
  gradcheck,
  Generator,
  Identity,
  Linear,
  LogSoftMax,
  Module,
  noGrad,
  Parallel,
  LeakyReLU,
  ReLU,
  Sequential,
  ShapeError,
  Sigmoid,
  SoftMax,
  Tanh,
  Tensor,
  Threshold,
  View,
} from '@eole/core';
import { close, CORE_MODULE_CASES, rowsOf, testModules } from '@eole/core/testing';

// ---- every module: gradcheck, Torch7 backward against autograd, cpu/webasm parity, round trip --

testModules(test, CORE_MODULE_CASES);

// ---- forward values against plain JS ----------------------------------------------------------

test('Ensemble averages its members\' probabilities (logprob) or outputs (mean), and names a member of the wrong shape', (t) => {
  const rng = new Generator(4);
  const a = new Sequential(new Linear(5, 4, { rng }), new LogSoftMax());
  const b = new Sequential(new Linear(5, 4, { rng }), new LogSoftMax());
  const x = Tensor.randn([3, 5], rng);
  const [ya, yb, y] = noGrad(() => [a.forward(x).toArray(), b.forward(x).toArray(), new Ensemble([a, b]).forward(x).toArray()]);
  for (let i = 0; i < 12; i++) t.true(Math.abs(y[i]! - Math.log((Math.exp(ya[i]!) + Math.exp(yb[i]!)) / 2)) < 1e-5);
  // the ensemble of log-probabilities is again a distribution
  for (let r = 0; r < 3; r++) t.true(Math.abs(y.slice(r * 4, r * 4 + 4).reduce((s, v) => s + Math.exp(v), 0) - 1) < 1e-5);
  const m = noGrad(() => new Ensemble([a, b], 'mean').forward(x).toArray());
  for (let i = 0; i < 12; i++) t.true(Math.abs(m[i]! - (ya[i]! + yb[i]!) / 2) < 1e-6);
  // very negative log-probabilities do not underflow to -Infinity (the max is taken out first)
  const far = noGrad(() => new Ensemble([new Identity(), new Identity()]).forward(Tensor.full([1, 2], -1000)).toArray());
  t.true(far.every((v) => Math.abs(v + 1000) < 1e-3));
  t.throws(() => noGrad(() => new Ensemble([a, new Linear(5, 3, { rng })]).forward(x)), { message: /member 1 returned \[3, 3\], member 0 returned \[3, 4\]/ });
  t.throws(() => new Ensemble().forward(x), { message: /no members/ });
  t.throws(() => new Ensemble([a], 'max' as 'mean'), { message: /combine/ });
});

test('Concat joins the children outputs along dim, as PyTorch torch.cat', (t) => {
  const a = new Linear(4, 3, { rng: new Generator(1) });
  const b = new Tanh();
  const x = Tensor.randn([2, 4], new Generator(2));
  const y = noGrad(() => new Concat(1, a, b).forward(x));
  t.deepEqual([...y.shape], [2, 7]);
  const ya = rowsOf(noGrad(() => a.forward(x)));
  const yb = rowsOf(noGrad(() => b.forward(x)));
  t.deepEqual(rowsOf(y), [ya[0]!.concat(yb[0]!), ya[1]!.concat(yb[1]!)]);
  const z = noGrad(() => new Concat(-2, a, a).forward(x));
  t.deepEqual([...z.shape], [4, 3], 'negative dims count from the end');
  t.deepEqual(rowsOf(z), [...ya, ...ya]);
});

test('Parallel feeds slice i along inputDim to module i and joins along outputDim', (t) => {
  const a = new Linear(3, 2, { rng: new Generator(1) });
  const b = new Linear(3, 4, { rng: new Generator(2) });
  const x = Tensor.randn([5, 2, 3], new Generator(3)); // [batch, branch, features]
  const y = noGrad(() => new Parallel(1, 1, a, b).forward(x));
  t.deepEqual([...y.shape], [5, 6]);
  const slice = (i: number): Tensor => Tensor.from(Array.from({ length: 5 }, (_, n) => Array.from(x.data.subarray(n * 6 + i * 3, n * 6 + i * 3 + 3))).flat(), [5, 3]);
  const ya = rowsOf(noGrad(() => a.forward(slice(0))));
  const yb = rowsOf(noGrad(() => b.forward(slice(1))));
  t.deepEqual(rowsOf(y), ya.map((r, n) => r.concat(yb[n]!)));
});

test('Identity returns its input; Threshold, ReLU, Tanh, Sigmoid, SoftMax, LogSoftMax match plain JS', (t) => {
  const v = [-2, -0.5, 0, 1e-7, 0.3, 2];
  const x = Tensor.from(v, [2, 3]);
  const run = (m: Module): number[] => noGrad(() => m.forward(x)).toArray();
  t.deepEqual(run(new Identity()), Array.from(Float32Array.from(v)));
  const f32 = (a: number[]): number[] => Array.from(Float32Array.from(a));
  t.deepEqual(run(new Threshold()), f32(v.map((u) => (u > 1e-6 ? u : 0))));
  t.deepEqual(run(new Threshold(0.2, -1)), f32(v.map((u) => (u > 0.2 ? u : -1))));
  t.deepEqual(run(new ReLU()), f32(v.map((u) => Math.max(0, u))));
  close(t, run(new Tanh()), v.map(Math.tanh), 1e-6, 'tanh');
  close(t, run(new Sigmoid()), v.map((u) => 1 / (1 + Math.exp(-u))), 1e-6, 'sigmoid');
  const softmaxRows = (log: boolean): number[] =>
    [v.slice(0, 3), v.slice(3)].flatMap((r) => {
      const lse = Math.log(r.reduce((s, u) => s + Math.exp(u), 0));
      return r.map((u) => (log ? u - lse : Math.exp(u - lse)));
    });
  close(t, run(new SoftMax()), softmaxRows(false), 1e-6, 'softmax over the last axis');
  close(t, run(new LogSoftMax()), softmaxRows(true), 1e-6, 'log-softmax over the last axis');
});

// ---- View -------------------------------------------------------------------------------------

test('View keeps the batch dimension and reshapes each sample', (t) => {
  const shape = (m: View, s: number[]): number[] => [...noGrad(() => m.forward(Tensor.zeros(s))).shape];
  t.deepEqual(shape(new View(784), [32, 1, 28, 28]), [32, 784]);
  t.deepEqual(shape(new View(-1), [32, 1, 28, 28]), [32, 784]);
  t.deepEqual(shape(new View(1, 28, 28), [32, 784]), [32, 1, 28, 28]);
  t.deepEqual(shape(new View(-1, 7), [32, 28]), [32, 4, 7]);
  t.deepEqual(shape(new View(784), [1, 784]), [1, 784], 'a batch of one stays a batch');
  t.deepEqual(shape(new View(28, 28), [784]), [28, 28], 'one sample');
  t.deepEqual(shape(new View(784), [28, 28]), [784], 'one sample whose size equals the view size');
  t.deepEqual(shape(new View(12).setNumInputDims(2), [2, 3, 4]), [2, 12]);
  t.deepEqual(shape(new View(4, 3).setNumInputDims(2), [3, 4]), [4, 3]);
  const x = Tensor.arange(6).reshape([1, 6]);
  t.is(noGrad(() => new View(2, 3).forward(x)).data, x.data, 'a view shares the data');
});

test('View refuses a size that does not fit, naming both shapes', (t) => {
  const e = t.throws(() => new View(5).forward(Tensor.zeros([3, 4])), { instanceOf: ShapeError });
  t.regex(e!.message, /nn\.View.*\[3, 4\].*\[5\]/);
  t.throws(() => new View(-1, -1), { message: /only one size can be -1/ });
});

// ---- Dropout ----------------------------------------------------------------------------------

test('Dropout keeps each unit with probability 1 - p and scales it by 1/(1 - p)', (t) => {
  const d = new Dropout(0.3, { rng: new Generator(3) });
  const y = noGrad(() => d.forward(Tensor.ones([100, 100])));
  const kept = y.data.filter((v) => v !== 0);
  t.true(kept.every((v) => Math.abs(v - 1 / 0.7) < 1e-6), 'kept units are scaled by 1/(1 - p)');
  t.true(Math.abs(kept.length / y.size - 0.7) < 0.02, `kept fraction ${kept.length / y.size}`);
  t.deepEqual(d.noise!.toArray(), y.toArray(), 'noise holds the mask');
});

test('Dropout with the same seed draws the same mask; another seed another mask', (t) => {
  const x = Tensor.randn([8, 33], new Generator(1));
  const mask = (seed: number): number[] => noGrad(() => new Dropout(0.5, { rng: new Generator(seed) }).forward(x)).toArray();
  t.deepEqual(mask(7), mask(7));
  t.notDeepEqual(mask(7), mask(8));
});

test('Dropout.setGenerator: the masks follow the new generator from then on; a non-generator is refused by name', (t) => {
  const x = Tensor.randn([8, 33], new Generator(1));
  const fresh = noGrad(() => new Dropout(0.5, { rng: new Generator(7) }).forward(x)).toArray();
  const switched = new Dropout(0.5, { rng: new Generator(2) });
  noGrad(() => switched.forward(x));
  t.deepEqual(noGrad(() => switched.setGenerator(new Generator(7)).forward(x)).toArray(), fresh);
  t.throws(() => switched.setGenerator(null as unknown as Generator), { message: /Dropout\.setGenerator: rng must be a Generator, got null/ });
});

test('Dropout passes gradient only through kept units', (t) => {
  const d = new Dropout(0.5, { rng: new Generator(4) });
  const x = Tensor.randn([4, 6], new Generator(5));
  const y = d.forward(x);
  const g = d.backward(x, Tensor.ones(y.shape));
  t.deepEqual(g.toArray(), d.noise!.toArray());
  t.true(g.data.some((v) => v === 0) && g.data.some((v) => v === 2));
});

test('Dropout is the identity in evaluate mode and after train(false)', (t) => {
  const d = new Dropout(0.9, { rng: new Generator(1) }).evaluate();
  const x = Tensor.randn([5, 7], new Generator(2));
  t.deepEqual(d.forward(x).toArray(), x.toArray());
  const g = Tensor.randn([5, 7], new Generator(3));
  t.deepEqual(d.backward(x, g).toArray(), g.toArray());
  d.train();
  t.notDeepEqual(noGrad(() => d.forward(x)).toArray(), x.toArray(), 'training again drops units');
  t.throws(() => new Dropout(1.5), { instanceOf: RangeError, message: /Dropout: p must be a probability in \[0, 1\], got 1\.5/ });
});

test('train() and evaluate() propagate to every descendant', (t) => {
  const inner = new Dropout(0.5);
  const net = new Sequential(new Linear(3, 4), new Dropout(), new Concat(1, inner, new Parallel(0, 0, new Identity())));
  const all = (m: Module): Module[] => [m, ...m.children().flatMap(all)];
  t.is(all(net).length, 7);
  net.evaluate();
  t.true(all(net).every((m) => !m.training));
  net.train();
  t.true(all(net).every((m) => m.training));
  net.train(false);
  t.false(inner.training);
});

// ---- state dict -------------------------------------------------------------------------------

const withParams: Record<string, { make: (rng: Generator) => Module; shape: number[]; keys: string[] }> = {
  Linear: { make: (rng) => new Linear(6, 4, { rng }), shape: [3, 6], keys: ['weight', 'bias'] },
  Sequential: {
    make: (rng) => new Sequential(new Linear(6, 5, { rng }), new Threshold(), new Linear(5, 3, { rng, bias: false }), new LogSoftMax()),
    shape: [3, 6],
    keys: ['0.weight', '0.bias', '2.weight'],
  },
  Concat: {
    make: (rng) => new Concat(1, new Linear(6, 2, { rng }), new Identity(), new Sequential(new Tanh(), new Linear(6, 3, { rng }))),
    shape: [3, 6],
    keys: ['0.weight', '0.bias', '2.1.weight', '2.1.bias'],
  },
  Ensemble: {
    make: (rng) => new Ensemble([new Linear(6, 3, { rng }), new Sequential(new Tanh(), new Linear(6, 3, { rng }))]),
    shape: [3, 6],
    keys: ['0.weight', '0.bias', '1.1.weight', '1.1.bias'],
  },
  Parallel: {
    make: (rng) => new Parallel(1, 1, new Linear(6, 2, { rng }), new Linear(6, 4, { rng })),
    shape: [3, 2, 6],
    keys: ['0.weight', '0.bias', '1.weight', '1.bias'],
  },
};

for (const [name, c] of Object.entries(withParams)) {
  test(`${name}: stateDict -> loadStateDict into a module built with another seed gives identical outputs`, (t) => {
    const a = c.make(new Generator(1));
    const b = c.make(new Generator(2));
    t.deepEqual([...a.stateDict().keys()], c.keys);
    const x = Tensor.randn(c.shape, new Generator(3));
    const out = (m: Module): number[] => noGrad(() => m.forward(x)).toArray();
    t.notDeepEqual(out(a), out(b), 'different seeds give different modules');
    b.loadStateDict(a.stateDict());
    t.deepEqual(out(b), out(a));
    for (const [k, v] of b.stateDict()) t.not(v.data, a.stateDict().get(k)!.data, `${k} is copied, not shared`);
  });
}

test('loadStateDict names a missing entry and a wrong shape', (t) => {
  const net = new Sequential(new Linear(5, 3), new ReLU(), new Linear(3, 2));
  const dict = new Map(net.stateDict());
  dict.delete('2.bias');
  t.throws(() => new Sequential(new Linear(5, 3), new ReLU(), new Linear(3, 2)).loadStateDict(dict), { message: /missing '2\.bias' \(expected shape \[2\]\)/ });
  const wrong = new Map(net.stateDict());
  wrong.set('0.weight', Tensor.zeros([4, 5]));
  t.throws(() => new Sequential(new Linear(5, 3), new ReLU(), new Linear(3, 2)).loadStateDict(wrong), { message: /'0\.weight' has shape \[4, 5\], the module expects \[3, 5\]/ });
});

// ---- errors -----------------------------------------------------------------------------------

test('Linear names the expected and actual input shapes', (t) => {
  const e = t.throws(() => new Linear(5, 4).forward(Tensor.zeros([3, 6])), { instanceOf: ShapeError });
  t.regex(e!.message, /nn\.Linear: expected input \[5\] or \[batch, 5\], got \[3, 6\]/);
  t.throws(() => new Linear(5, 4).forward(Tensor.zeros([2, 3, 5])), { instanceOf: ShapeError, message: /got \[2, 3, 5\]/ });
});

test('Concat and Parallel name the shapes that do not fit', (t) => {
  const c = new Concat(0, new Linear(4, 3), new Linear(4, 2));
  t.throws(() => c.forward(Tensor.zeros([2, 4])), { instanceOf: ShapeError, message: /nn\.Concat: cannot join the outputs \[2, 3\], \[2, 2\] along dim 0/ });
  t.throws(() => new Concat(2, new Identity()).forward(Tensor.zeros([2, 4])), { instanceOf: ShapeError, message: /nn\.Concat: axis 2 is out of range/ });
  t.throws(() => new Concat(1).forward(Tensor.zeros([2, 4])), { message: /nn\.Concat\.forward: the container has no modules/ });
  const p = new Parallel(1, 0, new Linear(4, 3), new Linear(4, 3));
  t.throws(() => p.forward(Tensor.zeros([4, 3])), { instanceOf: ShapeError, message: /nn\.Parallel: input \[4, 3\] has 3 slices along inputDim 1, expected one per module \(2\)/ });
  t.throws(() => p.get(2), { instanceOf: RangeError, message: /nn\.Parallel\.get: index 2 is out of range \[0, 2\)/ });
});

// ---- toString ---------------------------------------------------------------------------------

test("toString prints the lecture's net as a Torch7 tree", (t) => {
  const net = new Sequential(new Linear(784, 1000), new Threshold(), new Linear(1000, 10), new LogSoftMax());
  const s = net.toString();
  t.true(s.includes('nn.Linear(784 -> 1000)'));
  t.is(
    s,
    [
      'nn.Sequential {',
      '  [input -> (1) -> (2) -> (3) -> (4) -> output]',
      '  (1): nn.Linear(784 -> 1000)',
      '  (2): nn.Threshold(1e-06, 0)',
      '  (3): nn.Linear(1000 -> 10)',
      '  (4): nn.LogSoftMax',
      '}',
    ].join('\n'),
  );
});

test('toString of the other modules, with numbers printed as Lua does', (t) => {
  t.is(new Threshold().toString(), 'nn.Threshold(1e-06, 0)');
  t.is(new Threshold(0.1, -1).toString(), 'nn.Threshold(0.1, -1)');
  t.is(new Threshold(1e-5, 1e20).toString(), 'nn.Threshold(1e-05, 1e+20)');
  t.is(new Threshold(0.0001, 123456).toString(), 'nn.Threshold(0.0001, 123456)');
  t.is(new ReLU().toString(), 'nn.ReLU');
  t.is(new Dropout().toString(), 'nn.Dropout(0.5)');
  t.is(new Dropout(0.25).toString(), 'nn.Dropout(0.25)');
  t.is(new View(-1, 784).toString(), 'nn.View(-1, 784)');
  t.is(new Tanh().toString(), 'nn.Tanh');
  t.is(new SoftMax().toString(), 'nn.SoftMax');
  t.is(new Identity().toString(), 'nn.Identity');
  t.is(new ClassNLLCriterion().toString(), 'nn.ClassNLLCriterion');
});

test('Concat and Parallel print their branches like Torch7', (t) => {
  const c = new Concat(1, new Linear(10, 3), new Sequential(new Linear(10, 5), new Tanh()));
  t.is(
    c.toString(),
    [
      'nn.Concat {',
      '  input',
      '    |`-> (1): nn.Linear(10 -> 3)',
      '     `-> (2): nn.Sequential {',
      '           [input -> (1) -> (2) -> output]',
      '           (1): nn.Linear(10 -> 5)',
      '           (2): nn.Tanh',
      '         }',
      '     ... -> output',
      '}',
    ].join('\n'),
  );
  const p = new Parallel(1, 0, new Sequential(new Tanh()), new Identity());
  t.is(
    p.toString(),
    [
      'nn.Parallel {',
      '  input',
      '    |`-> (1): nn.Sequential {',
      '    |      [input -> (1) -> output]',
      '    |      (1): nn.Tanh',
      '    |    }',
      '     `-> (2): nn.Identity',
      '     ... -> output',
      '}',
    ].join('\n'),
  );
});

// ---- the harness can fail ---------------------------------------------------------------------

test('the gradient checks catch a module whose backward is wrong', (t) => {
  const badSquare = defineFunction<Tensor>({ name: 'badSquare', forward: ([x]) => ({ output: x!.mul(x!), saved: x! }), backward: (x, g) => [g.mul(x)] });
  class BadSquare extends Module {
    protected updateOutput(input: Tensor): Tensor {
      return badSquare(input);
    }
  }
  const x = Tensor.randn([3, 4], new Generator(1)).requiresGrad_();
  const m = new BadSquare();
  t.false(gradcheck((xi) => m.forward(xi!), [x]).ok);
});

test('LeakyReLU: Torch7 default slope 1/100, prints as Torch7, rejects a bad slope', (t) => {
  t.deepEqual(Array.from(new LeakyReLU().forward(Tensor.from([-2, 3])).data), [Math.fround(-0.02), 3]);
  t.is(new LeakyReLU(0.2).toString(), 'nn.LeakyReLU(0.2)');
  t.throws(() => new LeakyReLU(-1), { message: /LeakyReLU: negval must be a finite number ≥ 0, got -1/ });
});
