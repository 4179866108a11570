import { kernels } from '../kernels/KernelRegistry.js';
import { Tensor } from '../tensor/Tensor.js';
import { around, fmt, normAxis, sameShape, ShapeError } from '../tensor/shape.js';

/**
 * out[o, index[q], k] += alpha·source[o, q, k] for every q whose index is not negative, written in
 * place into the argument `out`. Only gpu.js `cpu` mode may run it: there the kernel is plain
 * JavaScript and its array arguments are the caller's arrays, so the writes land; no other backend
 * can write outside its output cell.
 */
const SCATTER = `function(out, src, ids, alpha) {
  const inn = this.constants.inner;
  for (let o = 0; o < this.constants.outer; o++) {
    for (let q = 0; q < this.constants.m; q++) {
      const id = ids[q];
      if (id >= 0) {
        const dst = (o * this.constants.n + id) * inn;
        const s = (o * this.constants.m + q) * inn;
        for (let k = 0; k < this.constants.inner; k++) {
          out[dst + k] += alpha * src[s + k];
        }
      }
    }
  }
  return 0;
}`;

/**
 * The same sum in gather form for backends that cannot scatter: one thread per (outer, distinct id
 * u, inner) starts from the input value at row vid[u] and adds the source rows of that id's
 * occurrences, listed contiguously in `order` from `start[u]` on (`count[u]` of them, at most the
 * constant `maxCount`), in increasing q as the scatter does.
 */
const GATHER = `function(base, src, order, start, count, vid, alpha) {
  const i = this.thread.x;
  const inn = this.constants.inner;
  const uu = this.constants.U;
  const o = Math.floor(i / (uu * inn));
  const r = i - o * uu * inn;
  const u = Math.floor(r / inn);
  const k = r - u * inn;
  const c0 = count[u];
  const s0 = start[u];
  let s = base[(o * this.constants.n + vid[u]) * inn + k];
  for (let c = 0; c < this.constants.maxCount; c++) {
    if (c < c0) {
      s += alpha * src[(o * this.constants.m + order[s0 + c]) * inn + k];
    }
  }
  return s;
}`;

/** ∂source[o, q, k] = alpha·g[o, index[q], k], or 0 where index[q] is negative. */
const BACKWARD = `function(g, ids, alpha) {
  const i = this.thread.x;
  const inn = this.constants.inner;
  const mm = this.constants.m;
  const o = Math.floor(i / (mm * inn));
  const r = i - o * mm * inn;
  const q = Math.floor(r / inn);
  const k = r - q * inn;
  const id = ids[q];
  if (id < 0) { return 0; }
  return alpha * g[(o * this.constants.n + id) * inn + k];
}`;

interface Geometry {
  outer: number;
  n: number;
  m: number;
  inner: number;
}

/**
 * Adds the slices of `source` into a copy of `input` at the positions `index` along `axis`, as
 * PyTorch's `index_add(input, dim, index, source, alpha=alpha)`:
 *
 *   out = input;  out[…, index[q], …] += alpha·source[…, q, …]   for q = 0 … m−1 (along `axis`),
 *
 * so repeated indices add up. `index` is 1-D with m integer entries below `input.shape[axis]`;
 * `source` has input's shape with m along `axis`. Unlike PyTorch, a negative index entry is skipped
 * (a padding slot contributes nothing). Backward: ∂input = g, ∂source[…, q, …] = alpha·g[…, index[q], …]
 * (0 for a skipped q). This is the backward of an embedding lookup (Torch7
 * `LookupTable:accGradParameters`) and of a max pooling's arg-max routing.
 *
 * Under `auto` dispatch (and a forced `cpu`) it runs as an in-place scatter in gpu.js `cpu` mode,
 * O(outer·m·inner). On other forced backends it groups the occurrences by index (a counting sort in
 * JS) and gathers over the distinct indices only, with launch sizes rounded up to powers of two so
 * that batches of similar shape share one compiled kernel.
 *
 * @example
 * const table = Tensor.zeros([5, 2]);
 * const rows = Tensor.from([1, 1, 2, 2, 3, 3], [3, 2]);
 * indexAdd(table, 0, Tensor.from([4, 0, 4]), rows); // row 0 = [2, 2], row 4 = [4, 4]
 */
export function indexAdd(input: Tensor, axis: number, index: Tensor, source: Tensor, alpha = 1): Tensor {
  const a = normAxis('indexAdd', axis, input.ndim);
  if (index.ndim !== 1) throw new ShapeError('indexAdd', `index must be 1-D, got shape ${fmt(index.shape)}`);
  const want = input.shape.map((d, i) => (i === a ? index.size : d));
  if (!sameShape(source.shape, want)) {
    throw new ShapeError('indexAdd', `source must be ${fmt(want)} for input ${fmt(input.shape)} and ${index.size} indices along axis ${axis}, got ${fmt(source.shape)}`);
  }
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new TypeError(`indexAdd: alpha must be a finite number, got ${String(alpha)}`);
  const [outer, n, inner] = around(input.shape, a);
  checkIndex(index.data, n);
  const geo: Geometry = { outer, n, m: index.size, inner };
  const out = new Tensor(indexAddRaw(input.data, source.data, index.data, geo, alpha), input.shape);
  return Tensor.record(out, 'indexAdd', [input, source], (g, needs) => [
    needs[0] ? g : null,
    needs[1] ? new Tensor(kernels.define('core.indexAdd.backward', BACKWARD).run({ output: [source.size], constants: { ...geo }, args: [g.data, index.data, alpha] }), source.shape) : null,
  ]);
}

function checkIndex(values: Float32Array, n: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v >= n) throw new ShapeError('indexAdd', `index ${v} at position ${i} is out of range [0, ${n}) (negative entries are skipped)`);
  }
}

function indexAddRaw(base: Float32Array, src: Float32Array, ids: Float32Array, geo: Geometry, alpha: number): Float32Array {
  const out = new Float32Array(base);
  if (geo.m === 0 || geo.outer * geo.inner === 0) return out;
  if (kernels.backend === 'auto' || kernels.backend === 'cpu') {
    const scatter = kernels.define('core.indexAdd.scatter', SCATTER);
    kernels.withBackend('cpu', () => scatter.run({ output: [1], constants: { ...geo }, args: [out, src, ids, alpha], work: src.length }));
    return out;
  }
  return gatherAdd(out, src, ids, geo, alpha);
}

function gatherAdd(out: Float32Array, src: Float32Array, ids: Float32Array, geo: Geometry, alpha: number): Float32Array {
  const { outer, n, inner } = geo;
  const counts = new Int32Array(n);
  for (const id of ids) if (id >= 0) counts[id]!++;
  const distinct: number[] = [];
  for (let v = 0; v < n; v++) if (counts[v]! > 0) distinct.push(v);
  if (distinct.length === 0) return out;
  const U = pow2(distinct.length);
  const start = new Float32Array(U);
  const count = new Float32Array(U);
  const vid = new Float32Array(U);
  const slot = new Int32Array(n);
  let offset = 0;
  let maxCount = 1;
  distinct.forEach((v, u) => {
    start[u] = offset;
    count[u] = counts[v]!;
    vid[u] = v;
    slot[v] = offset;
    offset += counts[v]!;
    maxCount = Math.max(maxCount, counts[v]!);
  });
  const order = new Float32Array(pow2(offset));
  ids.forEach((id, q) => {
    if (id >= 0) order[slot[id]!++] = q;
  });
  const sums = kernels.define('core.indexAdd.gather', GATHER).run({
    output: [outer * U * inner],
    constants: { ...geo, U, maxCount: pow2(maxCount) },
    args: [out, src, order, start, count, vid, alpha],
    work: outer * U * inner * maxCount,
  });
  for (let o = 0; o < outer; o++) {
    distinct.forEach((v, u) => out.set(sums.subarray((o * U + u) * inner, (o * U + u + 1) * inner), (o * n + v) * inner));
  }
  return out;
}

function pow2(x: number): number {
  let p = 1;
  while (p < x) p *= 2;
  return p;
}
