import os from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { kernels } from '@eole/core';
import { launchesPerCall, type Timing } from './measure.js';

/** The repository root (the folder above bench/), whatever the working directory. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** One measured implementation of one benchmark. */
export interface Row {
  /** Stable key for scripts and docs, e.g. `matmul.eole.auto.t1` (Eole rows end in their thread count). */
  id: string;
  bench: string;
  impl: string;
  /** Where it ran: our kernels' backends (counted), or the peer's backend. */
  backend: string;
  /** Eole's code (true) or a peer / baseline (false). */
  ours: boolean;
  /** Threads the row ran on: `kernels.threads` for Eole rows; 1 for the peers (all single-threaded here). */
  threads: number;
  timing: Timing;
  /** Eole kernel launches per training step (training-step rows of Eole only). */
  launchesPerStep?: number;
  throughput?: { value: number; unit: string };
  /** This row's median time divided by the benchmark's reference time (Eole auto, 1 thread): above 1, Eole is faster. */
  ratio?: number;
  /** Largest |difference| from the benchmark's oracle result. */
  maxAbsDiff?: number;
  note?: string;
}

/** The machine and software the numbers come from. */
export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  os: string;
  versions: Record<string, string>;
  /** 1-minute load average when the run started: other processes on a 2-core machine skew the times. */
  loadAverage: number;
}

export function machine(): Machine {
  const cpus = os.cpus();
  const require = createRequire(import.meta.url);
  const versions: Record<string, string> = {};
  for (const pkg of ['gpu.js', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-layers', 'convnetjs', 'brain.js']) {
    try {
      const file = require.resolve(`${pkg}/package.json`, { paths: [REPO_ROOT, path.join(REPO_ROOT, 'packages/core')] });
      versions[pkg] = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    } catch {
      versions[pkg] = 'unknown';
    }
  }
  return { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, node: process.version, os: `${os.type()} ${os.release()} ${os.arch()}`, versions, loadAverage: os.loadavg()[0] ?? 0 };
}

/**
 * A measured row: an Eole row names the backends its kernels ran on and the thread count it ran
 * with (and, for a training step, its launches per step); a peer row keeps its own backend and one
 * thread.
 */
export function measuredRow(r: Omit<Row, 'backend' | 'threads' | 'launchesPerStep'> & { backend: string; trainingStep?: boolean }): Row {
  const { trainingStep, ...row } = r;
  return {
    ...row,
    backend: r.ours ? backendOf(r.timing) : r.backend,
    threads: r.ours ? kernels.threads : 1,
    ...(r.ours && trainingStep ? { launchesPerStep: launchesPerCall(r.timing) } : {}),
  };
}

/** Sets each row's ratio against the first row of its benchmark marked as the reference. */
export function withRatios(rows: Row[], reference: Row): Row[] {
  for (const r of rows) r.ratio = r.timing.medianMs / reference.timing.medianMs;
  return rows;
}

/** How Eole's default rows dispatch: `auto dispatch`, or the backend `EOLE_BACKEND` forces. */
export function dispatch(): string {
  return kernels.backend === 'auto' ? 'auto dispatch' : `forced ${kernels.backend} (EOLE_BACKEND)`;
}

/** Our kernels' launches per call, e.g. `webasm ×3, cpu ×11`. */
export function backendOf(t: Timing): string {
  const parts = Object.entries(t.kernelCalls)
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ×${fmtCount(n)}`);
  return parts.length ? parts.join(', ') : 'no kernels';
}

function fmtCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

export function fmtMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);
}

function fmtNum(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function fmtDiff(d: number | undefined): string {
  return d === undefined ? '' : d === 0 ? '0' : d.toExponential(1);
}

/** The results as a markdown table (what the docs quote). */
export function markdownTable(rows: readonly Row[]): string {
  const head = ['benchmark', 'implementation', 'threads', 'backend', 'median ms', 'throughput', 'time ÷ Eole auto 1 thread (>1: Eole faster)', 'max abs diff'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 2 || (i >= 4 && i <= 6) ? '---:' : '---')).join('|')}|`];
  for (const r of rows) {
    const cells = [
      r.bench,
      r.ours ? `**${r.impl}**` : r.impl,
      String(r.threads),
      r.backend,
      `${fmtMs(r.timing.medianMs)} (${fmtMs(r.timing.minMs)}–${fmtMs(r.timing.maxMs)})`,
      r.throughput ? `${fmtNum(r.throughput.value)} ${r.throughput.unit}` : '',
      r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`,
      fmtDiff(r.maxAbsDiff),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

export function machineLine(m: Machine): string {
  const v = m.versions;
  return `${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.os}; gpu.js ${v['gpu.js']}, tfjs ${v['@tensorflow/tfjs-core']}, tfjs-layers ${v['@tensorflow/tfjs-layers']}, ConvNetJS ${v['convnetjs']}, brain.js ${v['brain.js']}; load average ${m.loadAverage.toFixed(2)} at start`;
}

/** Writes the JSON results (runs/ is gitignored). */
export function writeJson(file: string, payload: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(payload, null, 2) + '\n');
}
