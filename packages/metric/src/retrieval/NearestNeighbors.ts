import { describeValue, Tensor } from '@eole/core';
import { checkCount } from '../validation/check.js';
import { checkMatrix, checkMetric, distancesTo, prepareRows, type Metric, type PreparedRows } from '../functional/distanceMatrix.js';

/** Options of {@link NearestNeighbors}. */
export interface NearestNeighborsOptions {
  /** `l2` (Euclidean, default) or `cosine` (1 − cos). */
  metric?: Metric;
  /** Queries per distance block (default: as many as keep a block under 4M distances). */
  chunkSize?: number;
}

/** Options of {@link NearestNeighbors.search} and the retrieval metrics. */
export interface SearchOptions {
  /**
   * The queries are the indexed items themselves (query i is item i): item i is left out of query
   * i's neighbours (leave-one-out). Needs as many queries as items.
   */
  excludeSelf?: boolean;
}

/** The k nearest items of each of M queries, nearest first: row-major [M, k] flat arrays. */
export interface SearchResult {
  indices: Int32Array;
  distances: Float32Array;
}

const BLOCK = 1 << 22;

/**
 * A brute-force nearest-neighbour index over embeddings [N, D] with integer labels: the retrieval
 * half of metric learning (a face or a digit is recognised by its nearest stored neighbours in the
 * learned space; Chopra, Hadsell & LeCun 2005). Distances come from one matrix product per block
 * of queries (core's `matmul`): d(q, x) = √max(0, ‖q‖² − 2·q·x + ‖x‖²) for `l2`, 1 − q̂·x̂ for
 * `cosine`; blocks bound the memory to about `chunkSize`·N distances. Ties go to the lower index.
 *
 * @example
 * const index = new NearestNeighbors(trainEmbeddings, trainLabels, { metric: 'l2' });
 * const { indices, distances } = index.search(testEmbeddings, 5);   // [M·5] each
 * const predicted = index.classify(testEmbeddings, 1);                // 1-NN labels
 */
export class NearestNeighbors {
  /** The labels of the indexed items. */
  readonly labels: Int32Array;
  readonly metric: Metric;
  private readonly rows: PreparedRows;
  private readonly chunkSize: number;

  constructor(embeddings: Tensor, labels: ArrayLike<number> | Tensor, options: NearestNeighborsOptions = {}) {
    const op = 'NearestNeighbors';
    this.metric = checkMetric(op, options.metric ?? 'l2');
    const x = checkMatrix(op, 'embeddings', embeddings);
    const values = labels instanceof Tensor ? labels.data : labels;
    if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
      throw new TypeError(`${op}: labels must be an array of integers or a 1-D Tensor, got ${describeValue(labels)}`);
    }
    if (values.length !== x.shape[0]) throw new RangeError(`${op}: labels has ${values.length} entries, expected ${x.shape[0]} (one per row of embeddings)`);
    this.labels = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isInteger(v)) throw new TypeError(`${op}: labels must be integers, got ${v} at position ${i}`);
      this.labels[i] = v;
    }
    this.rows = prepareRows(x, this.metric);
    this.chunkSize = options.chunkSize === undefined ? Math.max(1, Math.floor(BLOCK / Math.max(1, x.shape[0]!))) : checkCount(op, 'chunkSize', options.chunkSize);
  }

  /** Number of indexed items. */
  get size(): number {
    return this.rows.count;
  }

  /** Embedding width D. */
  get dim(): number {
    return this.rows.dim;
  }

  /**
   * The k nearest items of each query row of `queries` [M, D], nearest first.
   *
   * @example
   * const { indices } = index.search(q, 3); // indices[3·i + j]: the j-th neighbour of query i
   */
  search(queries: Tensor, k: number, options: SearchOptions = {}): SearchResult {
    const op = 'NearestNeighbors.search';
    const q = checkMatrix(op, 'queries', queries, this.dim);
    const m = q.shape[0]!;
    const n = this.size;
    const available = options.excludeSelf ? n - 1 : n;
    checkCount(op, 'k', k);
    if (k > available) throw new RangeError(`${op}: k = ${k} exceeds the ${available} items available${options.excludeSelf ? ' (excluding the query itself)' : ''}`);
    if (options.excludeSelf && m !== n) throw new RangeError(`${op}: excludeSelf needs the queries to be the indexed items (${n} rows), got ${m} queries`);
    const indices = new Int32Array(m * k);
    const distances = new Float32Array(m * k);
    for (let start = 0; start < m; start += this.chunkSize) {
      const rows = Math.min(this.chunkSize, m - start);
      const block = distancesTo(q.narrow(0, start, rows), this.rows);
      for (let r = 0; r < rows; r++) {
        const i = start + r;
        topK(block, r * n, n, k, options.excludeSelf ? i : -1, indices, distances, i * k);
      }
    }
    return { indices, distances };
  }

  /**
   * k-NN classification of `queries` [M, D]: the majority label among the k nearest items; a tie
   * between labels goes to the one whose member comes first (the nearest).
   *
   * @example
   * const predicted = index.classify(testEmbeddings, 5);
   */
  classify(queries: Tensor, k = 1, options: SearchOptions = {}): Int32Array {
    const { indices } = this.search(queries, k, options);
    const m = indices.length / k;
    const out = new Int32Array(m);
    const votes = new Map<number, number>();
    for (let i = 0; i < m; i++) {
      votes.clear();
      let most = 0;
      for (let j = 0; j < k; j++) {
        const label = this.labels[indices[i * k + j]!]!;
        const v = (votes.get(label) ?? 0) + 1;
        votes.set(label, v);
        most = Math.max(most, v);
      }
      let j = 0;
      while (votes.get(this.labels[indices[i * k + j]!]!) !== most) j++;
      out[i] = this.labels[indices[i * k + j]!]!;
    }
    return out;
  }
}

/** Writes the k smallest of row[offset .. offset+n) (skipping column `skip`) in ascending order. */
function topK(row: Float32Array, offset: number, n: number, k: number, skip: number, indices: Int32Array, distances: Float32Array, at: number): void {
  let filled = 0;
  for (let j = 0; j < n; j++) {
    if (j === skip) continue;
    const d = row[offset + j]!;
    if (filled === k && d >= distances[at + k - 1]!) continue;
    let pos = filled < k ? filled++ : k - 1;
    while (pos > 0 && distances[at + pos - 1]! > d) {
      distances[at + pos] = distances[at + pos - 1]!;
      indices[at + pos] = indices[at + pos - 1]!;
      pos--;
    }
    distances[at + pos] = d;
    indices[at + pos] = j;
  }
}
