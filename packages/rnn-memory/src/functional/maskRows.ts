import { kernels, ShapeError, Tensor, type Kernel } from '@eole/core';

/** out[q] = keep[row(q)] > 0 ? a[q] : b[q], with row(q) = ⌊q / H⌋ mod N. */
const SELECT = `function(a, b, keep) {
  const q = this.thread.x;
  const r = Math.floor(q / this.constants.H);
  const row = r - Math.floor(r / this.constants.N) * this.constants.N;
  if (keep[row] > 0) { return a[q]; }
  return b[q];
}`;

let select: Kernel | null = null;

function run(a: Float32Array, b: Float32Array, keep: Float32Array, N: number, H: number): Float32Array {
  select ??= kernels.define('rnn.maskRows', SELECT);
  return select.run({ output: [a.length], constants: { N, H }, args: [a, b, keep] });
}

/**
 * Row-wise choice between two states, the masking of variable-length sequences: for tensors
 * [..., N, H] whose rows are the N sequences of a batch, out[…, n, :] = next[…, n, :] where
 * keep[n] = 1 (the sequence is still running) and prev[…, n, :] where keep[n] = 0 (it has ended:
 * its state stays as it was). With `prev` null, ended rows are zero (the outputs past a sequence's
 * end). The gradient goes to `next` on kept rows and to `prev` on the others.
 *
 * @example
 * const h = maskRows(hNew, hPrev, Float32Array.from(lengths, (len) => (t < len ? 1 : 0)));
 */
export function maskRows(next: Tensor, prev: Tensor | null, keep: Float32Array): Tensor {
  const N = keep.length;
  const H = next.shape[next.ndim - 1] ?? 1;
  if (next.ndim < 2 || next.shape[next.ndim - 2] !== N) {
    throw new ShapeError('maskRows', `next must be [..., ${N}, H] for ${N} mask entries, got [${next.shape.join(', ')}]`);
  }
  if (prev && (prev.ndim !== next.ndim || prev.shape.some((d, i) => d !== next.shape[i]))) {
    throw new ShapeError('maskRows', `prev must match next [${next.shape.join(', ')}], got [${prev.shape.join(', ')}]`);
  }
  const zeros = new Float32Array(next.size);
  const out = new Tensor(run(next.data, prev ? prev.data : zeros, keep, N, H), next.shape);
  return Tensor.record(out, 'maskRows', prev ? [next, prev] : [next], (g, needs) => [
    needs[0] ? new Tensor(run(g.data, zeros, keep, N, H), next.shape) : null,
    prev && needs[1] ? new Tensor(run(zeros, g.data, keep, N, H), next.shape) : null,
  ]);
}
