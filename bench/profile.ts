import { kernels, type KernelProfileRow } from '@eole/core';
import { fmtMs } from './report.js';

/** `kernels.profile` over one training step of one Eole row: which launches the step pays for. */
export interface StepProfile {
  /** The row profiled, e.g. `lenet.train.eole.auto.t2`. */
  id: string;
  bench: string;
  threads: number;
  /** Wall time of the profiled step, milliseconds. */
  stepMs: number;
  launches: number;
  /** Time inside kernel launches, summed (the rest of the step is JS around them). */
  kernelMs: number;
  /** Every kernel of the step, slowest first. */
  kernels: KernelProfileRow[];
}

/**
 * Profiles one call of `step` (already warm) with `kernels.profile`, `tries` times, and keeps the
 * step of median wall time (one step alone is at the mercy of whatever else the machine runs).
 */
export function profileStep(id: string, bench: string, step: () => unknown, tries = 3): StepProfile {
  const runs = Array.from({ length: tries }, () => kernels.profile(step)).sort((a, b) => a.ms - b.ms);
  const p = runs[runs.length >> 1]!;
  const kernelMs = p.kernels.reduce((s, k) => s + k.ms, 0);
  return { id, bench, threads: kernels.threads, stepMs: p.ms, launches: p.launches, kernelMs, kernels: p.kernels };
}

/** The top `top` kernels of a profile as a markdown table, with a heading line. */
export function profileLines(p: StepProfile, top = 8): string[] {
  const share = (ms: number): string => `${((100 * ms) / p.stepMs).toFixed(1)}%`;
  const threads = `${p.threads} thread${p.threads === 1 ? '' : 's'}`;
  const lines = [
    `${p.bench}, Eole auto, ${threads} (\`${p.id}\`): one step ${fmtMs(p.stepMs)} ms, ${p.launches} launches, ${fmtMs(p.kernelMs)} ms (${share(p.kernelMs)}) inside kernels; top ${Math.min(top, p.kernels.length)} of ${p.kernels.length}:`,
    '',
    '| kernel | backend | calls | ms | share of the step |',
    '|---|---|---:|---:|---:|',
  ];
  for (const k of p.kernels.slice(0, top)) lines.push(`| ${k.name} | ${k.backend} | ${k.calls} | ${fmtMs(k.ms)} | ${share(k.ms)} |`);
  return lines;
}
