import { of } from 'rxjs';
import { Generator, noGrad, Tensor, type Module } from '@eole/core';
import { scatterChart, type ChartSpec } from '@eole/core/charts';
import { collectEmbeddings, ContrastiveCriterion, embed, gatherPairs, knnAccuracy, NearestNeighbors, PairwiseDistance, randomPairs, recallAtK, type Metric, type Pairs } from '@eole/metric';
import { heldOutBatches, type DigitSet } from '../lib/mnist.js';

/** Embeddings of a set of digits, with their labels. */
export interface EmbeddedSet {
  /** [N, D] */
  embeddings: Tensor;
  labels: Int32Array;
}

/**
 * G_W of every digit of a set, now (synchronously): the set as one tensor through @eole/metric's
 * `embed(net)` operator (evaluation mode, no graph, 500 rows per forward pass).
 */
export function embedSet(net: Module, set: DigitSet): EmbeddedSet {
  let embeddings: Tensor | undefined;
  of(new Tensor(set.images, [set.count, 784])).pipe(embed(net, { batchSize: 500 })).subscribe((e) => {
    embeddings = e;
  });
  return { embeddings: embeddings!, labels: Int32Array.from(set.labels) };
}

/** G_W of every digit of a set as a stream: held-out batches → `embed(net)` → `collectEmbeddings`. */
export async function embedStream(net: Module, set: DigitSet): Promise<EmbeddedSet> {
  return collectEmbeddings(heldOutBatches(set, 500).pipe(embed(net)));
}

/** What the nearest-neighbour evaluation of an embedding measures. */
export interface RetrievalFigures {
  /** 1-NN classification of the queries against the reference set (= recall@1). */
  accuracy: number;
  /** Recall@k of the queries against the reference set, by k. */
  recall: Record<number, number>;
  /** Recall@1 among the queries alone, each leaving itself out (retrieval of unseen digits). */
  selfRecall1: number;
}

/**
 * 1-NN accuracy and recall@k of `queries` (held-out digits) against the `reference` digits (the
 * training set) in the learned space, with @eole/metric's brute-force {@link NearestNeighbors}.
 */
export function retrievalFigures(reference: EmbeddedSet, queries: EmbeddedSet, ks: readonly number[], metric: Metric = 'l2'): RetrievalFigures {
  const index = new NearestNeighbors(reference.embeddings, reference.labels, { metric });
  const recall: Record<number, number> = {};
  for (const k of ks) recall[k] = recallAtK(index, queries.embeddings, queries.labels, k);
  const own = new NearestNeighbors(queries.embeddings, queries.labels, { metric });
  return {
    accuracy: knnAccuracy(index, queries.embeddings, queries.labels, 1),
    recall,
    selfRecall1: recallAtK(own, queries.embeddings, queries.labels, 1, { excludeSelf: true }),
  };
}

/** 1-NN accuracy of `queries` against the `reference` digits (the per-epoch validation figure). */
export function nearestNeighborAccuracy(reference: EmbeddedSet, queries: EmbeddedSet, metric: Metric = 'l2'): number {
  return knnAccuracy(new NearestNeighbors(reference.embeddings, reference.labels, { metric }), queries.embeddings, queries.labels, 1);
}

/** Fixed pairs of a labelled set (half similar), drawn from `new Generator(seed)`: the held-out pairs of the validation loss. */
export function fixedPairs(labels: Int32Array, count: number, seed: number): Pairs {
  return randomPairs(labels, count, new Generator(seed));
}

/** The mean DrLIM loss of `pairs` of an embedded set (no graph). */
export function contrastiveLoss(set: EmbeddedSet, pairs: Pairs, margin: number): number {
  return noGrad(() => {
    const d = new PairwiseDistance().forward(gatherPairs(set.embeddings, pairs));
    return new ContrastiveCriterion(margin).forward(d, new Tensor(pairs.target, [pairs.target.length])).item();
  });
}

/** The DrLIM figure as a Vega-Lite spec: the 2-D embeddings of a set, coloured by digit, with a legend. */
export function embeddingChart(set: EmbeddedSet, title: string): ChartSpec {
  if (set.embeddings.shape[1] !== 2) throw new RangeError(`embeddingChart: needs 2-D embeddings, got [${set.embeddings.shape.join(', ')}]`);
  return scatterChart({
    points: set.embeddings.data,
    labels: set.labels,
    title,
    xLabel: 'G(x) 1',
    yLabel: 'G(x) 2',
    classNames: Array.from({ length: 10 }, (_, d) => `digit ${d}`),
    width: 560,
    height: 560,
  });
}

/** `97.84%` */
export function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}
