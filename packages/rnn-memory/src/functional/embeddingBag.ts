import { formatShape, indexAdd, kernels, ShapeError, Tensor } from '@eole/core';
import { bagScatter, bagShares, bagSums, type BagDims } from '../kernels/embeddingKernels.js';
import { checkIds } from './embedding.js';

/** Options of {@link embeddingBag}. */
export interface EmbeddingBagOptions {
  /** An id that marks an empty slot: it is skipped and does not count in a bag's length J. */
  paddingIdx?: number | null;
  /** Weigh word j of J at column k by the position encoding l_kj (default false: a plain sum). */
  positionEncoding?: boolean;
}

/** Word positions (1-based among the non-padding ids of each bag, 0 for padding) and bag lengths J. */
function positions(ids: Float32Array, P: number, L: number, paddingIdx: number | null): { pos: Float32Array; len: Float32Array; active: Float32Array } {
  const pos = new Float32Array(P * L);
  const len = new Float32Array(P);
  const active = new Float32Array(P * L);
  for (let p = 0; p < P; p++) {
    let j = 0;
    for (let l = 0; l < L; l++) {
      const q = p * L + l;
      if (ids[q] === paddingIdx) {
        active[q] = -1;
      } else {
        pos[q] = ++j;
        active[q] = ids[q]!;
      }
    }
    len[p] = j;
  }
  return { pos, len, active };
}

/**
 * Sums the embeddings of each bag of words, optionally weighted by the position encoding of
 * Sukhbaatar, Szlam, Weston & Fergus, "End-To-End Memory Networks" (NIPS 2015), section 4.1:
 *
 *   m_p = Σ_j l_j ⊙ W[x_pj],    l_kj = (1 − j/J) − (k/d)(1 − 2j/J)
 *
 * for `weight` W [nIndex, d] and ids [P, L] (P bags of at most L words; j = 1…J counts the
 * non-padding words of the bag, k = 1…d the embedding column). Without position encoding l_kj = 1
 * (a bag of words, `torch.nn.EmbeddingBag` with mode 'sum'). One autograd node: the forward is one
 * gather kernel, the backward scatter-adds each word's share l_kj·∂m_p[k] into the table (one
 * in-place pass in gpu.js `cpu` mode under `auto` dispatch, or the shares then core's `indexAdd` on
 * a forced backend); padding ids get no gradient.
 *
 * @example
 * const sentences = Tensor.from([4, 7, 9, 0, 2, 5, 0, 0], [2, 4]); // id 0 pads
 * const m = embeddingBag(A.weight, sentences, { paddingIdx: 0, positionEncoding: true }); // [2, d]
 */
export function embeddingBag(weight: Tensor, ids: Tensor, options: EmbeddingBagOptions = {}, where = 'embeddingBag'): Tensor {
  if (weight.ndim !== 2) throw new ShapeError(where, `weight must be 2-D [nIndex, dim], got ${formatShape(weight.shape)}`);
  if (ids.ndim !== 2) throw new ShapeError(where, `ids must be 2-D [bags, words], got ${formatShape(ids.shape)}`);
  const [nIndex, d] = weight.shape as [number, number];
  const [P, L] = ids.shape as [number, number];
  checkIds(where, ids.data, nIndex);
  const { pos, len, active } = positions(ids.data, P, L, options.paddingIdx ?? null);
  const bag: BagDims = { d, L, pe: options.positionEncoding ? 1 : 0 };
  const out = bagSums(weight.data, ids.data, pos, len, P, bag);
  return Tensor.record(new Tensor(out, [P, d]), where, [weight], (g) => {
    if (kernels.backend === 'auto' || kernels.backend === 'cpu') return [new Tensor(bagScatter(g.data, ids.data, pos, len, P, nIndex, bag), weight.shape)];
    const shares = new Tensor(bagShares(g.data, pos, len, P, bag), [P * L, d]);
    return [indexAdd(Tensor.zeros(weight.shape), 0, new Tensor(active, [P * L]), shares)];
  });
}

/**
 * The position-encoding weights l_kj of {@link embeddingBag} for a bag of J words and embedding
 * size d, as a [J, d] tensor (row j − 1, column k − 1).
 *
 * @example
 * positionEncoding(3, 4).data[0]; // l_11 = (1 − 1/3) − (1/4)(1 − 2/3) = 0.5833…
 */
export function positionEncoding(J: number, d: number): Tensor {
  const out = new Float32Array(J * d);
  for (let j = 1; j <= J; j++) for (let k = 1; k <= d; k++) out[(j - 1) * d + k - 1] = 1 - j / J - (k / d) * (1 - (2 * j) / J);
  return new Tensor(out, [J, d]);
}
