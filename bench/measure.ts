import { kernels, type BackendName, type KernelStats } from '@eole/core';

/** How a benchmark is timed: untimed warm-up runs, then `reps` timed repetitions of `inner` calls each. */
export interface TimingOptions {
  warmup: number;
  reps: number;
  /** Calls per timed repetition (the reported time is per call). Default 1. */
  inner?: number;
}

/** Timing of one implementation: per-call times over the repetitions, and what our kernels did. */
export interface Timing {
  medianMs: number;
  minMs: number;
  maxMs: number;
  reps: number;
  inner: number;
  /** Eole kernel launches per call, by backend, counted over the timed region only. */
  kernelCalls: Partial<Record<BackendName, number>>;
  /** Kernel compilations inside the timed region (should be 0: compile time is not run time). */
  compiles: number;
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Times `fn`: `warmup` untimed calls, then `reps` repetitions of `inner` calls timed with
 * `performance.now()`; reports the per-call median, min and max, and the Eole kernel launches per call
 * (from `kernels.stats()` deltas over the timed region).
 */
export function time(fn: () => void, opts: TimingOptions): Timing {
  const inner = opts.inner ?? 1;
  for (let i = 0; i < opts.warmup; i++) fn();
  const before = kernels.stats();
  const samples: number[] = [];
  for (let r = 0; r < opts.reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) fn();
    samples.push((performance.now() - t0) / inner);
  }
  return summarize(samples, opts.reps, inner, before);
}

/** {@link time} for a step that returns a promise (tfjs-layers' `trainOnBatch`): each call is awaited. */
export async function timeAsync(fn: () => unknown, opts: TimingOptions): Promise<Timing> {
  const inner = opts.inner ?? 1;
  for (let i = 0; i < opts.warmup; i++) await fn();
  const before = kernels.stats();
  const samples: number[] = [];
  for (let r = 0; r < opts.reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) await fn();
    samples.push((performance.now() - t0) / inner);
  }
  return summarize(samples, opts.reps, inner, before);
}

/** Median, range and kernel counts of timed samples, against the registry counters taken before. */
function summarize(samples: number[], reps: number, inner: number, before: KernelStats): Timing {
  const after = kernels.stats();
  return {
    medianMs: median(samples),
    minMs: Math.min(...samples),
    maxMs: Math.max(...samples),
    reps,
    inner,
    kernelCalls: callsPerRun(before, after, reps * inner),
    compiles: after.compiles - before.compiles,
  };
}

function callsPerRun(before: KernelStats, after: KernelStats, runs: number): Partial<Record<BackendName, number>> {
  const out: Partial<Record<BackendName, number>> = {};
  for (const name of Object.keys(after.calls) as BackendName[]) {
    const d = after.calls[name] - before.calls[name];
    if (d > 0) out[name] = d / runs;
  }
  return out;
}

/**
 * Runs `fn` with the kernel thread pool at `n` threads (`kernels.setThreads`), then restores the
 * previous count, also when `fn` throws. Callers warm up inside `fn`: the pool may start its workers
 * on the first large launch after a switch.
 */
export async function withThreads<T>(n: number, fn: () => T | Promise<T>): Promise<T> {
  const previous = kernels.threads;
  kernels.setThreads(n);
  try {
    return await fn();
  } finally {
    kernels.setThreads(previous);
  }
}

/** Eole kernel launches per call, all backends together (from {@link Timing.kernelCalls}). */
export function launchesPerCall(t: Timing): number {
  return Object.values(t.kernelCalls).reduce((n, c) => n + (c ?? 0), 0);
}

/** Largest |a[i] − b[i]| (Infinity when the lengths differ, NaN when either holds a NaN). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (Number.isNaN(d)) return NaN;
    if (d > m) m = d;
  }
  return m;
}
