import { kernels } from '@eole/core';
import { kernel } from '../kernels/kernel.js';

/**
 * gw[ids[q]] += rows[q] for every q whose id is not negative, written in place into the argument
 * `gw`. Only gpu.js `cpu` mode may run it: there the kernel is plain JavaScript and its array
 * arguments are the caller's arrays, so the writes land; no other backend can write outside its
 * output cell. This is what makes an embedding's backward cost O(ids·dim) instead of the
 * O(vocabulary·ids·dim) of a gather over the whole table.
 */
const SCATTER = `function(gw, rows, ids) {
  const d = this.constants.d;
  for (let q = 0; q < this.constants.Q; q++) {
    const id = ids[q];
    if (id >= 0) {
      const dst = id * d;
      const src = q * d;
      for (let k = 0; k < this.constants.d; k++) {
        gw[dst + k] += rows[src + k];
      }
    }
  }
  return 0;
}`;

/**
 * The same sum in gather form for backends that cannot scatter: one thread per (distinct id, column)
 * adds the rows of that id's occurrences, listed contiguously in `order` from `start[u]` on
 * (`count[u]` of them, at most the constant `maxCount`).
 */
const GATHER = `function(rows, order, start, count) {
  const i = this.thread.x;
  const d = this.constants.d;
  const u = Math.floor(i / d);
  const k = i - u * d;
  const n = count[u];
  const s0 = start[u];
  let s = 0;
  for (let c = 0; c < this.constants.maxCount; c++) {
    if (c < n) {
      s += rows[order[s0 + c] * d + k];
    }
  }
  return s;
}`;

/**
 * Sums rows into a table: returns gw [n·d] with gw[v] = Σ_{q : ids[q] = v} rows[q] (ids < 0 are
 * skipped). This is the backward of an embedding lookup (Torch7 `LookupTable:accGradParameters`).
 *
 * Under `auto` dispatch (and a forced `cpu`) it runs as an in-place scatter in gpu.js `cpu` mode:
 * O(Q·d). On other forced backends (parity tests, `--backend webasm`) it groups the occurrences by id
 * (a counting sort in JS) and runs a gather over the distinct ids only: O(distinct·d·maxCount), with
 * the launch sizes rounded up to powers of two so that batches of similar shape share one compiled
 * kernel.
 */
export function scatterRows(n: number, d: number, ids: Float32Array, rows: Float32Array): Float32Array {
  const Q = ids.length;
  if (rows.length !== Q * d) throw new Error(`scatterRows: ${Q} ids need ${Q * d} row values, got ${rows.length}`);
  const gw = new Float32Array(n * d);
  if (Q === 0) return gw;
  if (kernels.backend === 'auto' || kernels.backend === 'cpu') {
    kernels.withBackend('cpu', () => kernel('scatterRows', SCATTER).run({ output: [1], constants: { Q, d }, args: [gw, rows, ids] }));
    return gw;
  }
  return gatherRows(n, d, ids, rows, gw);
}

function gatherRows(n: number, d: number, ids: Float32Array, rows: Float32Array, gw: Float32Array): Float32Array {
  const counts = new Int32Array(n);
  for (const id of ids) if (id >= 0) counts[id]!++;
  const distinct: number[] = [];
  for (let v = 0; v < n; v++) if (counts[v]! > 0) distinct.push(v);
  if (distinct.length === 0) return gw;
  const U = pow2(distinct.length);
  const start = new Float32Array(U);
  const count = new Float32Array(U);
  const slot = new Int32Array(n);
  let offset = 0;
  let maxCount = 1;
  distinct.forEach((v, u) => {
    start[u] = offset;
    count[u] = counts[v]!;
    slot[v] = offset;
    offset += counts[v]!;
    maxCount = Math.max(maxCount, counts[v]!);
  });
  const order = new Float32Array(pow2(offset));
  ids.forEach((id, q) => {
    if (id >= 0) order[slot[id]!++] = q;
  });
  const sums = kernel('gatherRows', GATHER).run({
    output: [U * d],
    constants: { d, maxCount: pow2(maxCount) },
    args: [rows, order, start, count],
    work: U * d * maxCount,
  });
  distinct.forEach((v, u) => gw.set(sums.subarray(u * d, (u + 1) * d), v * d));
  return gw;
}

function pow2(x: number): number {
  let p = 1;
  while (p < x) p *= 2;
  return p;
}
