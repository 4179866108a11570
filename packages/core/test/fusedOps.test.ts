import test from 'ava';
import { Generator, kernels, linear, Tensor } from '@eole/core';
import { checkOp } from '@eole/core/testing';
import { matmulBiasTransposedRaw } from '../src/ops/matmul.js';

type Arr = { data: Float32Array; shape: readonly number[] };

/** y = x·Wᵀ + b by its definition, in float64. */
function linearOracle(x: Arr, w: Arr, b?: Arr): number[] {
  const [N, I] = x.shape as [number, number];
  const O = w.shape[0]!;
  const out: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      let s = 0;
      for (let i = 0; i < I; i++) s += x.data[n * I + i]! * w.data[o * I + i]!;
      out.push(s + (b ? b.data[o]! : 0));
    }
  }
  return out;
}

/** The kernels one forward of linear launches, under webasm. */
function forwardKernels(N: number, I: number, O: number, bias: boolean): string[] {
  const rng = new Generator(5);
  const x = Tensor.randn([N, I], rng);
  const w = Tensor.randn([O, I], rng);
  const b = bias ? Tensor.randn([O], rng) : null;
  const run = kernels.withBackend('webasm', () => kernels.profile(() => linear(x, w, b)));
  return run.kernels.map((r) => r.name).sort();
}

// Batch 8 with 17 outputs transposes x (8·33 values) and adds the bias inside the product;
// batch 2 with 8 outputs transposes W, multiplies, then adds the bias in a second launch.
const cases = [
  { name: 'yᵀ = W·xᵀ + b (batch lanes, bias epilogue)', N: 8, I: 33, O: 17, kernels: ['core.matmul.nn.bias', 'core.permute.rank2'] },
  { name: 'y = x·Wᵀ, then + b (output lanes)', N: 2, I: 9, O: 8, kernels: ['core.elementwise.add.broadcast2', 'core.matmul.nn', 'core.permute.rank2'] },
  { name: 'rows not a multiple of 4 (10 outputs)', N: 12, I: 7, O: 10, kernels: ['core.matmul.nn.bias', 'core.permute.rank2'] },
];

for (const c of cases) {
  test(`linear forward ${c.name}: oracle, gradcheck, cpu/webasm parity`, (t) => {
    checkOp(t, (x, w, b) => linear(x!, w!, b!), {
      shapes: [[c.N, c.I], [c.O, c.I], [c.O]],
      shape: [c.N, c.O],
      oracle: (x, w, b) => linearOracle(x, w, b),
    });
    t.deepEqual(forwardKernels(c.N, c.I, c.O, true), c.kernels);
  });
}

test('linear without bias uses the bias-epilogue kernel with zeros, same values as the oracle', (t) => {
  checkOp(t, (x, w) => linear(x!, w!), { shapes: [[8, 6], [12, 6]], shape: [8, 12], oracle: (x, w) => linearOracle(x, w) });
  t.deepEqual(forwardKernels(8, 6, 12, false), ['core.matmul.nn.bias', 'core.permute.rank2']);
});

test('matmulBiasTransposedRaw: out[j, i] = Σ_k A[i, k]·B[k, j] + c[i], the sum before the bias, on both backends', (t) => {
  const rng = new Generator(9);
  const [M, K, N] = [6, 5, 8];
  const a = Tensor.randn([M, K], rng).data;
  const b = Tensor.randn([K, N], rng).data;
  const c = Tensor.randn([M], rng).data;
  for (const backend of ['cpu', 'webasm'] as const) {
    const out = kernels.withBackend(backend, () => matmulBiasTransposedRaw(a, b, c, M, K, N));
    t.is(out.length, N * M);
    for (let j = 0; j < N; j++) {
      for (let i = 0; i < M; i++) {
        let s = 0;
        for (let k = 0; k < K; k++) s = Math.fround(s + Math.fround(a[i * K + k]! * b[k * N + j]!));
        const want = backend === 'webasm' ? Math.fround(s + c[i]!) : s + c[i]!;
        t.true(Math.abs(out[j * M + i]! - want) <= 1e-5 * (1 + Math.abs(want)), `${backend} [${j}, ${i}]`);
      }
    }
  }
});
