import { checkBox, type Box } from './Box.js';
import { boxIou } from './iou.js';

/** Options of {@link nms} and {@link batchedNms}, as `tf.image.non_max_suppression`'s. */
export interface NmsOptions {
  /** At most this many indices are returned (default: all). */
  maxDetections?: number;
  /** Boxes with score ≤ scoreThreshold are dropped before suppression (default −∞: none). */
  scoreThreshold?: number;
}

/**
 * Greedy non-maximum suppression (Neubeck & Van Gool, "Efficient non-maximum suppression",
 * ICPR 2006), as `torchvision.ops.nms`: visit the boxes by score, highest first (ties in index
 * order), and keep a box unless IoU(box, k) > iouThreshold for a box k already kept:
 *
 *   keep ← []; for i in argsort(−scores): if ∀k ∈ keep, IoU(bᵢ, b_k) ≤ t then keep.push(i).
 *
 * A box suppressed by a kept box suppresses nothing itself (A may suppress B and keep C that B
 * overlaps). Returns the kept indices in score order. Options as TensorFlow's: `scoreThreshold`
 * drops boxes with score ≤ it first, `maxDetections` stops after that many. O(n²) in the boxes.
 *
 * @example
 * const boxes: Box[] = [[0, 0, 10, 10], [5, 0, 10, 10], [10, 0, 10, 10]];
 * nms(boxes, [0.9, 0.8, 0.7], 0.3);       // [0, 2]: IoU(0, 1) = 1/3 > 0.3, IoU(0, 2) = 0
 * nms(boxes, [0.9, 0.8, 0.7], 0.5, { maxDetections: 2 });   // [0, 1]
 */
export function nms(boxes: readonly Box[], scores: ArrayLike<number>, iouThreshold = 0.5, options: NmsOptions = {}): number[] {
  const order = scoreOrder('nms', boxes, scores, iouThreshold, options);
  return suppress(boxes, order, iouThreshold, options.maxDetections ?? Infinity);
}

/**
 * Non-maximum suppression done independently per class, as `torchvision.ops.batched_nms`: a box
 * is suppressed only by a kept box of the same class (classes[i]); the kept indices of all classes
 * come back together in score order (ties in index order). `scoreThreshold` applies per box,
 * `maxDetections` to the total.
 *
 * @example
 * const boxes: Box[] = [[0, 0, 10, 10], [1, 0, 10, 10], [2, 0, 10, 10]];
 * batchedNms(boxes, [0.9, 0.8, 0.7], [0, 1, 0], 0.5);   // [0, 1]: box 2 overlaps box 0 of its class
 * batchedNms(boxes, [0.9, 0.8, 0.7], [0, 1, 2], 0.5);   // [0, 1, 2]
 */
export function batchedNms(boxes: readonly Box[], scores: ArrayLike<number>, classes: ArrayLike<number>, iouThreshold = 0.5, options: NmsOptions = {}): number[] {
  const order = scoreOrder('batchedNms', boxes, scores, iouThreshold, options);
  if (classes.length !== boxes.length) throw new RangeError(`batchedNms: classes must have one entry per box (${boxes.length}), got ${classes.length}`);
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i];
    if (typeof c !== 'number' || Number.isNaN(c)) throw new RangeError(`batchedNms: classes[${i}] must be a number, got ${String(c)}`);
  }
  const perClass = new Map<number, number[]>();
  for (const i of order) {
    const c = classes[i]!;
    const members = perClass.get(c) ?? [];
    if (members.length === 0) perClass.set(c, members);
    members.push(i);
  }
  const kept = new Set<number>();
  for (const indices of perClass.values()) for (const i of suppress(boxes, indices, iouThreshold, Infinity)) kept.add(i);
  return order.filter((i) => kept.has(i)).slice(0, options.maxDetections ?? Infinity);
}

/** Validates the arguments; returns the indices with score > scoreThreshold, by score descending, ties by index. */
function scoreOrder(op: string, boxes: readonly Box[], scores: ArrayLike<number>, iouThreshold: number, options: NmsOptions): number[] {
  if (scores.length !== boxes.length) throw new RangeError(`${op}: scores must have one entry per box (${boxes.length}), got ${scores.length}`);
  if (typeof iouThreshold !== 'number' || !(iouThreshold >= 0 && iouThreshold <= 1)) throw new RangeError(`${op}: iouThreshold must be a number in [0, 1], got ${String(iouThreshold)}`);
  const { maxDetections = Infinity, scoreThreshold = -Infinity } = options;
  if (maxDetections !== Infinity && !(Number.isInteger(maxDetections) && maxDetections >= 0)) throw new RangeError(`${op}: maxDetections must be an integer ≥ 0, got ${String(maxDetections)}`);
  if (typeof scoreThreshold !== 'number' || Number.isNaN(scoreThreshold)) throw new RangeError(`${op}: scoreThreshold must be a number, got ${String(scoreThreshold)}`);
  const order: number[] = [];
  for (let i = 0; i < boxes.length; i++) {
    checkBox(op, `boxes[${i}]`, boxes[i]!);
    const s = scores[i]!;
    if (typeof s !== 'number' || Number.isNaN(s)) throw new RangeError(`${op}: scores[${i}] must be a number, got ${String(s)}`);
    if (s > scoreThreshold) order.push(i);
  }
  return order.sort((i, j) => scores[j]! - scores[i]! || i - j);
}

/** The greedy pass over `order` (indices by score, highest first). */
function suppress(boxes: readonly Box[], order: readonly number[], iouThreshold: number, maxDetections: number): number[] {
  const keep: number[] = [];
  for (const i of order) {
    if (keep.length >= maxDetections) break;
    if (keep.every((k) => boxIou(boxes[i]!, boxes[k]!) <= iouThreshold)) keep.push(i);
  }
  return keep;
}
