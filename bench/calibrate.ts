import { Generator, Tensor, kernels, type BackendName } from '@eole/core';
import { maxAbsDiff, median } from './measure.js';

/** One size of one op, timed on forced `cpu` and forced `webasm`. */
export interface CalibrationPoint {
  op: 'add' | 'matmul';
  shape: string;
  /** Multiply-adds (matmul) or output cells (add): the `work` the dispatcher compares with its threshold. */
  work: number;
  cpuMs: number;
  webasmMs: number;
  /** cpu time ÷ webasm time: above 1, webasm wins. */
  speedup: number;
  maxAbsDiff: number;
}

export interface Crossover {
  op: 'add' | 'matmul';
  /** Smallest measured work from which webasm wins at every larger measured size (null: it never does). */
  webasmWinsFrom: number | null;
  /** The largest measured work where cpu still won (the crossover lies between the two). */
  cpuWinsUpTo: number | null;
}

export interface Calibration {
  points: CalibrationPoint[];
  crossovers: Crossover[];
  /** `kernels.threshold` at the time of the run. */
  threshold: number;
}

const REPS = 15;
const TARGET_MS = 5;

/** Calls of `fn` that take about `TARGET_MS` (after a warm-up that also compiles the kernel). */
function callsFor(fn: () => void): number {
  for (let i = 0; i < 3; i++) fn();
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    const dt = performance.now() - t0;
    if (dt >= TARGET_MS / 4 || n >= 1 << 20) return Math.max(1, Math.round((n * TARGET_MS) / Math.max(dt, 1e-3)));
    n *= 4;
  }
}

/**
 * Times `fn` on forced `cpu` and forced `webasm` in interleaved repetitions (cpu batch, webasm
 * batch, cpu batch, ...), so that load from other processes hits both alike; the speedup is the
 * median of the paired per-repetition ratios.
 */
function onBoth(op: CalibrationPoint['op'], shape: string, work: number, fn: () => Tensor): CalibrationPoint {
  const outs: Partial<Record<BackendName, Float32Array>> = {};
  const calls: Partial<Record<BackendName, number>> = {};
  for (const backend of ['cpu', 'webasm'] as const) {
    kernels.withBackend(backend, () => {
      outs[backend] = fn().data;
      calls[backend] = callsFor(() => void fn());
    });
  }
  const samples: Record<'cpu' | 'webasm', number[]> = { cpu: [], webasm: [] };
  const ratios: number[] = [];
  for (let r = 0; r < REPS; r++) {
    for (const backend of ['cpu', 'webasm'] as const) {
      const n = calls[backend]!;
      kernels.withBackend(backend, () => {
        const t0 = performance.now();
        for (let i = 0; i < n; i++) fn();
        samples[backend].push((performance.now() - t0) / n);
      });
    }
    ratios.push(samples.cpu[r]! / samples.webasm[r]!);
  }
  return { op, shape, work, cpuMs: median(samples.cpu), webasmMs: median(samples.webasm), speedup: median(ratios), maxAbsDiff: maxAbsDiff(outs.cpu!, outs.webasm!) };
}

function crossover(op: CalibrationPoint['op'], points: CalibrationPoint[]): Crossover {
  const mine = points.filter((p) => p.op === op).sort((a, b) => a.work - b.work);
  let from: number | null = null;
  let upTo: number | null = null;
  for (let i = mine.length - 1; i >= 0; i--) {
    if (mine[i]!.speedup > 1) from = mine[i]!.work;
    else {
      upTo = mine[i]!.work;
      break;
    }
  }
  return { op, webasmWinsFrom: from, cpuWinsUpTo: upTo };
}

/**
 * Times elementwise add (64 to 1M cells) and square matmul (about 100 to 1M multiply-adds) on forced
 * `cpu` and forced `webasm`, and finds where webasm starts winning: the number to set
 * `kernels.threshold` from.
 */
export function calibrate(): Calibration {
  const rng = new Generator(3);
  const points: CalibrationPoint[] = [];
  for (let n = 64; n <= 1 << 20; n *= 2) {
    const a = Tensor.randn([n], rng);
    const b = Tensor.randn([n], rng);
    points.push(onBoth('add', `[${n}]`, n, () => a.add(b)));
  }
  for (const n of [5, 6, 8, 10, 13, 16, 20, 25, 32, 40, 50, 64, 80, 100]) {
    const a = Tensor.randn([n, n], rng);
    const b = Tensor.randn([n, n], rng);
    points.push(onBoth('matmul', `${n}×${n}×${n}`, n ** 3, () => a.matmul(b)));
  }
  return { points, crossovers: [crossover('add', points), crossover('matmul', points)], threshold: kernels.threshold };
}
