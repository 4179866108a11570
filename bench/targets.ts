import { fmtMs, type Row } from './report.js';
import { autoRows, fastest } from './summary.js';

/** One target of issue 14, checked against this run. */
export interface TargetResult {
  /** What is asked, e.g. `matmul 512: pool ≥ 1.8× Eole 1 thread`. */
  target: string;
  /** PASS / MISS, or null when the rows it needs were not measured (`--only`, or a peer failed). */
  pass: boolean | null;
  /** The measured value (a ratio, GFLOP/s), or null when not measured. */
  value: number | null;
  /** The value in words, with the rows it comes from. */
  measured: string;
}

const plural = (n: number): string => `${n} thread${n === 1 ? '' : 's'}`;

/** The fastest Eole auto row whose id starts with `prefix` (`lenet.train.`), and the row `peerId`. */
function pair(rows: readonly Row[], prefix: string, peerId: string): { eole: Row; peer: Row } | null {
  const eole = fastest(autoRows(rows.filter((r) => r.id.startsWith(prefix))));
  const peer = rows.find((r) => r.id === peerId);
  return eole && peer ? { eole, peer } : null;
}

/** `speed` targets: Eole at least `min`× as fast as tfjs-wasm (peer time ÷ Eole time ≥ min). */
function faster(rows: readonly Row[], what: string, prefix: string, min: number): TargetResult {
  const target = `${what} ≥ ${min}× tfjs-wasm's speed`;
  const p = pair(rows, prefix, `${prefix}tfjs.wasm`);
  if (!p) return { target, pass: null, value: null, measured: 'not measured' };
  const v = p.peer.timing.medianMs / p.eole.timing.medianMs;
  return { target, pass: v >= min, value: v, measured: `${v.toFixed(2)}× (Eole ${fmtMs(p.eole.timing.medianMs)} ms at ${plural(p.eole.threads)}, tfjs wasm ${fmtMs(p.peer.timing.medianMs)} ms)` };
}

/**
 * The targets of issue 14, each on the Eole auto row at its best (fastest) thread count: matmul 512
 * pool ≥ 1.8× Eole single-thread and ≥ 20 GFLOP/s; LeNet-5 inference (batch 256) ≥ 0.5× tfjs-wasm;
 * LeNet-5 training (batch 32) ≥ 1.2× tfjs-wasm; MLP step ≥ 1.2× tfjs-wasm; LSTM step time ≤ 0.8×
 * tfjs-wasm's.
 */
export function checkTargets(rows: readonly Row[]): TargetResult[] {
  const out: TargetResult[] = [];
  const autos = autoRows(rows.filter((r) => r.id.startsWith('matmul.')));
  const one = autos.find((r) => r.threads === 1);
  const best = fastest(autos);
  const speedup = 'matmul 512: pool ≥ 1.8× Eole 1 thread';
  if (one && best && autos.length > 1) {
    const v = one.timing.medianMs / best.timing.medianMs;
    out.push({ target: speedup, pass: v >= 1.8, value: v, measured: `${v.toFixed(2)}× (${fmtMs(best.timing.medianMs)} ms at ${plural(best.threads)}, ${fmtMs(one.timing.medianMs)} ms at 1)` });
  } else out.push({ target: speedup, pass: null, value: null, measured: one ? 'not measured (only 1 thread ran)' : 'not measured' });
  const gflops = 'matmul 512 ≥ 20 GFLOP/s';
  if (best?.throughput) out.push({ target: gflops, pass: best.throughput.value >= 20, value: best.throughput.value, measured: `${best.throughput.value.toFixed(2)} GFLOP/s at ${plural(best.threads)}` });
  else out.push({ target: gflops, pass: null, value: null, measured: 'not measured' });
  out.push(faster(rows, 'LeNet-5 inference, batch 256,', 'lenet.infer.', 0.5));
  out.push(faster(rows, 'LeNet-5 training, batch 32,', 'lenet.train.', 1.2));
  out.push(faster(rows, 'MLP training step', 'mlp.', 1.2));
  const lstm = "LSTM step time ≤ 0.8× tfjs-wasm's";
  const p = pair(rows, 'lstm.', 'lstm.tfjs.wasm');
  if (p) {
    const v = p.eole.timing.medianMs / p.peer.timing.medianMs;
    out.push({ target: lstm, pass: v <= 0.8, value: v, measured: `${v.toFixed(2)}× (Eole ${fmtMs(p.eole.timing.medianMs)} ms at ${plural(p.eole.threads)}, tfjs wasm ${fmtMs(p.peer.timing.medianMs)} ms)` });
  } else out.push({ target: lstm, pass: null, value: null, measured: 'not measured' });
  return out;
}

/** The targets as a markdown checklist. */
export function targetLines(results: readonly TargetResult[]): string[] {
  const lines = ['Targets (issue 14), each on the Eole auto row at its best thread count; they do not change the exit code:', ''];
  for (const t of results) {
    const mark = t.pass === true ? '[x] PASS' : t.pass === false ? '[ ] MISS' : '[ ] SKIP';
    lines.push(`- ${mark} ${t.target}: ${t.measured}`);
  }
  return lines;
}
