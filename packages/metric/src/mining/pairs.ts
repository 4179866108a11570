import type { Generator, Tensor } from '@eole/core';
import { checkCount, checkNumber } from '../validation/check.js';
import { anchorsWithPositive, drawNegative, drawPositive, embeddingDistances, group, hardest, requireTwoClasses, type Labels } from './labelGroups.js';

/**
 * Pairs of item indices with their DrLIM target: `target[i]` is 0 when `first[i]` and `second[i]`
 * share a label (similar) and 1 when they do not (dissimilar), as {@link ContrastiveCriterion} takes it.
 */
export interface Pairs {
  first: Int32Array;
  second: Int32Array;
  /** 0 = similar, 1 = dissimilar. */
  target: Float32Array;
}

/** Options of {@link randomPairs}. */
export interface RandomPairsOptions {
  /** Fraction of similar pairs (default 0.5); the count is round(count·positiveFraction). */
  positiveFraction?: number;
}

/**
 * Random pairs for the DrLIM loss (Hadsell, Chopra & LeCun 2006; Chopra, Hadsell & LeCun 2005):
 * round(count·positiveFraction) similar pairs (an item and another item of its class, both
 * uniform) and the rest dissimilar (an item and an item of another class), in a random order, all
 * drawn from `rng`. Only classes with at least 2 members anchor similar pairs; a clear error says
 * when no class has, or when dissimilar pairs are asked of a single class.
 *
 * @example
 * const pairs = randomPairs(batch.y, 64, rng);                         // half similar
 * const d = new PairwiseDistance().forward(siamese.forward(gatherPairs(batch.x, pairs)));
 * new ContrastiveCriterion().forward(d, Tensor.from(pairs.target));
 */
export function randomPairs(labels: Labels, count: number, rng: Generator, options: RandomPairsOptions = {}): Pairs {
  const op = 'randomPairs';
  checkCount(op, 'count', count);
  const fraction = checkNumber(op, 'positiveFraction', options.positiveFraction ?? 0.5, { min: 0, inclusive: true });
  if (fraction > 1) throw new RangeError(`${op}: positiveFraction must be in [0, 1], got ${fraction}`);
  const g = group(op, labels);
  const positives = Math.round(count * fraction);
  const anchors = positives > 0 ? anchorsWithPositive(op, g, 'a similar pair') : new Int32Array(0);
  if (positives < count) requireTwoClasses(op, g, 'a dissimilar pair');
  const order = rng.permutation(count);
  const out: Pairs = { first: new Int32Array(count), second: new Int32Array(count), target: new Float32Array(count) };
  for (let k = 0; k < count; k++) {
    const slot = order[k]!;
    if (k < positives) {
      const a = anchors[rng.int(anchors.length)]!;
      out.first[slot] = a;
      out.second[slot] = drawPositive(g, a, rng);
      out.target[slot] = 0;
    } else {
      const a = rng.int(g.n);
      out.first[slot] = a;
      out.second[slot] = drawNegative(g, a, rng);
      out.target[slot] = 1;
    }
  }
  return out;
}

/**
 * Hard pairs for the contrastive loss inside a batch: for every anchor, its hardest positive (the
 * farthest item of its class, target 0) and its hardest negative (the closest item of another
 * class, target 1), on Euclidean distances between the rows of `embeddings` [N, D] (values only).
 * Anchors alone in their class give only the negative pair. Ties go to the lower index. The
 * "hardest positive and negative per anchor" of Hermans et al. (2017), for pairs.
 *
 * @example
 * const pairs = hardPairs(noGrad(() => net.forward(batch.x)), batch.y);
 * const d = new PairwiseDistance().forward(siamese.forward(gatherPairs(batch.x, pairs)));
 */
export function hardPairs(embeddings: Tensor, labels: Labels): Pairs {
  const op = 'hardPairs';
  const g = group(op, labels);
  const dist = embeddingDistances(op, embeddings, g.n);
  requireTwoClasses(op, g, 'a dissimilar pair');
  const first: number[] = [];
  const second: number[] = [];
  const target: number[] = [];
  for (let a = 0; a < g.n; a++) {
    if (g.size[a]! >= 2) {
      first.push(a);
      second.push(hardest(g, dist, a, true));
      target.push(0);
    }
    first.push(a);
    second.push(hardest(g, dist, a, false));
    target.push(1);
  }
  return { first: Int32Array.from(first), second: Int32Array.from(second), target: Float32Array.from(target) };
}
