import test from 'ava';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { concat, Generator, kernels, loadModule, noGrad, saveModule, Tensor } from '@eole/core';
import { checkGrad, maxAbsErr, tempDir } from '@eole/core/testing';
import { StackRNN } from '@eole/rnn-memory';

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

function flat(r: { output: Tensor; state: { h: Tensor; stacks: Tensor } }): Tensor {
  return concat([r.output.reshape([r.output.size]), r.state.stacks.reshape([r.state.stacks.size])], 0);
}

test('StackRNN passes gradcheck through three steps (inputs, initial state and every parameter)', (t) => {
  const rng = new Generator(5);
  const net = new StackRNN(2, 3, { numStacks: 2, stackDepth: 4, readDepth: 2, rng });
  const x = Tensor.randn([2, 3, 2], rng).requiresGrad_();
  const h0 = Tensor.randn([2, 3], rng, 0, 0.5).requiresGrad_();
  const s0 = Tensor.uniform([2, 2, 4], rng, -1, 1).requiresGrad_();
  checkGrad(t, 'StackRNN inputs', (xx, hh, ss) => flat(net.forwardWithState(xx!, { h: hh!, stacks: ss! })), [x, h0, s0]);
  // parameters through the module directly: every entry, step 1e-2, |autograd − numeric| ≤ 2e-2
  checkGrad(t, 'StackRNN parameters', () => flat(net.forwardWithState(x.detach())), net.parameters(), { eps: 1e-2, atol: 2e-2, rtol: 0 });
});

test('StackRNN: one step matches a hand-computed push/pop/no-op update', (t) => {
  const net = new StackRNN(1, 1, { stackDepth: 3, readDepth: 1, emptyValue: -1, rng: new Generator(1) });
  // h = σ(u·x + r·h0 + p·s0[0] + b); actions = softmax(A h + bA); pushed = σ(d h + bd)
  const set = (p: Tensor, v: number[]): void => void p.data.set(v);
  set(net.weight_ih, [0.5]);
  set(net.bias_ih, [0.1]);
  set(net.weight_hh!, [0.3]);
  set(net.weight_sh, [0.2]);
  set(net.weight_action, [1, -1, 0.5]);
  set(net.bias_action, [0.2, 0.1, -0.3]);
  set(net.weight_push, [2]);
  set(net.bias_push, [-0.5]);
  const x = Tensor.from([1], [1, 1]);
  const h0 = Tensor.from([0.4], [1, 1]);
  const s0 = Tensor.from([0.7, 0.2, -1], [1, 1, 3]);
  const { state, actions } = net.step(x, { h: h0, stacks: s0 });
  const h = sigmoid(0.5 * 1 + 0.3 * 0.4 + 0.2 * 0.7 + 0.1);
  const logits = [h + 0.2, -h + 0.1, 0.5 * h - 0.3];
  const z = logits.reduce((s, v) => s + Math.exp(v), 0);
  const [push, pop, noop] = logits.map((v) => Math.exp(v) / z) as [number, number, number];
  const pushed = sigmoid(2 * h - 0.5);
  const expected = [push * pushed + pop * 0.2 + noop * 0.7, push * 0.7 + pop * -1 + noop * 0.2, push * 0.2 + pop * -1 + noop * -1];
  t.true(Math.abs(state.h.data[0]! - h) < 1e-6);
  t.deepEqual([...actions.shape], [1, 1, 3]);
  for (const [i, v] of [push, pop, noop].entries()) t.true(Math.abs(actions.data[i]! - v) < 1e-6, `action ${i}`);
  for (let i = 0; i < 3; i++) t.true(Math.abs(state.stacks.data[i]! - expected[i]!) < 1e-6, `s[${i}] = ${state.stacks.data[i]} vs ${expected[i]}`);
  // evaluation mode rounds the actions: here push wins, so the stack shifts down exactly
  net.evaluate();
  const hard = net.step(x, { h: h0, stacks: s0 });
  t.deepEqual([...hard.actions.data], [1, 0, 0]);
  t.true(Math.abs(hard.state.stacks.data[0]! - pushed) < 1e-6);
  t.true(Math.abs(hard.state.stacks.data[1]! - 0.7) < 1e-6 && Math.abs(hard.state.stacks.data[2]! - 0.2) < 1e-6);
});

test('StackRNN gives the same outputs, stacks and gradients on cpu and webasm', (t) => {
  const run = (backend: 'cpu' | 'webasm'): number[][] =>
    kernels.withBackend(backend, () => {
      const rng = new Generator(9);
      const net = new StackRNN(3, 8, { numStacks: 2, stackDepth: 6, rng });
      const x = Tensor.randn([4, 7, 3], rng).requiresGrad_();
      const r = net.forwardWithState(x);
      flat(r).mul(Tensor.randn([flat(r).size], rng)).sum().backward();
      return [[...r.output.data], [...r.state.stacks.data], [...x.grad!.data], ...net.parameters().map((p) => [...p.grad!.data])];
    });
  const a = run('cpu');
  const b = run('webasm');
  t.is(a.length, b.length);
  const worst = Math.max(...a.map((x, i) => maxAbsErr(x, b[i]!)));
  t.true(worst < 1e-5, `max difference ${worst}`);
});

test('StackRNN saves and loads: same parameters, same outputs; bad shapes are named', (t) => {
  const dir = tempDir('stackrnn');
  try {
    const net = new StackRNN(3, 5, { numStacks: 2, stackDepth: 5, rng: new Generator(2) });
    const path = join(dir, 'stack.safetensors');
    saveModule(path, net);
    const other = new StackRNN(3, 5, { numStacks: 2, stackDepth: 5, rng: new Generator(99) });
    loadModule(path, other);
    t.deepEqual([...other.stateDict().keys()], ['weight_ih', 'bias_ih', 'weight_hh', 'weight_sh', 'weight_action', 'bias_action', 'weight_push', 'bias_push']);
    const x = Tensor.randn([2, 6, 3], new Generator(3));
    const a = net.forwardWithState(x);
    const b = other.forwardWithState(x);
    t.deepEqual([...a.output.data], [...b.output.data]);
    t.deepEqual([...a.state.stacks.data], [...b.state.stacks.data]);
    // continuing from a final state equals one long run
    const [x1, x2] = [x.narrow(1, 0, 3), x.narrow(1, 3, 3)];
    const first = net.forwardWithState(x1);
    const second = net.forwardWithState(x2, first.state);
    t.true(Math.abs(second.state.stacks.data[3]! - a.state.stacks.data[3]!) < 1e-6);
    t.throws(() => net.forward(Tensor.zeros([2, 6, 4])), { message: /\[N, T, 3\].*\[2, 6, 4\]/ });
    t.throws(() => net.forwardWithState(x, { h: Tensor.zeros([2, 5]), stacks: Tensor.zeros([2, 1, 5]) }), { message: /stacks must be \[N, K, D\] = \[2, 2, 5\]/ });
    t.is(net.toString(), 'nn.StackRNN(3 -> 5, 2 stacks of depth 5, reads top 2)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('StackRNN without the recurrent matrix carries memory only through its stack', (t) => {
  const net = new StackRNN(2, 4, { recurrent: false, stackDepth: 5, rng: new Generator(3) });
  t.is(net.weight_hh, null);
  t.false([...net.stateDict().keys()].includes('weight_hh'));
  t.is(net.toString(), 'nn.StackRNN(2 -> 4, 1 stack of depth 5, reads top 2, no recurrent matrix)');
  // the hidden state of a step depends on the previous h only through the stack: same x and stack, different h → same output
  const x = Tensor.randn([1, 2], new Generator(4));
  const stacks = Tensor.uniform([1, 1, 5], new Generator(5), -1, 1);
  const a = net.step(x, { h: Tensor.zeros([1, 4]), stacks });
  const b = net.step(x, { h: Tensor.ones([1, 4]), stacks });
  t.deepEqual([...a.state.h.data], [...b.state.h.data]);
});
