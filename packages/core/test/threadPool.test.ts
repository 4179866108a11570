import test from 'ava';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Generator, KernelRegistry, kernels, linear, logSoftmax, Tensor } from '@eole/core';
import { checkThreadArrays, checkThreads, firstBitDifference } from '@eole/core/testing';
import { splitCells } from '../src/kernels/KernelPool.js';

const rng = (seed: number): Generator => new Generator(seed);

test('splitCells covers every cell once, 4-aligned when rows are, on row boundaries when not', (t) => {
  for (const [cells, sizeX, simd, parts] of [[1000, 100, true, 3], [999, 37, true, 2], [64, 64, true, 3], [10, 10, false, 4], [12, 4, true, 5], [7, 7, true, 3]] as const) {
    const spans = splitCells(cells, sizeX, simd, parts);
    t.true(spans.length >= 1 && spans.length <= parts, `${spans.length} spans for ${parts} parts`);
    t.is(spans[0]![0], 0);
    t.is(spans[spans.length - 1]![1], cells);
    for (let i = 1; i < spans.length; i++) t.is(spans[i]![0], spans[i - 1]![1], 'contiguous spans');
    const unit = !simd ? 1 : sizeX % 4 === 0 ? 4 : sizeX;
    for (const [s] of spans) t.is(s % unit, 0, `span start ${s} is a multiple of ${unit}`);
  }
});

test('matmul forms (A·B, A·Bᵀ and Aᵀ·B in its backward, batched) are bit-identical for 1, 2 and 3 threads', (t) => {
  const a = Tensor.randn([3, 37, 29], rng(1)).requiresGrad_();
  const b = Tensor.randn([3, 29, 45], rng(2)).requiresGrad_();
  checkThreads(t, 'batched matmul', () => ({ output: a.matmul(b), inputs: [a, b] }));
  const x = Tensor.randn([50, 33], rng(3)).requiresGrad_();
  const w = Tensor.randn([21, 33], rng(4)).requiresGrad_();
  const bias = Tensor.randn([21], rng(5)).requiresGrad_();
  checkThreads(t, 'linear', () => ({ output: linear(x, w, bias), inputs: [x, w, bias] }));
});

test('elementwise ops, reductions and log-softmax are bit-identical for 1, 2 and 3 threads', (t) => {
  const x = Tensor.randn([64, 130], rng(6)).requiresGrad_();
  const y = Tensor.randn([64, 130], rng(7)).requiresGrad_();
  checkThreads(t, 'elementwise chain', () => ({ output: x.mul(y).add(x.tanh()).relu().sub(y.sigmoid()), inputs: [x, y] }));
  checkThreads(t, 'sum and log-softmax', () => ({ output: logSoftmax(x.mul(y), 1).sum(0), inputs: [x, y] }));
});

test('a 256² matmul goes to the pool with the measured choice, and its result does not depend on the thread count', (t) => {
  const a = Tensor.randn([256, 256], rng(8));
  const b = Tensor.randn([256, 256], rng(9));
  checkThreadArrays(t, '256² matmul', () => [a.matmul(b).data], [2]);
  const before = kernels.stats().pooled;
  const one = kernels.withThreads(1, () => kernels.withBackend('webasm', () => a.matmul(b).data));
  const many = kernels.withThreads(2, () => {
    kernels.threadPool()!.waitReady();
    let out: Float32Array = new Float32Array(0);
    for (let i = 0; i < 12; i++) out = kernels.withBackend('webasm', () => a.matmul(b).data);
    return out;
  });
  t.true(kernels.stats().pooled > before, 'the measured choice sent some launches to the pool');
  t.is(firstBitDifference(one, many), -1);
});

test('a worker that dies fails the launch with an error naming the kernel, and the pool replaces it', (t) => {
  const a = Tensor.randn([64, 64], rng(10));
  const b = Tensor.randn([64, 64], rng(11));
  const expected = kernels.withThreads(1, () => kernels.withBackend('webasm', () => a.matmul(b).data));
  kernels.withThreads(
    2,
    () => {
      const pool = kernels.threadPool()!;
      pool.failNext(0);
      t.throws(() => kernels.withBackend('webasm', () => a.matmul(b)), { message: /kernel 'core\.matmul\.nn' failed on the thread pool: worker 1: the worker died \(Error: worker stopped on purpose/ });
      t.true(pool.waitReady(1), 'a replacement worker started');
      const before = kernels.stats().pooled;
      const again = kernels.withBackend('webasm', () => a.matmul(b).data);
      t.true(kernels.stats().pooled > before, 'the replacement took its share');
      t.is(firstBitDifference(again, expected), -1, 'same result after the replacement');
    },
    'always',
  );
});

test('kernels.close() ends the workers and a later launch starts them again', (t) => {
  const a = Tensor.randn([40, 40], rng(12));
  kernels.withThreads(
    2,
    () => {
      const first = a.matmul(a).data;
      kernels.close();
      const second = kernels.withBackend('webasm', () => {
        kernels.threadPool()!.waitReady();
        return a.matmul(a).data;
      });
      t.is(firstBitDifference(first, second), -1);
      t.is(kernels.threadPool()!.size, 1);
    },
    'always',
  );
});

test('EOLE_THREADS and setThreads are validated with clear errors', (t) => {
  t.throws(() => new KernelRegistry(undefined, '0'), { message: /EOLE_THREADS: expected an integer ≥ 1 \(1 turns the thread pool off\), got '0'/ });
  t.throws(() => new KernelRegistry(undefined, 'two'), { message: /EOLE_THREADS: expected an integer ≥ 1/ });
  t.is(new KernelRegistry(undefined, '3').threads, 3);
  t.is(new KernelRegistry(undefined, '1').threadPool(), null, '1 turns the pool off');
  t.throws(() => kernels.setThreads(0), { message: /setThreads: n must be an integer ≥ 1, got 0/ });
});

test('a process whose pool workers are idle exits by itself', (t) => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const script = `import { kernels, Tensor, Generator } from '@eole/core';
kernels.setThreads(2); kernels.setBackend('webasm');
const a = Tensor.randn([128, 128], new Generator(1));
kernels.threadPool().waitReady();
for (let i = 0; i < 10; i++) a.matmul(a);
console.log('pooled ' + String(kernels.stats().pooled));`;
  const r = spawnSync(process.execPath, ['--import=tsx', '--conditions=eole-src', '--input-type=module', '-e', script], { cwd: here, encoding: 'utf8', timeout: 60_000 });
  t.is(r.error, undefined, 'the child ended before the 60 s limit');
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /pooled [1-9]/);
});
