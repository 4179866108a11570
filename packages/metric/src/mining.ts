import { ShapeError, Tensor, type Generator } from '@eole/core';
import { checkCount, checkNumber, describe, fmt } from './check.js';
import { distanceMatrix } from './distanceMatrix.js';

/** Class labels, one per item: any array-like of numbers, or a 1-D tensor (a batch's `y`). */
export type Labels = ArrayLike<number> | Tensor;

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

/** Triplets of item indices: `positive[i]` shares the label of `anchor[i]`, `negative[i]` does not. */
export interface Triplets {
  anchor: Int32Array;
  positive: Int32Array;
  negative: Int32Array;
}

/** Options of {@link randomPairs}. */
export interface RandomPairsOptions {
  /** Fraction of similar pairs (default 0.5); the count is round(count·positiveFraction). */
  positiveFraction?: number;
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

/** Items grouped by class: `sorted` lists the items class by class; `start[i]`/`size[i]` locate item i's class. */
interface Groups {
  n: number;
  labels: Float64Array;
  sorted: Int32Array;
  start: Int32Array;
  size: Int32Array;
  /** Position of item i inside its class's run of `sorted`. */
  rank: Int32Array;
  classes: number;
}

function readLabels(op: string, labels: Labels): Float64Array {
  let values: ArrayLike<number>;
  if (labels instanceof Tensor) {
    if (labels.ndim > 1 && labels.shape.filter((d) => d !== 1).length > 1) throw new ShapeError(op, `labels must be 1-D, got Tensor ${fmt(labels.shape)}`);
    values = labels.data;
  } else if (labels !== null && typeof labels === 'object' && typeof (labels as ArrayLike<number>).length === 'number') {
    values = labels;
  } else {
    throw new TypeError(`${op}: labels must be an array of numbers or a 1-D Tensor, got ${describe(labels)}`);
  }
  const out = Float64Array.from(values);
  const bad = out.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new TypeError(`${op}: labels must be finite numbers, got ${String(values[bad])} at position ${bad}`);
  return out;
}

function group(op: string, labels: Labels): Groups {
  const values = readLabels(op, labels);
  const n = values.length;
  const members = new Map<number, number[]>();
  values.forEach((v, i) => {
    const list = members.get(v);
    if (list) list.push(i);
    else members.set(v, [i]);
  });
  const sorted = new Int32Array(n);
  const start = new Int32Array(n);
  const size = new Int32Array(n);
  const rank = new Int32Array(n);
  let offset = 0;
  for (const list of members.values()) {
    list.forEach((item, r) => {
      sorted[offset + r] = item;
      start[item] = offset;
      size[item] = list.length;
      rank[item] = r;
    });
    offset += list.length;
  }
  return { n, labels: values, sorted, start, size, rank, classes: members.size };
}

function classCounts(g: Groups): string {
  const counts = new Map<number, number>();
  for (const v of g.labels) counts.set(v, (counts.get(v) ?? 0) + 1);
  const shown = [...counts].slice(0, 12).map(([label, c]) => `${label}: ${c}`);
  return `{${shown.join(', ')}${counts.size > 12 ? ', …' : ''}}`;
}

/** Items whose class has at least 2 members (they can anchor a similar pair). */
function anchorsWithPositive(op: string, g: Groups, what: string): Int32Array {
  const out = Int32Array.from(g.sorted.filter((i) => g.size[i]! >= 2));
  if (out.length === 0) {
    throw new RangeError(`${op}: ${what} needs a class with at least 2 members, but every class has one (label counts ${classCounts(g)})`);
  }
  return out;
}

function requireTwoClasses(op: string, g: Groups, what: string): void {
  if (g.classes < 2) throw new RangeError(`${op}: ${what} needs at least 2 classes, but all ${g.n} labels are ${g.labels[0] ?? '(none)'}`);
}

/** Another member of item a's class, uniformly. */
function drawPositive(g: Groups, a: number, rng: Generator): number {
  const r = rng.int(g.size[a]! - 1);
  return g.sorted[g.start[a]! + (r >= g.rank[a]! ? r + 1 : r)]!;
}

/** An item of another class than a's, uniformly. */
function drawNegative(g: Groups, a: number, rng: Generator): number {
  const r = rng.int(g.n - g.size[a]!);
  return g.sorted[r < g.start[a]! ? r : r + g.size[a]!]!;
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

function embeddingDistances(op: string, embeddings: Tensor, n: number): Float32Array {
  if (!(embeddings instanceof Tensor)) throw new TypeError(`${op}: embeddings must be a Tensor [N, D], got ${describe(embeddings)}`);
  if (embeddings.ndim !== 2 || embeddings.shape[0] !== n) {
    throw new ShapeError(op, `embeddings must be [N, D] with N = ${n} (one row per label), got ${fmt(embeddings.shape)}`);
  }
  return distanceMatrix(embeddings, embeddings, 'l2').data;
}

/** The hardest item of class `same` (farthest) or of the other classes (closest) from a, or −1. */
function hardest(g: Groups, dist: Float32Array, a: number, same: boolean): number {
  let best = -1;
  let bestD = same ? -Infinity : Infinity;
  for (let j = 0; j < g.n; j++) {
    if (j === a || (g.labels[j] === g.labels[a]) !== same) continue;
    const d = dist[a * g.n + j]!;
    if (same ? d > bestD : d < bestD) {
      best = j;
      bestD = d;
    }
  }
  return best;
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

function gatherBranches(op: string, x: Tensor, lists: readonly Int32Array[], names: readonly string[]): Tensor {
  if (!(x instanceof Tensor) || x.ndim < 1) throw new TypeError(`${op}: x must be a Tensor [N, ...], got ${describe(x)}`);
  const count = lists[0]!.length;
  lists.forEach((l, i) => {
    if (!(l instanceof Int32Array) || l.length !== count) throw new ShapeError(op, `${names[i]} must be an Int32Array of length ${count} like ${names[0]}, got ${describe(l)}`);
  });
  const n = x.shape[0]!;
  const index = new Float32Array(count * lists.length);
  lists.forEach((l, b) => {
    l.forEach((v, i) => {
      if (v < 0 || v >= n) throw new RangeError(`${op}: ${names[b]}[${i}] = ${v} is out of range for x with ${n} rows`);
      index[b * count + i] = v;
    });
  });
  return x.indexSelect(0, new Tensor(index, [index.length])).reshape([lists.length, count, ...x.shape.slice(1)]);
}

/**
 * The rows of x [N, ...] that `pairs` names, stacked as a {@link Siamese} takes them:
 * [2, P, ...] with out[0, i] = x[first[i]] and out[1, i] = x[second[i]] (differentiable in x).
 *
 * @example
 * siamese.forward(gatherPairs(batch.x, randomPairs(batch.y, 64, rng)));
 */
export function gatherPairs(x: Tensor, pairs: Pairs): Tensor {
  return gatherBranches('gatherPairs', x, [pairs.first, pairs.second], ['first', 'second']);
}

/**
 * The rows of x [N, ...] that `triplets` names, stacked as [3, T, ...] (anchor, positive,
 * negative), as a three-branch {@link Siamese} and {@link TripletMarginCriterion} take them.
 *
 * @example
 * crit.forward(siamese.forward(gatherTriplets(batch.x, randomTriplets(batch.y, 64, rng))));
 */
export function gatherTriplets(x: Tensor, triplets: Triplets): Tensor {
  return gatherBranches('gatherTriplets', x, [triplets.anchor, triplets.positive, triplets.negative], ['anchor', 'positive', 'negative']);
}
