import { Tensor, type Generator } from '@eole/core';
import type { CriterionCase } from '@eole/core/testing';
import { ContrastiveCriterion } from '../nn/ContrastiveCriterion.js';
import { TripletMarginCriterion } from '../nn/TripletMarginCriterion.js';

/** Distances in (0.05, 2·margin) kept 0.05 away from the margin (the kink of max(0, m − D)). */
function distances(shape: number[], rng: Generator, margin: number): Tensor {
  const d = Tensor.uniform(shape, rng, 0.05, 2 * margin);
  for (let i = 0; i < d.size; i++) if (Math.abs(d.data[i]! - margin) < 0.05) d.data[i] = margin + 0.1;
  return d;
}

/** ‖u − v + ε‖_p of rows i of planes a and b of x [3, N, D]. */
function pdist(x: Tensor, a: number, b: number, i: number, p: number): number {
  const [, n, d] = x.shape as [number, number, number];
  let s = 0;
  for (let j = 0; j < d; j++) s += Math.abs(x.data[(a * n + i) * d + j]! - x.data[(b * n + i) * d + j]! + 1e-6) ** p;
  return s ** (1 / p);
}

/** Random triplets [3, N, D] whose hinge d(a, p) − d(a, n) + margin stays 0.05 away from 0, for finite differences. */
function triplets(shape: number[], rng: Generator, margin: number, p: number): Tensor {
  for (;;) {
    const x = Tensor.randn(shape, rng);
    const clear = Array.from({ length: shape[1]! }, (_, i) => Math.abs(pdist(x, 0, 1, i, p) - pdist(x, 0, 2, i, p) + margin) > 0.05).every(Boolean);
    if (clear) return x;
  }
}

const pairLabels = (shape: number[], rng: Generator): Tensor => Tensor.from(Array.from({ length: shape[0]! }, () => (rng.uniform() < 0.5 ? 0 : 1)));
/** The triplet loss ignores its target: one zero per triplet stands in. */
const noTarget = (shape: number[]): Tensor => Tensor.zeros([shape[1]!]);

/**
 * The metric-learning criteria as {@link CriterionCase} rows: DrLIM's contrastive loss (Hadsell,
 * Chopra & LeCun 2006) on distances, FaceNet's triplet margin loss on stacked [3, N, D] embeddings.
 * test/criteria.test.ts runs them with `testCriteria` (gradcheck, backward = autograd, cpu/webasm
 * parity); the browser parity page runs them on WebGL against `cpu`.
 *
 * @example
 * testCriteria(test, METRIC_CRITERION_CASES);
 */
export const METRIC_CRITERION_CASES: Readonly<Record<string, CriterionCase>> = {
  'ContrastiveCriterion(margin=1.5)': { make: () => new ContrastiveCriterion(1.5), input: (s, g) => distances(s, g, 1.5), target: pairLabels, shape: [12], parityShape: [64] },
  'TripletMarginCriterion(margin=1, p=2)': { make: () => new TripletMarginCriterion(1, 2), input: (s, g) => triplets(s, g, 1, 2), target: noTarget, shape: [3, 6, 3], parityShape: [3, 32, 8] },
  'TripletMarginCriterion(margin=0.5, p=1)': { make: () => new TripletMarginCriterion(0.5, 1), input: (s, g) => triplets(s, g, 0.5, 1), target: noTarget, shape: [3, 6, 3], parityShape: [3, 32, 8] },
};
