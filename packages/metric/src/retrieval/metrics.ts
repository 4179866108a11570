import { describeValue, ShapeError, Tensor } from '@eole/core';
import { assertTensor, checkCount } from '../validation/check.js';
import type { NearestNeighbors, SearchOptions } from './NearestNeighbors.js';

function queryLabelsOf(op: string, labels: ArrayLike<number> | Tensor, m: number): ArrayLike<number> {
  const values = labels instanceof Tensor ? labels.data : labels;
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw new TypeError(`${op}: queryLabels must be an array of numbers or a 1-D Tensor, got ${describeValue(labels)}`);
  }
  if (values.length !== m) throw new ShapeError(op, `queryLabels has ${values.length} entries, expected ${m} (one per query row)`);
  return values;
}

/**
 * Recall@k of a retrieval: the fraction of queries whose k nearest indexed items include at least
 * one item with the query's label, (1/M) Σᵢ [∃ j ≤ k: label(nnⱼ(qᵢ)) = yᵢ] (the metric of
 * Sohn 2016 and Song et al. 2016 for embedding evaluation). With `excludeSelf`, the queries are the
 * indexed items and each is left out of its own neighbours (leave-one-out).
 *
 * @example
 * recallAtK(index, testEmbeddings, testLabels, 1); // 0.97
 * recallAtK(index, trainEmbeddings, trainLabels, 1, { excludeSelf: true });
 */
export function recallAtK(index: NearestNeighbors, queries: Tensor, queryLabels: ArrayLike<number> | Tensor, k: number, options: SearchOptions = {}): number {
  checkCount('recallAtK', 'k', k);
  assertTensor('recallAtK', 'queries', queries);
  const labels = queryLabelsOf('recallAtK', queryLabels, queries.shape[0] ?? 0);
  const { indices } = index.search(queries, k, options);
  const m = labels.length;
  let hits = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < k; j++) {
      if (index.labels[indices[i * k + j]!] === labels[i]) {
        hits++;
        break;
      }
    }
  }
  return m === 0 ? 0 : hits / m;
}

/**
 * Accuracy of k-NN classification: the fraction of queries whose majority label among the k
 * nearest indexed items ({@link NearestNeighbors.classify}, ties to the nearest) is their own,
 * (1/M) Σᵢ [ŷᵢ = yᵢ]. With k = 1 it equals {@link recallAtK} at k = 1.
 *
 * @example
 * knnAccuracy(index, testEmbeddings, testLabels, 1); // 1-NN accuracy, e.g. 0.97
 */
export function knnAccuracy(index: NearestNeighbors, queries: Tensor, queryLabels: ArrayLike<number> | Tensor, k = 1, options: SearchOptions = {}): number {
  assertTensor('knnAccuracy', 'queries', queries);
  const labels = queryLabelsOf('knnAccuracy', queryLabels, queries.shape[0] ?? 0);
  const predicted = index.classify(queries, k, options);
  let hits = 0;
  predicted.forEach((p, i) => {
    if (p === labels[i]) hits++;
  });
  return labels.length === 0 ? 0 : hits / labels.length;
}
