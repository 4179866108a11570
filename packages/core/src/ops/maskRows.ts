import { kernels } from '../kernels/KernelRegistry.js';
import { Tensor } from '../tensor/Tensor.js';
import { fmt, sameShape, ShapeError } from '../tensor/shape.js';

/** out[q] = keep[row(q)] > 0 ? a[q] : b[q], with row(q) = ⌊q / H⌋ mod N. */
const SELECT = `function(a, b, keep) {
  const q = this.thread.x;
  const r = Math.floor(q / this.constants.H);
  const row = r - Math.floor(r / this.constants.N) * this.constants.N;
  if (keep[row] > 0) { return a[q]; }
  return b[q];
}`;

function select(a: Float32Array, b: Float32Array, keep: Float32Array, N: number, H: number): Float32Array {
  return kernels.define('core.maskRows.select', SELECT).run({ output: [a.length], constants: { N, H }, args: [a, b, keep] });
}

/**
 * Row-wise choice between two states, the masking of variable-length sequences: for tensors
 * [..., N, H] whose rows are the N sequences of a batch,
 * out[…, n, :] = keep[n] > 0 ? next[…, n, :] : prev[…, n, :]
 * (a running sequence takes its new state; an ended one keeps its old state). With `prev` null,
 * ended rows are zero (the outputs past a sequence's end). The gradient goes to `next` on kept rows
 * and to `prev` on the others: ∂next = keep·g, ∂prev = (1 − keep)·g.
 *
 * @example
 * const h = maskRows(hNew, hPrev, Float32Array.from(lengths, (len) => (t < len ? 1 : 0)));
 */
export function maskRows(next: Tensor, prev: Tensor | null, keep: Float32Array): Tensor {
  const N = keep.length;
  const H = next.shape[next.ndim - 1] ?? 1;
  if (next.ndim < 2 || next.shape[next.ndim - 2] !== N) {
    throw new ShapeError('maskRows', `next must be [..., ${N}, H] for ${N} mask entries, got ${fmt(next.shape)}`);
  }
  if (prev && !sameShape(prev.shape, next.shape)) {
    throw new ShapeError('maskRows', `prev must match next ${fmt(next.shape)}, got ${fmt(prev.shape)}`);
  }
  const zeros = new Float32Array(next.size);
  const out = new Tensor(select(next.data, prev ? prev.data : zeros, keep, N, H), next.shape);
  return Tensor.record(out, 'maskRows', prev ? [next, prev] : [next], (g, needs) => [
    needs[0] ? new Tensor(select(g.data, zeros, keep, N, H), next.shape) : null,
    prev && needs[1] ? new Tensor(select(zeros, g.data, keep, N, H), next.shape) : null,
  ]);
}
