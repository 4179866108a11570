import type { Generator, Tensor } from '@eole/core';
import { checkCount, checkNumber } from '../validation/check.js';
import { anchorsWithPositive, drawNegative, drawPositive, embeddingDistances, group, hardest, requireTwoClasses, type Labels } from './labelGroups.js';

/** Triplets of item indices: `positive[i]` shares the label of `anchor[i]`, `negative[i]` does not. */
export interface Triplets {
  anchor: Int32Array;
  positive: Int32Array;
  negative: Int32Array;
}

/** Options of {@link hardNegativeTriplets}. */
export interface HardTripletOptions {
  /** The triplet margin α that bounds a semi-hard negative (default 0.2, FaceNet's). */
  margin?: number;
  /** Semi-hard negatives, FaceNet's choice (default true); false takes the hardest negative. */
  semiHard?: boolean;
  /** One triplet per anchor with its hardest positive and hardest negative (Hermans et al. 2017). */
  batchHard?: boolean;
}

/**
 * Random triplets (anchor, positive, negative) for the triplet loss (Schroff et al., FaceNet,
 * CVPR 2015): the anchor uniform among the items whose class has at least 2 members, the positive
 * another member of its class, the negative an item of another class, all uniform, from `rng`.
 *
 * @example
 * const t = randomTriplets(batch.y, 64, rng);
 * crit.forward(siamese.forward(gatherTriplets(batch.x, t)));
 */
export function randomTriplets(labels: Labels, count: number, rng: Generator): Triplets {
  const op = 'randomTriplets';
  checkCount(op, 'count', count);
  const g = group(op, labels);
  const anchors = anchorsWithPositive(op, g, 'a triplet');
  requireTwoClasses(op, g, 'a triplet');
  const out: Triplets = { anchor: new Int32Array(count), positive: new Int32Array(count), negative: new Int32Array(count) };
  for (let k = 0; k < count; k++) {
    const a = anchors[rng.int(anchors.length)]!;
    out.anchor[k] = a;
    out.positive[k] = drawPositive(g, a, rng);
    out.negative[k] = drawNegative(g, a, rng);
  }
  return out;
}

/**
 * Online triplet mining inside a batch, on Euclidean distances between the rows of `embeddings`
 * [N, D] (the same distance as {@link TripletMarginCriterion} with p = 2; values only, no gradient):
 *
 * - default (FaceNet's semi-hard negatives, Schroff et al. 2015, §3.2): every anchor-positive
 *   pair (a, p) of the batch, each with a negative n drawn uniformly from `rng` among the
 *   semi-hard ones, d(a, p) < d(a, n) < d(a, p) + margin; when there is none, the hardest
 *   negative (closest to the anchor) stands in;
 * - `semiHard: false`: every anchor-positive pair with its hardest negative, argminₙ d(a, n);
 * - `batchHard: true` (Hermans, Beyer & Leibe, "In defense of the triplet loss for person
 *   re-identification", 2017): one triplet per anchor, its hardest positive argmaxₚ d(a, p) and
 *   hardest negative argminₙ d(a, n).
 *
 * Anchors whose class has a single member are skipped; a clear error says when no triplet exists.
 * Ties go to the lower index.
 *
 * @example
 * const e = noGrad(() => net.forward(batch.x));
 * const t = hardNegativeTriplets(e, batch.y, rng, { margin: 0.2 });
 * const loss = crit.forward(gatherTriplets(net.forward(batch.x), t));
 */
export function hardNegativeTriplets(embeddings: Tensor, labels: Labels, rng: Generator, options: HardTripletOptions = {}): Triplets {
  const op = 'hardNegativeTriplets';
  const margin = checkNumber(op, 'margin', options.margin ?? 0.2, { min: 0, inclusive: true });
  const g = group(op, labels);
  const dist = embeddingDistances(op, embeddings, g.n);
  anchorsWithPositive(op, g, 'a triplet');
  requireTwoClasses(op, g, 'a triplet');
  const anchor: number[] = [];
  const positive: number[] = [];
  const negative: number[] = [];
  const push = (a: number, p: number, n: number): void => {
    anchor.push(a);
    positive.push(p);
    negative.push(n);
  };
  for (let a = 0; a < g.n; a++) {
    if (g.size[a]! < 2) continue;
    const closestNegative = hardest(g, dist, a, false);
    if (options.batchHard) {
      push(a, hardest(g, dist, a, true), closestNegative);
      continue;
    }
    for (let r = 0; r < g.size[a]!; r++) {
      const p = g.sorted[g.start[a]! + r]!;
      if (p === a) continue;
      if (options.semiHard === false) {
        push(a, p, closestNegative);
        continue;
      }
      const dp = dist[a * g.n + p]!;
      const candidates: number[] = [];
      for (let j = 0; j < g.n; j++) {
        if (g.labels[j] === g.labels[a]) continue;
        const dn = dist[a * g.n + j]!;
        if (dn > dp && dn < dp + margin) candidates.push(j);
      }
      push(a, p, candidates.length > 0 ? candidates[rng.int(candidates.length)]! : closestNegative);
    }
  }
  return { anchor: Int32Array.from(anchor), positive: Int32Array.from(positive), negative: Int32Array.from(negative) };
}
