import { checkBox, type Box } from './Box.js';
import { boxIou } from './iou.js';

/** A ground-truth object of a detection data set, as a COCO annotation (without `iscrowd`). */
export interface GroundTruthBox {
  imageId: number;
  categoryId: number;
  bbox: Box;
}

/** A detector's output, as a COCO result entry. */
export interface DetectedBox extends GroundTruthBox {
  score: number;
}

/** What {@link averagePrecision} returns. */
export interface AveragePrecisionResult {
  /** AP of each category that has ground truth, by ascending category id. */
  perClass: Map<number, number>;
  /** Mean of `perClass` (NaN when there is no ground truth at all). */
  mAP: number;
}

/**
 * COCO-style average precision at one IoU threshold (AP@0.5 by default; Lin et al., "Microsoft
 * COCO: common objects in context", ECCV 2014, as pycocotools' `COCOeval`). Per category:
 *
 * 1. detections by score, highest first (ties in input order); each one is matched to the
 *    unmatched ground truth of its image and category with the highest IoU ≥ iouThreshold (COCO's
 *    greedy matching; equal IoUs go to the later ground truth, as in COCO): a true positive, else
 *    a false positive (a second detection of a matched object is one);
 * 2. after the k-th detection, P_k = TP_k / k and R_k = TP_k / n_gt;
 * 3. the precision is made monotone, P̂_k = max_{j ≥ k} P_j, and sampled at the 101 recall points
 *    r = 0, 0.01, …, 1: p(r) = P̂_k for the first k with R_k ≥ r, 0 where no k reaches r;
 *
 *    AP = (1/101) · Σ_{r ∈ {0, 0.01, …, 1}} p(r).
 *
 * mAP averages AP over the categories with at least one ground truth; as in COCO, categories
 * with detections but no ground truth are ignored (a category with ground truth and no detection
 * scores 0). Not modelled: COCO's `iscrowd` regions, area ranges and its cap of 100 detections per
 * image (pass at most 100 per image to match it). The recall points are k/100, exact, where
 * pycocotools uses 0.01·k (0.07000000000000001), which differs only when a recall lands on one.
 *
 * @example
 * const gt = [{ imageId: 1, categoryId: 1, bbox: [0, 0, 10, 10] as const }];
 * const dt = [{ imageId: 1, categoryId: 1, bbox: [1, 0, 10, 10] as const, score: 0.9 }];
 * averagePrecision(gt, dt).mAP;           // 1 (IoU 90/110 ≥ 0.5)
 */
export function averagePrecision(groundTruth: readonly GroundTruthBox[], detections: readonly DetectedBox[], iouThreshold = 0.5): AveragePrecisionResult {
  if (typeof iouThreshold !== 'number' || !(iouThreshold > 0 && iouThreshold <= 1)) throw new RangeError(`averagePrecision: iouThreshold must be a number in (0, 1], got ${String(iouThreshold)}`);
  const truth = new Map<string, { boxes: Box[]; matched: boolean[] }>();
  const counts = new Map<number, number>();
  groundTruth.forEach((g, i) => {
    checkEntry(`groundTruth[${i}]`, g);
    const key = `${g.categoryId}/${g.imageId}`;
    const t = truth.get(key) ?? { boxes: [], matched: [] };
    if (t.boxes.length === 0) truth.set(key, t);
    t.boxes.push(g.bbox);
    t.matched.push(false);
    counts.set(g.categoryId, (counts.get(g.categoryId) ?? 0) + 1);
  });
  detections.forEach((d, i) => {
    checkEntry(`detections[${i}]`, d);
    if (typeof d.score !== 'number' || Number.isNaN(d.score)) throw new RangeError(`averagePrecision: detections[${i}].score must be a number, got ${String(d.score)}`);
  });
  const order = detections.map((_, i) => i).sort((i, j) => detections[j]!.score - detections[i]!.score || i - j);
  const hits = new Map<number, boolean[]>();
  for (const i of order) {
    const d = detections[i]!;
    const t = truth.get(`${d.categoryId}/${d.imageId}`);
    const best = t ? bestMatch(d.bbox, t.boxes, t.matched, iouThreshold) : -1;
    if (best >= 0) t!.matched[best] = true;
    const h = hits.get(d.categoryId) ?? [];
    if (h.length === 0) hits.set(d.categoryId, h);
    h.push(best >= 0);
  }
  const perClass = new Map<number, number>();
  for (const c of [...counts.keys()].sort((a, b) => a - b)) perClass.set(c, interpolatedAP(hits.get(c) ?? [], counts.get(c)!));
  const aps = [...perClass.values()];
  return { perClass, mAP: aps.length === 0 ? NaN : aps.reduce((s, v) => s + v, 0) / aps.length };
}

/** The index of the unmatched box with the highest IoU ≥ threshold (later wins ties, as COCO), or −1. */
function bestMatch(box: Box, boxes: readonly Box[], matched: readonly boolean[], threshold: number): number {
  let best = -1;
  let bestIou = threshold;
  boxes.forEach((g, k) => {
    if (matched[k]) return;
    const v = boxIou(box, g);
    if (v >= bestIou) [best, bestIou] = [k, v];
  });
  return best;
}

/** 101-point interpolated AP of a ranked list of hits (true positives) against `nTruth` objects. */
function interpolatedAP(hits: readonly boolean[], nTruth: number): number {
  let tp = 0;
  const tps = hits.map((hit) => (tp += hit ? 1 : 0));
  const recall = tps.map((t) => t / nTruth);
  const precision = tps.map((t, k) => t / (k + 1));
  for (let k = precision.length - 2; k >= 0; k--) precision[k] = Math.max(precision[k]!, precision[k + 1]!);
  let sum = 0;
  let k = 0;
  for (let step = 0; step <= 100; step++) {
    while (k < recall.length && recall[k]! < step / 100) k++;
    if (k < recall.length) sum += precision[k]!;
  }
  return sum / 101;
}

function checkEntry(name: string, e: GroundTruthBox): void {
  for (const field of ['imageId', 'categoryId'] as const) {
    const v: unknown = e?.[field];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`averagePrecision: ${name}.${field} must be a finite number, got ${String(v)}`);
  }
  checkBox('averagePrecision', `${name}.bbox`, e.bbox);
}
