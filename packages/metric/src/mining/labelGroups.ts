import { describeValue, formatShape, ShapeError, Tensor, type Generator } from '@eole/core';
import { distanceMatrix } from '../functional/distanceMatrix.js';

/** Class labels, one per item: any array-like of numbers, or a 1-D tensor (a batch's `y`). */
export type Labels = ArrayLike<number> | Tensor;

/** Items grouped by class: `sorted` lists the items class by class; `start[i]`/`size[i]` locate item i's class. */
export interface Groups {
  n: number;
  labels: Float64Array;
  sorted: Int32Array;
  start: Int32Array;
  size: Int32Array;
  /** Position of item i inside its class's run of `sorted`. */
  rank: Int32Array;
  classes: number;
}

/** The labels as finite float64 values; errors name `op` and what was passed. */
function readLabels(op: string, labels: Labels): Float64Array {
  let values: ArrayLike<number>;
  if (labels instanceof Tensor) {
    if (labels.ndim > 1 && labels.shape.filter((d) => d !== 1).length > 1) throw new ShapeError(op, `labels must be 1-D, got Tensor ${formatShape(labels.shape)}`);
    values = labels.data;
  } else if (labels !== null && typeof labels === 'object' && typeof (labels as ArrayLike<number>).length === 'number') {
    values = labels;
  } else {
    throw new TypeError(`${op}: labels must be an array of numbers or a 1-D Tensor, got ${describeValue(labels)}`);
  }
  const out = Float64Array.from(values);
  const bad = out.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new TypeError(`${op}: labels must be finite numbers, got ${String(values[bad])} at position ${bad}`);
  return out;
}

/** Groups the items of `labels` by class (see {@link Groups}). */
export function group(op: string, labels: Labels): Groups {
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
export function anchorsWithPositive(op: string, g: Groups, what: string): Int32Array {
  const out = Int32Array.from(g.sorted.filter((i) => g.size[i]! >= 2));
  if (out.length === 0) {
    throw new RangeError(`${op}: ${what} needs a class with at least 2 members, but every class has one (label counts ${classCounts(g)})`);
  }
  return out;
}

/** Throws unless `g` has at least 2 classes, saying that `what` needs them. */
export function requireTwoClasses(op: string, g: Groups, what: string): void {
  if (g.classes < 2) throw new RangeError(`${op}: ${what} needs at least 2 classes, but all ${g.n} labels are ${g.labels[0] ?? '(none)'}`);
}

/** Another member of item a's class, uniformly. */
export function drawPositive(g: Groups, a: number, rng: Generator): number {
  const r = rng.int(g.size[a]! - 1);
  return g.sorted[g.start[a]! + (r >= g.rank[a]! ? r + 1 : r)]!;
}

/** An item of another class than a's, uniformly. */
export function drawNegative(g: Groups, a: number, rng: Generator): number {
  const r = rng.int(g.n - g.size[a]!);
  return g.sorted[r < g.start[a]! ? r : r + g.size[a]!]!;
}

/** Euclidean distances [N·N] between the rows of `embeddings` [N, D], N = the number of labels. */
export function embeddingDistances(op: string, embeddings: Tensor, n: number): Float32Array {
  if (!(embeddings instanceof Tensor)) throw new TypeError(`${op}: embeddings must be a Tensor [N, D], got ${describeValue(embeddings)}`);
  if (embeddings.ndim !== 2 || embeddings.shape[0] !== n) {
    throw new ShapeError(op, `embeddings must be [N, D] with N = ${n} (one row per label), got ${formatShape(embeddings.shape)}`);
  }
  return distanceMatrix(embeddings, embeddings, 'l2').data;
}

/** The hardest item of class `same` (farthest) or of the other classes (closest) from a, or −1. */
export function hardest(g: Groups, dist: Float32Array, a: number, same: boolean): number {
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
