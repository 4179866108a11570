import { kernels, ShapeError, Tensor } from '@eole/core';
import { checkIds } from './embedding.js';
import { kernel } from '../kernels/kernel.js';
import { scatterRows } from './scatterRows.js';

/** The position-encoding weight of word j (1-based) of J at embedding column k (0-based) of d. */
const WEIGHT = `(this.constants.pe > 0 ? (1 - j / J) - ((k + 1) / this.constants.d) * (1 - (2 * j) / J) : 1)`;

/** out[p, k] = Σ_l l(j, k)·w[ids[p, l], k] over the words of bag p (pos > 0). */
const FORWARD = `function(w, ids, pos, len) {
  const i = this.thread.x;
  const d = this.constants.d;
  const L = this.constants.L;
  const p = Math.floor(i / d);
  const k = i - p * d;
  const J = len[p];
  let s = 0;
  for (let l = 0; l < this.constants.L; l++) {
    const j = pos[p * L + l];
    if (j > 0) {
      s += ${WEIGHT} * w[ids[p * L + l] * d + k];
    }
  }
  return s;
}`;

/** rows[p, l, k] = l(j, k)·g[p, k]: each word's share of the bag's gradient. */
const BACKWARD_ROWS = `function(g, pos, len) {
  const i = this.thread.x;
  const d = this.constants.d;
  const q = Math.floor(i / d);
  const k = i - q * d;
  const p = Math.floor(q / this.constants.L);
  const j = pos[q];
  const J = len[p];
  if (j > 0) {
    return ${WEIGHT} * g[p * d + k];
  }
  return 0;
}`;

/**
 * The backward in one pass, gw[ids[p, l], k] += l(j, k)·g[p, k], written in place into the argument
 * `gw`: only gpu.js `cpu` mode may run it (there the kernel is plain JavaScript and its array
 * arguments are the caller's arrays, so the writes land; see scatterRows.ts). It saves building the
 * [P·L, d] shares that the other backends scatter through {@link scatterRows}.
 */
const BACKWARD_SCATTER = `function(gw, g, ids, pos, len) {
  const d = this.constants.d;
  const L = this.constants.L;
  for (let p = 0; p < this.constants.P; p++) {
    const J = len[p];
    for (let l = 0; l < this.constants.L; l++) {
      const j = pos[p * L + l];
      if (j > 0) {
        const dst = ids[p * L + l] * d;
        for (let k = 0; k < this.constants.d; k++) {
          gw[dst + k] += ${WEIGHT} * g[p * d + k];
        }
      }
    }
  }
  return 0;
}`;

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
 * in-place pass in gpu.js `cpu` mode under `auto` dispatch, or the shares then {@link scatterRows} on
 * a forced backend); padding ids get no gradient.
 *
 * @example
 * const sentences = Tensor.from([4, 7, 9, 0, 2, 5, 0, 0], [2, 4]); // id 0 pads
 * const m = embeddingBag(A.weight, sentences, { paddingIdx: 0, positionEncoding: true }); // [2, d]
 */
export function embeddingBag(weight: Tensor, ids: Tensor, options: EmbeddingBagOptions = {}, where = 'embeddingBag'): Tensor {
  if (weight.ndim !== 2) throw new ShapeError(where, `weight must be 2-D [nIndex, dim], got [${weight.shape.join(', ')}]`);
  if (ids.ndim !== 2) throw new ShapeError(where, `ids must be 2-D [bags, words], got [${ids.shape.join(', ')}]`);
  const [nIndex, d] = weight.shape as [number, number];
  const [P, L] = ids.shape as [number, number];
  checkIds(where, ids.data, nIndex);
  const { pos, len, active } = positions(ids.data, P, L, options.paddingIdx ?? null);
  const constants = { d, L, pe: options.positionEncoding ? 1 : 0 };
  const out = kernel('embeddingBag', FORWARD).run({ output: [P * d], constants, args: [weight.data, ids.data, pos, len], work: P * L * d });
  return Tensor.record(new Tensor(out, [P, d]), where, [weight], (g) => {
    if (kernels.backend === 'auto' || kernels.backend === 'cpu') {
      const gw = new Float32Array(nIndex * d);
      const scatter = kernel('embeddingBag.scatter', BACKWARD_SCATTER);
      kernels.withBackend('cpu', () => scatter.run({ output: [1], constants: { ...constants, P }, args: [gw, g.data, ids.data, pos, len] }));
      return [new Tensor(gw, weight.shape)];
    }
    const rows = kernel('embeddingBag.rows', BACKWARD_ROWS).run({ output: [P * L * d], constants, args: [g.data, pos, len] });
    return [new Tensor(scatterRows(nIndex, d, active, rows), weight.shape)];
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
