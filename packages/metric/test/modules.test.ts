import test from 'ava';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, loadModule, saveModule, ShapeError, Tensor } from '@eole/core';
import { CosineDistance, PairwiseDistance, Siamese } from '@eole/metric';
import { METRIC_MODULE_CASES } from '@eole/metric/testing';
import { checkGrad, checkParity, maxRelErr, tempDir, testModules } from '@eole/core/testing';
import { smallNet } from './smallNet.js';

// ---- plain-JS oracles ---------------------------------------------------------------------------

function pairOracle(x: Tensor, f: (a: number[], b: number[]) => number): number[] {
  const [, n, d] = x.shape as [number, number, number];
  const row = (b: number, i: number): number[] => Array.from(x.data.subarray((b * n + i) * d, (b * n + i + 1) * d));
  return Array.from({ length: n }, (_, i) => f(row(0, i), row(1, i)));
}

const pnorm = (p: number, eps: number) => (a: number[], b: number[]): number => {
  const diffs = a.map((v, j) => Math.abs(v - b[j]! + eps));
  return p === Infinity ? Math.max(...diffs) : diffs.reduce((s, v) => s + v ** p, 0) ** (1 / p);
};

const cosineDistance = (a: number[], b: number[]): number => {
  const dot = a.reduce((s, v, j) => s + v * b[j]!, 0);
  const na = Math.hypot(...a);
  const nb = Math.hypot(...b);
  return 1 - dot / (na * nb);
};

// ---- every module: gradcheck, backward = autograd, cpu/webasm parity, round trip ----------------

const pairInput = (p: number) => (): Tensor => Tensor.randn([2, 6, 5], new Generator(10 + (p === Infinity ? 9 : p)));
const cases = METRIC_MODULE_CASES;
testModules(test, cases);

// ---- PairwiseDistance, CosineDistance against plain JS -----------------------------------------

for (const p of [1, 2, 3, Infinity]) {
  test(`PairwiseDistance(p=${p}) matches ‖x1 − x2 + ε‖_p, cpu = webasm`, (t) => {
    const x = pairInput(p)().requiresGrad_();
    const m = new PairwiseDistance(p);
    const y = m.forward(x);
    t.deepEqual([...y.shape], [6]);
    t.true(maxRelErr(y.data, pairOracle(x, pnorm(p, 1e-6))) < 1e-5);
    checkParity(t, m.toString(), () => ({ output: new PairwiseDistance(p).forward(x), inputs: [x] }));
  });
}

test('PairwiseDistance keeps a finite gradient for identical rows (the ε of PyTorch)', (t) => {
  const x = Tensor.from([1, 2, 3, 1, 2, 3], [2, 1, 3]).requiresGrad_();
  new PairwiseDistance().forward(x).sum().backward();
  t.true(x.grad!.data.every(Number.isFinite));
  t.true(Math.abs(new PairwiseDistance(2, 0).forward(Tensor.from([0, 0, 3, 4], [2, 1, 2])).item() - 5) < 1e-6);
});

test('CosineDistance is 1 − cos, cpu = webasm, and is finite on a zero row', (t) => {
  const x = cases['CosineDistance']!.input!([2, 7, 4], new Generator(0)).requiresGrad_();
  const m = new CosineDistance();
  const y = m.forward(x);
  t.deepEqual([...y.shape], [7]);
  t.true(maxRelErr(y.data, pairOracle(x, cosineDistance)) < 1e-5);
  checkParity(t, 'CosineDistance', () => ({ output: new CosineDistance().forward(x), inputs: [x] }));
  t.true(Math.abs(m.forward(Tensor.from([1, 0, 0, 1], [2, 1, 2])).item() - 1) < 1e-6, 'orthogonal rows: distance 1');
  t.true(Math.abs(m.forward(Tensor.from([1, 2, 2, 4], [2, 1, 2])).item()) < 1e-6, 'parallel rows: distance 0');
  const zero = Tensor.from([0, 0, 1, 1], [2, 1, 2]).requiresGrad_();
  m.forward(zero).sum().backward();
  t.true(zero.grad!.data.every(Number.isFinite));
});

test('distance modules name the argument, the expected and the actual shape on bad input', (t) => {
  const e = t.throws(() => new PairwiseDistance().forward(Tensor.zeros([3, 4, 5])), { instanceOf: ShapeError });
  t.regex(e!.message, /nn\.PairwiseDistance: input must be \[2, N, D\].*got \[3, 4, 5\]/);
  t.regex(t.throws(() => new CosineDistance().forward(Tensor.zeros([2, 5])))!.message, /input must be \[2, N, D\].*got \[2, 5\]/);
  t.throws(() => new PairwiseDistance(0), { message: /p must be > 0, got 0/ });
  t.throws(() => new PairwiseDistance(2, -1), { message: /eps must be >= 0/ });
});

// ---- Siamese ------------------------------------------------------------------------------------

test('Siamese runs the shared net on each branch: output[b] = net(input[b])', (t) => {
  const net = smallNet(4, 3);
  const siamese = new Siamese(net);
  const x = Tensor.randn([3, 5, 4], new Generator(2));
  const y = siamese.forward(x);
  t.deepEqual([...y.shape], [3, 5, 3]);
  for (let b = 0; b < 3; b++) {
    const alone = net.forward(x.narrow(0, b, 1).reshape([5, 4]));
    t.true(maxRelErr(y.narrow(0, b, 1).data, alone.data) < 1e-6, `branch ${b}`);
  }
  const [ya, yb] = siamese.forwardBranches(x.narrow(0, 0, 1).reshape([5, 4]), x.narrow(0, 1, 1).reshape([5, 4]));
  t.deepEqual([...ya!.shape], [5, 3]);
  t.true(maxRelErr(ya!.data, y.narrow(0, 0, 1).data) < 1e-6);
  t.true(maxRelErr(yb!.data, y.narrow(0, 1, 1).data) < 1e-6);
  t.is(siamese.parameters().length, net.parameters().length);
  t.true(siamese.parameters().every((p, i) => p === net.parameters()[i]), 'the parameters are the net’s own tensors');
  t.regex(siamese.toString(), /^nn\.Siamese\(nn\.Sequential/);
});

test('Siamese gradients are the sum of the per-branch gradients computed separately', (t) => {
  const rng = new Generator(4);
  const x = Tensor.randn([2, 6, 4], rng);
  const w = Tensor.randn([2, 6, 3], rng);
  const siamese = new Siamese(smallNet(4, 3));
  siamese.zeroGradParameters();
  siamese.forward(x).mul(w).sum().backward();
  const together = siamese.parameters().map((p) => Float32Array.from(p.grad!.data));

  const separate = smallNet(4, 3);
  separate.zeroGradParameters();
  for (let b = 0; b < 2; b++) {
    const xb = x.narrow(0, b, 1).reshape([6, 4]);
    const wb = w.narrow(0, b, 1).reshape([6, 3]);
    separate.forward(xb).mul(wb).sum().backward();
  }
  separate.parameters().forEach((p, i) => t.true(maxRelErr(together[i]!, p.grad!.data) < 1e-5, `parameter ${i}`));

  // the Torch7 verbs give the same gradients
  siamese.zeroGradParameters();
  siamese.forward(x);
  siamese.backward(x, w);
  siamese.parameters().forEach((p, i) => t.true(maxRelErr(p.grad!.data, together[i]!) < 1e-6, `backward(): parameter ${i}`));
});

test('Siamese.forwardBranches gradchecks; cpu = webasm', (t) => {
  const rng = new Generator(6);
  const siamese = new Siamese(smallNet(4, 2));
  Tensor.randn([2, 3, 4], rng); // the input of the Siamese row, drawn first
  const a = Tensor.randn([3, 4], rng).requiresGrad_();
  const b = Tensor.randn([3, 4], rng).requiresGrad_();
  checkGrad(t, 'Siamese.forwardBranches', (ai, bi) => {
    const [ya, yb] = siamese.forwardBranches(ai!, bi!);
    return ya!.sub(yb!);
  }, [a, b, ...siamese.parameters()]);
  const big = Tensor.randn([2, 64, 4], rng).requiresGrad_();
  checkParity(t, 'Siamese', () => ({ output: siamese.forward(big), inputs: [big, ...siamese.parameters()] }));
});

test('Siamese state dict: the net’s names under `net.`, saveModule/loadModule round trip', (t) => {
  const siamese = new Siamese(smallNet(4, 2, 1));
  t.deepEqual([...siamese.stateDict().keys()], ['net.0.weight', 'net.0.bias', 'net.2.weight', 'net.2.bias']);
  const dir = tempDir('metric');
  try {
    const path = join(dir, 'siamese.safetensors');
    saveModule(path, siamese);
    const fresh = new Siamese(smallNet(4, 2, 99));
    const x = Tensor.randn([2, 3, 4], new Generator(8));
    t.false(maxRelErr(fresh.forward(x).data, siamese.forward(x).data) < 1e-6, 'different seeds differ before loading');
    loadModule(path, fresh);
    t.deepEqual(Array.from(fresh.forward(x).data), Array.from(siamese.forward(x).data));
    t.throws(() => loadModule(path, new Siamese(smallNet(4, 3))), { message: /net\.2\.weight/ });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Siamese errors name the argument, the expected and the actual shape', (t) => {
  const siamese = new Siamese(smallNet(4, 2));
  t.throws(() => new Siamese({} as never), { instanceOf: TypeError, message: /net must be a Module, got Object/ });
  t.regex(t.throws(() => siamese.forward(Tensor.zeros([4])))!.message, /input must be \[B, N, \.\.\.\].*got \[4\]/);
  t.regex(t.throws(() => siamese.forwardBranches(Tensor.zeros([3, 4]), Tensor.zeros([2, 4])))!.message, /input 1 has shape \[2, 4\], expected \[3, 4\]/);
  t.throws(() => siamese.forwardBranches(), { message: /at least one input/ });
  t.throws(() => siamese.forwardBranches(Tensor.zeros([3, 4]), 3 as never), { message: /input 1 must be a Tensor, got number/ });
});
