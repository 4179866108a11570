import { kernels } from '@eole/core';

/** out[q, k] = w[ids[q], k]: one thread per output value. */
const LOOKUP = `function(w, ids) {
  const i = this.thread.x;
  const q = Math.floor(i / this.constants.d);
  const k = i - q * this.constants.d;
  return w[ids[q] * this.constants.d + k];
}`;

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
 * arguments are the caller's arrays, so the writes land; see core's indexAdd). It saves building the
 * [P·L, d] shares that the other backends add up through core's `indexAdd`.
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

/** The sizes of a bag-of-words launch: d embedding columns, L word slots per bag, position encoding on (1) or off (0). */
export interface BagDims {
  d: number;
  L: number;
  pe: 0 | 1;
}

/** out[q, k] = w[ids[q], k] for a table w [nIndex, d]: [ids.length·d] values. */
export function lookupRows(w: Float32Array, ids: Float32Array, d: number): Float32Array {
  return kernels.define('rnn-memory.embedding.forward', LOOKUP).run({ output: [ids.length * d], constants: { d }, args: [w, ids] });
}

/** The bag sums m [P, d] of {@link embeddingBag} over ids [P, L] with word positions `pos` and bag lengths `len`. */
export function bagSums(w: Float32Array, ids: Float32Array, pos: Float32Array, len: Float32Array, P: number, bag: BagDims): Float32Array {
  const k = kernels.define('rnn-memory.embeddingBag.forward', FORWARD);
  return k.run({ output: [P * bag.d], constants: { ...bag }, args: [w, ids, pos, len], work: P * bag.L * bag.d });
}

/** Each word's share l(j, k)·g[p, k] of its bag's gradient g [P, d]: [P·L·d] values (0 for padding). */
export function bagShares(g: Float32Array, pos: Float32Array, len: Float32Array, P: number, bag: BagDims): Float32Array {
  const k = kernels.define('rnn-memory.embeddingBag.backwardRows', BACKWARD_ROWS);
  return k.run({ output: [P * bag.L * bag.d], constants: { ...bag }, args: [g, pos, len] });
}

/**
 * The table gradient [nIndex·d] of {@link embeddingBag} in one in-place scatter, run in gpu.js
 * `cpu` mode whatever the dispatch (the only mode whose kernels can write into an argument).
 */
export function bagScatter(g: Float32Array, ids: Float32Array, pos: Float32Array, len: Float32Array, P: number, nIndex: number, bag: BagDims): Float32Array {
  const gw = new Float32Array(nIndex * bag.d);
  const scatter = kernels.define('rnn-memory.embeddingBag.backwardScatter', BACKWARD_SCATTER);
  kernels.withBackend('cpu', () => scatter.run({ output: [1], constants: { ...bag, P }, args: [gw, g, ids, pos, len] }));
  return gw;
}
