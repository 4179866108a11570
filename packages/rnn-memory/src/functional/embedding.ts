import { formatShape, indexAdd, ShapeError, Tensor } from '@eole/core';
import { lookupRows } from '../kernels/embeddingKernels.js';

/**
 * Throws unless every id is an integer in [0, nIndex), naming the first bad one, its position and
 * the table size.
 */
export function checkIds(where: string, ids: Float32Array, nIndex: number): void {
  for (let q = 0; q < ids.length; q++) {
    const v = ids[q]!;
    if (!Number.isInteger(v) || v < 0 || v >= nIndex) {
      throw new RangeError(`${where}: id ${v} at position ${q} is out of range for nIndex ${nIndex} (ids must be integers in [0, ${nIndex}))`);
    }
  }
}

/** The ids with `paddingIdx` replaced by −1, which core's `indexAdd` skips. */
export function maskPadding(ids: Float32Array, paddingIdx: number | null): Float32Array {
  if (paddingIdx === null) return ids;
  const out = new Float32Array(ids);
  for (let q = 0; q < out.length; q++) if (out[q] === paddingIdx) out[q] = -1;
  return out;
}

/**
 * Embedding lookup as one autograd node: y[…, k] = weight[ids[…], k] for `weight` [nIndex, d] and
 * integer-valued `ids` of any shape; y has shape [...ids.shape, d] (`torch.nn.functional.embedding`,
 * Torch7 `LookupTable:updateOutput`). Backward: ∂weight[v] = Σ_{q : ids[q] = v} ∂y[q], a scatter-add
 * (core's `indexAdd`); the row `paddingIdx` gets no gradient. `ids` gets none either.
 *
 * @example
 * const w = Tensor.randn([10, 4], rng).requiresGrad_();
 * const y = embedding(w, Tensor.from([3, 3, 7]), null); // [3, 4]
 * y.sum().backward();                                  // w.grad row 3 is 2, row 7 is 1
 */
export function embedding(weight: Tensor, ids: Tensor, paddingIdx: number | null, where = 'embedding'): Tensor {
  if (weight.ndim !== 2) throw new ShapeError(where, `weight must be 2-D [nIndex, dim], got ${formatShape(weight.shape)}`);
  const [nIndex, d] = weight.shape as [number, number];
  checkIds(where, ids.data, nIndex);
  const y = new Tensor(lookupRows(weight.data, ids.data, d), [...ids.shape, d]);
  const index = new Tensor(maskPadding(ids.data, paddingIdx), [ids.size]);
  return Tensor.record(y, where, [weight], (g) => [indexAdd(Tensor.zeros(weight.shape), 0, index, new Tensor(g.data, [ids.size, d]))]);
}
