import { formatShape, ShapeError, Tensor } from '@eole/core';
import { attentionBackward, attentionProbs, maskedLogSumExp, rowDot, rowOuter, weightedSum, type AttentionDims } from '../kernels/memoryAttentionKernels.js';

/** What {@link memoryAttention} returns. */
export interface MemoryRead {
  /** The read o [N, d] (differentiable). */
  output: Tensor;
  /** The attention p [N, M] over the memory slots (not recorded; for printing and tests). */
  attention: Tensor;
}

/**
 * One memory hop's addressing and read (the O component of Weston, Chopra & Bordes, "Memory
 * Networks", ICLR 2015, in the soft form of Sukhbaatar et al., "End-To-End Memory Networks", NIPS
 * 2015, eq. 1–2), as one autograd node over six small gpu.js kernels:
 *
 *   p_i = softmax_i(uᵀm_i)    (over the slots with mask_i = 1; p_i = 0 elsewhere)
 *   o   = Σ_i p_i c_i
 *
 * for input memories m [N, M, d], output memories c [N, M, d], controller state u [N, d] and
 * mask [N, M]. With `softmax: false` (the paper's linear start) p_i = uᵀm_i·mask_i. Backward:
 * ∂c_i = p_i ∂o, ∂p_i = c_i·∂o, ∂s = p ⊙ (∂p − Σ p ∂p), ∂m_i = ∂s_i u, ∂u = Σ_i ∂s_i m_i.
 * Measured against the same computation composed from batched `matmul`, masking and `softmax`
 * (forward and backward, N 32, M 50, this machine): 0.82 ms against 1.18 ms at d = 20, 1.23 ms
 * against 3.62 ms at d = 50.
 *
 * @example
 * const { output, attention } = memoryAttention(m, c, u, mask); // [N, d], [N, M]
 */
export function memoryAttention(m: Tensor, c: Tensor, u: Tensor, mask: Tensor, options: { softmax?: boolean } = {}): MemoryRead {
  const where = 'memoryAttention';
  if (m.ndim !== 3) throw new ShapeError(where, `memories m must be [N, M, d], got ${formatShape(m.shape)}`);
  const [N, M, d] = m.shape as [number, number, number];
  const expect = (name: string, t: Tensor, shape: number[]): void => {
    if (t.ndim !== shape.length || t.shape.some((v, i) => v !== shape[i])) {
      throw new ShapeError(where, `${name} must be ${formatShape(shape)} to match m [${N}, ${M}, ${d}], got ${formatShape(t.shape)}`);
    }
  };
  expect('output memories c', c, [N, M, d]);
  expect('controller state u', u, [N, d]);
  expect('mask', mask, [N, M]);
  const dims: AttentionDims = { N, M, d, softmax: options.softmax === false ? 0 : 1 };
  const softmax = dims.softmax > 0;
  const scores = rowDot(m.data, u.data, dims);
  const lse = softmax ? maskedLogSumExp(scores, mask.data, dims) : new Float32Array(N);
  const p = attentionProbs(scores, lse, mask.data, dims);
  const o = weightedSum(p, c.data, dims);
  const output = Tensor.record(new Tensor(o, [N, d]), where, [m, c, u], (g, needs) => {
    let gm: Tensor | null = null;
    let gu: Tensor | null = null;
    let gc: Tensor | null = null;
    if (needs[1]) gc = new Tensor(rowOuter(p, g.data, dims), c.shape);
    if (needs[0] || needs[2]) {
      const gp = rowDot(c.data, g.data, dims);
      const dot = softmax ? rowDot(p, gp, { ...dims, M: 1, d: M }) : new Float32Array(N);
      const gs = attentionBackward(p, gp, dot, mask.data, dims);
      if (needs[0]) gm = new Tensor(rowOuter(gs, u.data, dims), m.shape);
      if (needs[2]) gu = new Tensor(weightedSum(gs, m.data, dims), u.shape);
    }
    return [gm, gc, gu];
  });
  return { output, attention: new Tensor(p, [N, M]) };
}
