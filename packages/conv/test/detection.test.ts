import test from 'ava';
import { Generator } from '@eole/core';
import { averagePrecision, batchedNms, decodeBox, encodeBox, iou, nms, segmentationScores, type Box, type DetectedBox, type GroundTruthBox } from '@eole/conv';

const near = (a: number, b: number, tol = 1e-12): boolean => Math.abs(a - b) <= tol;
const gt = (imageId: number, categoryId: number, bbox: Box): GroundTruthBox => ({ imageId, categoryId, bbox });
const dt = (imageId: number, categoryId: number, bbox: Box, score: number): DetectedBox => ({ imageId, categoryId, bbox, score });

// ---- iou ---------------------------------------------------------------------------------------

test('iou: known overlaps, containment, touching edges, disjoint and degenerate boxes', (t) => {
  t.is(iou([0, 0, 10, 10], [5, 5, 10, 10]), 25 / 175);
  t.is(iou([0, 0, 10, 10], [0, 0, 10, 10]), 1);
  t.is(iou([0, 0, 10, 10], [2, 2, 5, 5]), 25 / 100);
  t.is(iou([0, 0, 10, 10], [5, 0, 10, 10]), 50 / 150);
  t.is(iou([0.5, 0.5, 1, 1], [1, 1, 1, 1]), 0.25 / 1.75);
  t.is(iou([0, 0, 10, 10], [10, 0, 10, 10]), 0);
  t.is(iou([0, 0, 10, 10], [0, 10, 10, 10]), 0);
  t.is(iou([0, 0, 10, 10], [20, 20, 1, 1]), 0);
  t.is(iou([0, 0, 0, 10], [0, 0, 0, 10]), 0);
  t.is(iou([0, 0, 0, 0], [0, 0, 10, 10]), 0);
});

test('iou: negative sizes, non-finite values and non-boxes are refused, naming the argument', (t) => {
  t.throws(() => iou([0, 0, -1, 2], [0, 0, 1, 1]), { instanceOf: RangeError, message: 'iou: a must be a box [x, y, w, h] of finite numbers with w ≥ 0, h ≥ 0, got [0, 0, -1, 2]' });
  t.throws(() => iou([0, 0, 1, 1], [0, 0, 1, -2]), { message: /^iou: b must be .*, got \[0, 0, 1, -2\]$/ });
  t.throws(() => iou([NaN, 0, 1, 1], [0, 0, 1, 1]), { message: /iou: a .* got \[NaN, 0, 1, 1\]/ });
  t.throws(() => iou([0, 0, Infinity, 1], [0, 0, 1, 1]), { message: /iou: a .* got \[0, 0, Infinity, 1\]/ });
  t.throws(() => iou([0, 0, 1] as unknown as Box, [0, 0, 1, 1]), { message: /iou: a .* got \[0, 0, 1\]/ });
});

// ---- nms ---------------------------------------------------------------------------------------

// A chain: IoU(A, B) = IoU(B, C) = 1/3, IoU(A, C) = 0 (touching); D is far away.
const A: Box = [0, 0, 10, 10];
const B: Box = [5, 0, 10, 10];
const C: Box = [10, 0, 10, 10];
const D: Box = [100, 100, 10, 10];

test('nms: A suppresses B, C (overlapping only B) survives; IoU equal to the threshold is kept', (t) => {
  t.deepEqual(nms([A, B, C], [0.9, 0.8, 0.7], 0.3), [0, 2]);
  t.deepEqual(nms([C, B, A], [0.7, 0.8, 0.9], 0.3), [2, 0]);
  t.deepEqual(nms([A, B, C], [0.9, 0.8, 0.7], 1 / 3), [0, 1, 2]);
  t.deepEqual(nms([A, B, C], [0.9, 0.8, 0.7]), [0, 1, 2]);
  t.deepEqual(nms([A, B, C], [0.7, 0.9, 0.8], 0.3), [1]);
  t.deepEqual(nms([A, A, A], [0.1, 0.5, 0.3], 0.99), [1]);
  t.deepEqual(nms([], [], 0.5), []);
});

test('nms: ties go in index order, both for the ranking and for which twin survives', (t) => {
  t.deepEqual(nms([A, D, C], [0.5, 0.9, 0.5], 0.5), [1, 0, 2]);
  t.deepEqual(nms([A, A, D], [0.5, 0.5, 0.5], 0.5), [0, 2]);
  t.deepEqual(nms([D, A, A], [0.5, 0.5, 0.5], 0.5), [0, 1]);
  t.deepEqual(nms([A, B, C], Float32Array.of(0.5, 0.5, 0.5), 0.3), [0, 2]);
});

test('nms: maxDetections and scoreThreshold (strict, as TensorFlow)', (t) => {
  t.deepEqual(nms([A, B, C, D], [0.9, 0.8, 0.7, 0.6], 0.3, { maxDetections: 2 }), [0, 2]);
  t.deepEqual(nms([A, B, C, D], [0.9, 0.8, 0.7, 0.6], 0.3, { maxDetections: 0 }), []);
  t.deepEqual(nms([A, B, C, D], [0.9, 0.8, 0.7, 0.6], 0.3, { scoreThreshold: 0.7 }), [0]);
  t.deepEqual(nms([A, B, C, D], [0.6, 0.8, 0.7, 0.9], 0.3, { scoreThreshold: 0.65 }), [3, 1]);
});

test('nms and batchedNms: bad arguments are refused with the argument, the expected and the actual value', (t) => {
  t.throws(() => nms([A, B], [0.9]), { instanceOf: RangeError, message: 'nms: scores must have one entry per box (2), got 1' });
  t.throws(() => nms([A, B], [0.9, NaN]), { message: 'nms: scores[1] must be a number, got NaN' });
  t.throws(() => nms([A, [0, 0, -1, 1]], [0.9, 0.8]), { message: /^nms: boxes\[1\] must be a box .*, got \[0, 0, -1, 1\]$/ });
  t.throws(() => nms([A], [1], 1.5), { message: 'nms: iouThreshold must be a number in [0, 1], got 1.5' });
  t.throws(() => nms([A], [1], 0.5, { maxDetections: -1 }), { message: 'nms: maxDetections must be an integer ≥ 0, got -1' });
  t.throws(() => nms([A], [1], 0.5, { scoreThreshold: NaN }), { message: 'nms: scoreThreshold must be a number, got NaN' });
  t.throws(() => batchedNms([A, B], [1, 1], [0]), { message: 'batchedNms: classes must have one entry per box (2), got 1' });
  t.throws(() => batchedNms([A, B], [1, 1], [0, NaN]), { message: 'batchedNms: classes[1] must be a number, got NaN' });
});

test('batchedNms: suppression only within a class; all kept indices in score order', (t) => {
  t.deepEqual(batchedNms([A, B, C], [0.9, 0.8, 0.7], [0, 0, 1], 0.3), [0, 2]);
  t.deepEqual(batchedNms([A, B, C], [0.9, 0.8, 0.7], [0, 1, 0], 0.3), [0, 1, 2]);
  t.deepEqual(batchedNms([A, A, A], [0.2, 0.9, 0.5], [0, 1, 0], 0.5), [1, 2]);
  t.deepEqual(batchedNms([A, D, C], [0.2, 0.9, 0.5], [0, 1, 0], 0.5), [1, 2, 0]);
  t.deepEqual(batchedNms([A, A, B, B], [0.6, 0.9, 0.8, 0.7], [7, 3, 7, 3], 0.3), [1, 2]);
  t.deepEqual(batchedNms([A, A, B, B], [0.6, 0.9, 0.8, 0.7], [7, 3, 7, 3], 0.3, { maxDetections: 1 }), [1]);
  t.deepEqual(batchedNms([A, A, D], [0.5, 0.5, 0.5], [1, 2, 1], 0.5), [0, 1, 2]);
  // Same answer as nms run class by class, then merged.
  const boxes: Box[] = [A, B, C, D, [3, 1, 9, 9], [98, 99, 12, 10]];
  const scores = [0.3, 0.8, 0.5, 0.6, 0.9, 0.4];
  const classes = [1, 2, 1, 2, 1, 2];
  const merged = [1, 2].flatMap((c) => {
    const members = classes.flatMap((k, i) => (k === c ? [i] : []));
    return nms(members.map((i) => boxes[i]!), members.map((i) => scores[i]!), 0.4).map((k) => members[k]!);
  });
  t.deepEqual(batchedNms(boxes, scores, classes, 0.4), merged.sort((i, j) => scores[j]! - scores[i]!));
});

// ---- averagePrecision --------------------------------------------------------------------------

const G1: Box = [0, 0, 10, 10];
const G2: Box = [50, 50, 20, 20];
const FAR: Box = [200, 200, 5, 5];

test('averagePrecision: perfect detections give 1', (t) => {
  const truth = [gt(1, 1, G1), gt(1, 1, G2), gt(2, 1, G1), gt(2, 5, G2)];
  const r = averagePrecision(truth, truth.map((g, i) => dt(g.imageId, g.categoryId, g.bbox, 0.5 + i / 10)));
  t.deepEqual([...r.perClass], [[1, 1], [5, 1]]);
  t.is(r.mAP, 1);
});

test('averagePrecision: a false positive ranked first, then 2 true positives of 2: monotone precision 2/3 everywhere', (t) => {
  // Ranked: FP (P = 0, R = 0), TP (1/2, 1/2), TP (2/3, 1) → P̂ = 2/3 at all 101 recall points.
  const r = averagePrecision([gt(1, 1, G1), gt(1, 1, G2)], [dt(1, 1, FAR, 0.9), dt(1, 1, [1, 0, 10, 10], 0.8), dt(1, 1, G2, 0.7)]);
  t.true(near(r.perClass.get(1)!, 2 / 3), `${r.perClass.get(1)}`);
  t.true(near(r.mAP, 2 / 3));
  // Ranked last instead, the false positive costs nothing.
  t.is(averagePrecision([gt(1, 1, G1), gt(1, 1, G2)], [dt(1, 1, FAR, 0.1), dt(1, 1, G1, 0.8), dt(1, 1, G2, 0.7)]).mAP, 1);
});

test('averagePrecision: a missed ground truth halves the reachable recall (51 of 101 points at precision 1)', (t) => {
  const r = averagePrecision([gt(1, 1, G1), gt(1, 1, G2)], [dt(1, 1, G1, 0.9)]);
  t.true(near(r.mAP, 51 / 101));
  t.is(averagePrecision([gt(1, 1, G1)], []).mAP, 0);
});

test('averagePrecision: a second detection of a matched object is a false positive', (t) => {
  // Ranked: TP (1, 1/2), duplicate FP (1/2, 1/2), TP (2/3, 1) → P̂ = 1 on r ≤ 0.5 (51 points), 2/3 above (50).
  const r = averagePrecision([gt(1, 1, G1), gt(1, 1, G2)], [dt(1, 1, G1, 0.9), dt(1, 1, [0, 1, 10, 10], 0.8), dt(1, 1, G2, 0.7)]);
  t.true(near(r.mAP, (51 + (50 * 2) / 3) / 101));
  t.true(near(r.mAP, 253 / 303));
});

test('averagePrecision: detections in another image or of another category do not match', (t) => {
  // Ranked: wrong image FP (0, 0), TP (1/2, 1) → P̂ = 1/2 everywhere.
  t.true(near(averagePrecision([gt(1, 1, G1)], [dt(2, 1, G1, 0.9), dt(1, 1, G1, 0.8)]).mAP, 0.5));
  t.true(near(averagePrecision([gt(1, 1, G1)], [dt(1, 2, G1, 0.9), dt(1, 1, G1, 0.8)]).mAP, 1));
  t.is(averagePrecision([gt(1, 1, G1)], [dt(2, 1, G1, 0.9)]).mAP, 0);
});

test('averagePrecision: each detection takes the unmatched ground truth of highest IoU', (t) => {
  const g1: Box = [0, 0, 10, 10];
  const g2: Box = [4, 0, 10, 10];
  // d1 = [3, 0, 10, 10]: IoU 70/130 with g1, 90/110 with g2 → g2; d2 = g1 then matches g1 (IoU(d2, g2) = 60/140 < 0.5).
  t.is(averagePrecision([gt(1, 1, g1), gt(1, 1, g2)], [dt(1, 1, [3, 0, 10, 10], 0.9), dt(1, 1, g1, 0.8)]).mAP, 1);
  // A matched ground truth is skipped: d2 = [3, 0, 10, 10] after d1 = g2 falls back to g1 (IoU 70/130 ≥ 0.5).
  t.is(averagePrecision([gt(1, 1, g1), gt(1, 1, g2)], [dt(1, 1, g2, 0.9), dt(1, 1, [3, 0, 10, 10], 0.8)]).mAP, 1);
  // Equal IoUs (80/120 with both) go to the later ground truth, as in COCO: order matters then.
  const between = dt(1, 1, [2, 0, 10, 10], 0.9);
  t.is(averagePrecision([gt(1, 1, g1), gt(1, 1, g2)], [between, dt(1, 1, g1, 0.8)]).mAP, 1);
  t.true(near(averagePrecision([gt(1, 1, g2), gt(1, 1, g1)], [between, dt(1, 1, g1, 0.8)]).mAP, 51 / 101));
  // The threshold: IoU 70/130 ≈ 0.54 matches at 0.5, not at 0.75.
  t.is(averagePrecision([gt(1, 1, g1)], [dt(1, 1, [3, 0, 10, 10], 0.9)], 0.5).mAP, 1);
  t.is(averagePrecision([gt(1, 1, g1)], [dt(1, 1, [3, 0, 10, 10], 0.9)], 0.75).mAP, 0);
});

test('averagePrecision: mAP averages the categories with ground truth; categories without are ignored', (t) => {
  const truth = [gt(1, 1, G1), gt(1, 2, G1), gt(1, 2, G2), gt(1, 4, G2)];
  const detections = [dt(1, 1, G1, 0.5), dt(1, 2, FAR, 0.9), dt(1, 2, G1, 0.8), dt(1, 2, G2, 0.7), dt(1, 3, G1, 0.99)];
  const r = averagePrecision(truth, detections);
  t.deepEqual([...r.perClass.keys()], [1, 2, 4]);
  t.is(r.perClass.get(1), 1);
  t.true(near(r.perClass.get(2)!, 2 / 3));
  t.is(r.perClass.get(4), 0);
  t.true(near(r.mAP, (1 + 2 / 3 + 0) / 3));
  t.true(Number.isNaN(averagePrecision([], [dt(1, 1, G1, 1)]).mAP));
});

test('averagePrecision: bad entries and thresholds are refused, naming them', (t) => {
  t.throws(() => averagePrecision([gt(1, 1, [0, 0, -1, 1])], []), { instanceOf: RangeError, message: /^averagePrecision: groundTruth\[0\]\.bbox must be a box .*, got \[0, 0, -1, 1\]$/ });
  t.throws(() => averagePrecision([], [dt(1, 1, G1, NaN)]), { message: 'averagePrecision: detections[0].score must be a number, got NaN' });
  t.throws(() => averagePrecision([gt(NaN, 1, G1)], []), { message: 'averagePrecision: groundTruth[0].imageId must be a finite number, got NaN' });
  t.throws(() => averagePrecision([], [], 0), { message: 'averagePrecision: iouThreshold must be a number in (0, 1], got 0' });
});

/** An independent AP: all-pairs loops, corner IoU, and p(r) = max precision over ranks reaching recall r. */
function oracleAP(truth: readonly GroundTruthBox[], detections: readonly DetectedBox[], threshold: number): { perClass: Map<number, number>; mAP: number } {
  const overlap = (a: Box, b: Box): number => {
    const [ax2, ay2, bx2, by2] = [a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]];
    const inter = Math.max(0, Math.min(ax2, bx2) - Math.max(a[0], b[0])) * Math.max(0, Math.min(ay2, by2) - Math.max(a[1], b[1]));
    return inter > 0 ? inter / ((ax2 - a[0]) * (ay2 - a[1]) + (bx2 - b[0]) * (by2 - b[1]) - inter) : 0;
  };
  const categories = [...new Set(truth.map((g) => g.categoryId))].sort((a, b) => a - b);
  const perClass = new Map<number, number>();
  for (const c of categories) {
    const ranked = detections.map((d, i) => ({ d, i })).filter(({ d }) => d.categoryId === c);
    ranked.sort((p, q) => (q.d.score !== p.d.score ? q.d.score - p.d.score : p.i - q.i));
    const used = truth.map(() => false);
    const nTruth = truth.filter((g) => g.categoryId === c).length;
    const points: { precision: number; recall: number }[] = [];
    let tp = 0;
    ranked.forEach(({ d }, k) => {
      let best = -1;
      let bestIou = -1;
      for (let j = 0; j < truth.length; j++) {
        const g = truth[j]!;
        if (used[j] || g.categoryId !== c || g.imageId !== d.imageId) continue;
        const v = overlap(d.bbox, g.bbox);
        if (v >= threshold && v >= bestIou) [best, bestIou] = [j, v];
      }
      if (best >= 0) [used[best], tp] = [true, tp + 1];
      points.push({ precision: tp / (k + 1), recall: tp / nTruth });
    });
    let sum = 0;
    for (let s = 0; s <= 100; s++) sum += Math.max(0, ...points.filter((p) => p.recall >= s / 100).map((p) => p.precision));
    perClass.set(c, sum / 101);
  }
  const aps = [...perClass.values()];
  return { perClass, mAP: aps.reduce((s, v) => s + v, 0) / aps.length };
}

test('averagePrecision agrees with an all-pairs oracle on seeded random scenes', (t) => {
  for (let seed = 1; seed <= 40; seed++) {
    const rng = new Generator(seed);
    const truth: GroundTruthBox[] = [];
    const detections: DetectedBox[] = [];
    const randomBox = (): Box => [rng.uniform(0, 80), rng.uniform(0, 80), rng.uniform(4, 30), rng.uniform(4, 30)];
    const jitter = ([x, y, w, h]: Box, shift: number): Box => [x + rng.normal(0, shift), y + rng.normal(0, shift), w * rng.uniform(0.85, 1.15), h * rng.uniform(0.85, 1.15)];
    for (let image = 0; image < 4; image++) {
      // Half the objects crowd the previous one, so that a detection often overlaps several.
      let previous: Box | null = null;
      for (let n = rng.int(7); n > 0; n--) {
        const box: Box = previous && rng.uniform() < 0.5 ? jitter(previous, 3) : randomBox();
        truth.push(gt(image, rng.int(3), box));
        previous = box;
      }
    }
    for (const g of truth) {
      for (let copies = rng.int(3); copies > 0; copies--) {
        const score = seed % 3 === 0 ? rng.int(5) / 4 : rng.uniform();
        detections.push(dt(rng.uniform() < 0.9 ? g.imageId : rng.int(4), rng.uniform() < 0.9 ? g.categoryId : rng.int(4), jitter(g.bbox, 1), score));
      }
    }
    for (let n = rng.int(8); n > 0; n--) detections.push(dt(rng.int(4), rng.int(4), randomBox(), rng.uniform()));
    for (const threshold of [0.5, 0.75, 0.3]) {
      const got = averagePrecision(truth, detections, threshold);
      const want = oracleAP(truth, detections, threshold);
      t.deepEqual([...got.perClass.keys()], [...want.perClass.keys()], `seed ${seed}`);
      for (const [c, ap] of want.perClass) t.true(near(got.perClass.get(c)!, ap), `seed ${seed}, t ${threshold}, class ${c}: ${got.perClass.get(c)} vs ${ap}`);
      t.true(near(got.mAP, want.mAP) || (Number.isNaN(got.mAP) && Number.isNaN(want.mAP)), `seed ${seed}: mAP ${got.mAP} vs ${want.mAP}`);
    }
  }
});

// ---- segmentationScores ------------------------------------------------------------------------

// 4×4, 3 classes. Truth: class 0 top-left 2×2, class 1 top-right 2×2, class 2 the bottom half.
const truth4x4 = [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2];
const pred4x4 = [0, 1, 1, 1, 0, 0, 1, 1, 2, 2, 0, 2, 2, 2, 2, 1];

test('segmentationScores: a hand-made 3-class 4×4 map', (t) => {
  const s = segmentationScores(pred4x4, truth4x4, 3);
  t.deepEqual(s.confusion, [
    [3, 1, 0],
    [0, 4, 0],
    [1, 1, 6],
  ]);
  t.is(s.pixelAccuracy, 13 / 16);
  t.deepEqual(s.perClassAccuracy, [3 / 4, 1, 6 / 8]);
  t.true(near(s.meanClassAccuracy, (3 / 4 + 1 + 6 / 8) / 3));
  // A fourth class absent from the truth: NaN accuracy, left out of the mean; typed arrays work.
  const s4 = segmentationScores(Int32Array.from(pred4x4), Uint8Array.from(truth4x4), 4);
  t.true(Number.isNaN(s4.perClassAccuracy[3]!));
  t.true(near(s4.meanClassAccuracy, 5 / 6));
  t.is(s4.pixelAccuracy, 13 / 16);
  t.is(segmentationScores(truth4x4, truth4x4, 3).meanClassAccuracy, 1);
});

test('segmentationScores: bad labels, lengths and class counts are refused, naming the index and value', (t) => {
  t.throws(() => segmentationScores([0, 1, 3], [0, 1, 2], 3), { instanceOf: RangeError, message: 'segmentationScores: predicted[2] must be an integer label in [0, 3), got 3' });
  t.throws(() => segmentationScores([0, 1, 2], [0, -1, 2], 3), { message: 'segmentationScores: truth[1] must be an integer label in [0, 3), got -1' });
  t.throws(() => segmentationScores([0, 1.5], [0, 1], 3), { message: 'segmentationScores: predicted[1] must be an integer label in [0, 3), got 1.5' });
  t.throws(() => segmentationScores([0, 1], [0, 1, 2], 3), { message: 'segmentationScores: predicted and truth must have the same length, got 2 and 3' });
  t.throws(() => segmentationScores([], [], 3), { message: 'segmentationScores: expected at least one pixel, got 0' });
  t.throws(() => segmentationScores([0], [0], 0), { message: 'segmentationScores: classes must be an integer ≥ 1, got 0' });
});

// ---- box regression ----------------------------------------------------------------------------

test('encodeBox / decodeBox: a hand-computed case, the identity, and a seeded round trip', (t) => {
  // Window centre (30, 60), 40×80; box centre (30, 90), 20×160.
  t.deepEqual(encodeBox([20, 10, 20, 160], [10, 20, 40, 80]), [0, 30 / 80, Math.log(0.5), Math.log(2)]);
  t.deepEqual(encodeBox([10, 20, 40, 80], [10, 20, 40, 80]), [0, 0, 0, 0]);
  t.deepEqual(decodeBox([0, 0, 0, 0], [10, 20, 40, 80]), [10, 20, 40, 80]);
  t.deepEqual(decodeBox([0.5, 0, Math.log(2), 0], [0, 0, 10, 10]), [0, 0, 20, 10]);
  const rng = new Generator(7);
  for (let k = 0; k < 200; k++) {
    const box: Box = [rng.uniform(-50, 50), rng.uniform(-50, 50), rng.uniform(0.1, 100), rng.uniform(0.1, 100)];
    const window: Box = [rng.uniform(-50, 50), rng.uniform(-50, 50), rng.uniform(1, 100), rng.uniform(1, 100)];
    const back = decodeBox(encodeBox(box, window), window);
    t.true(back.every((v, i) => near(v, box[i]!, 1e-9 * (1 + Math.abs(box[i]!)))), `${box} → ${back}`);
    const deltas = [rng.normal(), rng.normal(), rng.normal(), rng.normal()] as const;
    const again = encodeBox(decodeBox(deltas, window), window);
    t.true(again.every((v, i) => near(v, deltas[i]!, 1e-9)), `${deltas} → ${again}`);
  }
});

test('encodeBox / decodeBox: empty boxes and windows and non-finite deltas are refused', (t) => {
  t.throws(() => encodeBox([0, 0, 0, 5], [0, 0, 10, 10]), { instanceOf: RangeError, message: 'encodeBox: box must be a box [x, y, w, h] of finite numbers with w > 0, h > 0, got [0, 0, 0, 5]' });
  t.throws(() => encodeBox([0, 0, 5, 5], [0, 0, 10, -1]), { message: /^encodeBox: window must be .*, got \[0, 0, 10, -1\]$/ });
  t.throws(() => decodeBox([0, 0, 0, 0], [0, 0, 0, 10]), { message: /^decodeBox: window must be .*, got \[0, 0, 0, 10\]$/ });
  t.throws(() => decodeBox([0, NaN, 0, 0], [0, 0, 10, 10]), { message: 'decodeBox: deltas must be four finite numbers [dx, dy, dw, dh], got [0, NaN, 0, 0]' });
});
