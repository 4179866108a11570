import type { ExecutionContext } from 'ava';
import { kernels } from '../index.js';
import { underBackend, type ParityRun } from './checkParity.js';

/** Thread counts every determinism check compares against one thread. */
export const THREAD_COUNTS: readonly number[] = [2, 3];

/**
 * Index of the first element whose float32 bits differ (−1 when `a` and `b` are bit-identical;
 * the shorter length when only the lengths differ). Unlike `===`, tells −0 from +0 and compares NaNs
 * by their bits.
 */
export function firstBitDifference(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return i;
  return x.length === y.length ? -1 : n;
}

/**
 * Runs `run` on webasm with `threads` threads, every launch of 8 cells or more split over the
 * pool, and returns its outputs, the number of launches that were split, and whether any webasm
 * launch had 8 cells or more on average (so that a split was due).
 */
export function underThreads<R>(threads: number, run: () => R): { result: R; pooled: number; splittable: boolean } {
  return kernels.withThreads(
    threads,
    () => {
      const before = kernels.stats().pooled;
      const { result, kernels: rows } = kernels.profile(run);
      const splittable = rows.some((r) => r.backend === 'webasm' && r.cells >= 8 * r.calls);
      return { result, pooled: kernels.stats().pooled - before, splittable };
    },
    'always',
  );
}

/**
 * Asserts that a computation gives the same float32 bits with 1, 2 and 3 threads ({@link
 * THREAD_COUNTS}) on the `webasm` backend, where launches are split over the pool (and that some
 * launch was split when any was large enough), and on `cpu`, whose launches run on the calling thread whatever the count.
 * `runs` returns the arrays to compare (outputs, gradients) and is called once per thread count
 * and backend.
 *
 * @example
 * checkThreads(t, 'conv2d', () => { const y = conv2d(x, w); return [y.data]; });
 */
export function checkThreadArrays(t: ExecutionContext, what: string, runs: () => Float32Array[], counts: readonly number[] = THREAD_COUNTS): void {
  for (const backend of ['webasm', 'cpu'] as const) {
    const base = kernels.withThreads(1, () => kernels.withBackend(backend, runs));
    for (const n of counts) {
      const { result, pooled, splittable } = underThreads(n, () => kernels.withBackend(backend, runs));
      if (backend === 'webasm' && splittable) t.true(pooled > 0, `${what}: no webasm launch was split over ${n} threads`);
      else t.is(pooled, 0, `${what}: a cpu launch went to the pool`);
      t.is(result.length, base.length, `${what}: as many arrays with ${n} threads`);
      base.forEach((b, i) => {
        const at = firstBitDifference(result[i]!, b);
        t.true(at < 0, `${what} on ${backend}: array ${i} with ${n} threads differs from 1 thread at ${at}: ${result[i]![at]} vs ${b[at]}`);
      });
    }
  }
}

/**
 * {@link checkThreadArrays} of a parity run: the output and the gradient of every input of
 * Σ output·W (W fixed) are bit-identical for 1, 2 and 3 threads.
 *
 * @example
 * checkThreads(t, 'matmul', () => ({ output: a.matmul(b), inputs: [a, b] }));
 */
export function checkThreads(t: ExecutionContext, what: string, run: () => ParityRun, counts: readonly number[] = THREAD_COUNTS): void {
  checkThreadArrays(t, what, () => underBackend(kernels.backend === 'cpu' ? 'cpu' : 'webasm', run), counts);
}
