import test from 'ava';
import { defineFunction, gradcheck, Generator, noGrad, runBackward, Tensor } from '@eole/core';

test('gradients accumulate over two backward passes', (t) => {
  const x = Tensor.from([1, 2, 3]).requiresGrad_();
  x.mul(x).sum().backward();
  x.mul(x).sum().backward();
  t.deepEqual(x.grad!.toArray(), [4, 8, 12]);
});

test('a diamond DAG sums both paths (z = x·y + x, used twice)', (t) => {
  const x = Tensor.from([2]).requiresGrad_();
  const y = Tensor.from([3]).requiresGrad_();
  const a = x.mul(y);
  const z = a.add(x).mul(a); // (xy + x)·xy
  z.sum().backward();
  // dz/dx = (y + 1)·xy + (xy + x)·y = 4·6 + 8·3 = 48; dz/dy = x·xy + (xy + x)·x = 12 + 16 = 28
  t.deepEqual(x.grad!.toArray(), [48]);
  t.deepEqual(y.grad!.toArray(), [28]);
});

test('noGrad records nothing; detach cuts the graph', (t) => {
  const x = Tensor.from([1, 2]).requiresGrad_();
  const y = noGrad(() => x.mul(2));
  t.false(y.requiresGrad);
  t.is(y.gradFn, null);
  const d = x.mul(3).detach();
  t.false(d.requiresGrad);
  const e = t.throws(() => d.sum().backward());
  t.regex(e!.message, /does not require grad/);
});

test('backward of a non-scalar needs a gradient of the right shape', (t) => {
  const x = Tensor.from([1, 2]).requiresGrad_();
  const e = t.throws(() => x.mul(2).backward());
  t.regex(e!.message, /gradient is required for a non-scalar output of shape \[2\]/);
  x.mul(2).backward(Tensor.from([1, 10]));
  t.deepEqual(x.grad!.toArray(), [2, 20]);
});

test('runBackward stops at requested tensors and returns their gradient', (t) => {
  const w = Tensor.from([3]).requiresGrad_();
  const x = Tensor.from([2]).requiresGrad_();
  const h = x.mul(w);
  const out = h.mul(h);
  const grads = runBackward(out, Tensor.ones([1]), { stopAt: [h] });
  t.deepEqual(grads.get(h)!.toArray(), [12]);
  t.is(w.grad, null, 'nothing below the stop point is touched');
});

test('defineFunction: a hand-written backward joins the DAG and passes gradcheck', (t) => {
  const cube = defineFunction<Tensor>({
    name: 'cube',
    forward: ([x]) => ({ output: x!.mul(x!).mul(x!), saved: x! }),
    backward: (x, g) => [g.mul(x.mul(x)).mul(3)],
  });
  const x = Tensor.randn([4, 3], new Generator(1)).requiresGrad_();
  const y = cube(x);
  t.is(y.gradFn?.name, 'cube');
  t.true(gradcheck((a) => cube(a).tanh(), [x]).ok);
});

test('gradcheck catches a wrong gradient', (t) => {
  const wrong = defineFunction<Tensor>({
    name: 'wrongSquare',
    forward: ([x]) => ({ output: x!.mul(x!), saved: x! }),
    backward: (x, g) => [g.mul(x)], // missing the factor 2
  });
  const x = Tensor.randn([5], new Generator(2)).requiresGrad_();
  const r = gradcheck((a) => wrong(a), [x]);
  t.false(r.ok);
  t.truthy(r.worst);
});

test('a deep chain of 2,000 ops backpropagates without recursion limits', (t) => {
  const x = Tensor.from([0.5]).requiresGrad_();
  let y = x;
  for (let i = 0; i < 2000; i++) y = y.mul(1.0005);
  y.sum().backward();
  t.true(Math.abs(x.grad!.item() - 1.0005 ** 2000) < 1e-3);
});

test('a stop point that is a leaf is not accumulated into (Torch7 backward never touches input.grad)', (t) => {
  const x = Tensor.from([1, 2]).requiresGrad_();
  const y = x.mul(3);
  const g = runBackward(y, Tensor.ones([2]), { stopAt: [x] }).get(x)!;
  t.deepEqual(g.toArray(), [3, 3]);
  t.is(x.grad, null);
});
