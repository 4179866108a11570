import { fmtMs, type Row } from './report.js';

/** Short names of the peers, by the end of their row ids. */
const PEERS: readonly [string, string][] = [
  ['plainjs', 'plain JS'],
  ['tfjs.cpu', 'tfjs cpu'],
  ['tfjs.wasm', 'tfjs wasm'],
  ['convnetjs', 'ConvNetJS'],
  ['brainjs', 'brain.js'],
];

/** Eole's auto-dispatch rows of one benchmark, one per thread count (ids end in `.eole.auto.t<n>`). */
export function autoRows(rows: readonly Row[]): Row[] {
  return rows.filter((r) => r.ours && /\.eole\.auto\.t\d+$/.test(r.id));
}

/** The fastest of `rows` (by median time), or undefined for none. */
export function fastest(rows: readonly Row[]): Row | undefined {
  return rows.reduce<Row | undefined>((best, r) => (best === undefined || r.timing.medianMs < best.timing.medianMs ? r : best), undefined);
}

/** A peer row's short name (`tfjs wasm`), from its id. */
export function peerName(r: Row): string {
  return PEERS.find(([end]) => r.id.endsWith(`.${end}`))?.[1] ?? r.impl;
}

const plural = (n: number): string => `${n} thread${n === 1 ? '' : 's'}`;
const x = (v: number): string => `${v.toFixed(2)}×`;

/**
 * Per benchmark: for every thread count, Eole auto's time, its ratio to the best checked peer
 * (peer time ÷ Eole time: above 1, Eole is faster) and the pool's speed-up over 1 thread; then the
 * launches per training step and the ratio to every peer at Eole's best thread count.
 */
export function summaryLines(rows: readonly Row[]): string[] {
  const lines = ['Summary (ratios are peer time ÷ Eole time: above 1, Eole is faster; speed-up is Eole 1 thread ÷ Eole n threads)'];
  for (const bench of [...new Set(rows.map((r) => r.bench))]) {
    const mine = rows.filter((r) => r.bench === bench);
    const autos = autoRows(mine);
    const base = autos.find((r) => r.threads === 1);
    const best = fastest(autos);
    if (!base || !best) continue;
    const peers = mine.filter((r) => !r.ours);
    const bestPeer = fastest(peers.filter((r) => r.maxAbsDiff !== undefined));
    lines.push('', `**${bench}**${bestPeer ? `: best peer ${peerName(bestPeer)}, ${fmtMs(bestPeer.timing.medianMs)} ms` : ''}`);
    for (const r of autos) {
      const parts = [`${fmtMs(r.timing.medianMs)} ms${r.throughput ? ` (${fmtThroughput(r)})` : ''}`];
      if (bestPeer) parts.push(`vs ${peerName(bestPeer)} ${x(bestPeer.timing.medianMs / r.timing.medianMs)}`);
      if (r !== base) parts.push(`pool speed-up ${x(base.timing.medianMs / r.timing.medianMs)} over 1 thread`);
      lines.push(`- Eole auto, ${plural(r.threads)}: ${parts.join('; ')}`);
    }
    if (base.launchesPerStep !== undefined) lines.push(`- Eole kernel launches per training step: ${fmtCount(base.launchesPerStep)} (${base.backend})`);
    if (peers.length > 0) {
      const each = peers.map((p) => `${peerName(p)} ${x(p.timing.medianMs / best.timing.medianMs)}${p.maxAbsDiff === undefined ? ' (own task, not checked; see the note)' : ''}`);
      lines.push(`- Eole auto at its best thread count (${best.threads}) vs each peer: ${each.join(', ')}`);
    }
  }
  return lines;
}

function fmtThroughput(r: Row): string {
  const v = r.throughput!.value;
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(2)} ${r.throughput!.unit}`;
}

function fmtCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
