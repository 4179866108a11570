import { Generator, Tensor, kernels } from '@eole/core';
import { maxAbsDiff, time, withThreads } from './measure.js';
import { dispatch, measuredRow, withRatios, type Row } from './report.js';
import { tf, tfWasmFeatures, useTfBackend } from './tfjs.js';

/** The fair plain-JS baseline: C = A·B with an i-k-j triple loop over Float32Array (row-major). */
export function matmulPlainJs(a: Float32Array, b: Float32Array, n: number, m: number, k: number): Float32Array {
  const c = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    const ci = i * m;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p]!;
      const bp = p * m;
      for (let j = 0; j < m; j++) c[ci + j] += aip * b[bp + j]!;
    }
  }
  return c;
}

/** Oracle accumulated in float64 (not timed). */
function matmulF64(a: Float32Array, b: Float32Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < n; p++) {
      const aip = a[i * n + p]!;
      for (let j = 0; j < n; j++) c[i * n + j] += aip * b[p * n + j]!;
    }
  }
  return c;
}

/**
 * matmul n×n×n in float32: plain JS, Eole (auto dispatch and forced `cpu`, once per count of
 * `threads`), tfjs cpu and wasm. Same inputs for all; each result is checked against a float64
 * oracle; every row reports GFLOP/s (2n³ ÷ time).
 */
export async function benchMatmul(n: number, threads: readonly number[]): Promise<Row[]> {
  const bench = `matmul ${n}×${n}×${n}`;
  const rng = new Generator(42);
  const a = Tensor.randn([n, n], rng);
  const b = Tensor.randn([n, n], rng);
  const oracle = matmulF64(a.data, b.data, n);
  const gflops = (ms: number) => ({ value: (2 * n ** 3) / (ms * 1e6), unit: 'GFLOP/s' });
  const rows: Row[] = [];
  const add = (id: string, impl: string, backend: string, ours: boolean, run: () => ArrayLike<number>, warmup: number, reps: number): Row => {
    let out: ArrayLike<number> = [];
    const timing = time(() => void (out = run()), { warmup, reps });
    const row = measuredRow({ id: `matmul.${id}`, bench, impl, backend, ours, timing, throughput: gflops(timing.medianMs), maxAbsDiff: maxAbsDiff(out, oracle) });
    rows.push(row);
    return row;
  };

  for (const t of threads) await withThreads(t, () => add(`eole.auto.t${t}`, `Eole a.matmul(b), ${dispatch()}`, '', true, () => a.matmul(b).data, 2, 15));
  for (const t of threads) await withThreads(t, () => add(`eole.cpu.t${t}`, 'Eole a.matmul(b), forced cpu', '', true, () => kernels.withBackend('cpu', () => a.matmul(b).data), 1, 3));
  add('plainjs', 'plain JS i-k-j loop, Float32Array', 'JS (V8)', false, () => matmulPlainJs(a.data, b.data, n, n, n), 1, 5);

  for (const backend of ['cpu', 'wasm'] as const) {
    await useTfBackend(backend);
    const ta = tf.tensor2d(a.data, [n, n]);
    const tb = tf.tensor2d(b.data, [n, n]);
    const label = backend === 'wasm' ? `tfjs wasm (${describeWasm()})` : 'tfjs cpu (JS)';
    const fast = backend === 'wasm';
    add(`tfjs.${backend}`, 'tfjs tf.matMul', label, false, () => {
      const c = tf.matMul(ta, tb);
      const out = c.dataSync() as Float32Array;
      c.dispose();
      return out;
    }, fast ? 5 : 1, fast ? 31 : 5);
    ta.dispose();
    tb.dispose();
  }
  return withRatios(rows, rows[0]!);
}

function describeWasm(): string {
  const f = tfWasmFeatures();
  return `${f.simd ? 'SIMD' : 'no SIMD'}, ${f.threads ? 'threads' : '1 thread'}`;
}
