import { checkBox, type Box } from './Box.js';

/**
 * Intersection over union (the Jaccard index) of two `[x, y, w, h]` boxes:
 *
 *   IoU(a, b) = |a ∩ b| / |a ∪ b| = I / (wₐhₐ + w_b·h_b − I),
 *   I = max(0, min(xₐ + wₐ, x_b + w_b) − max(xₐ, x_b)) · max(0, min(yₐ + hₐ, y_b + h_b) − max(yₐ, y_b)),
 *
 * the overlap criterion of the PASCAL VOC challenge (Everingham et al., "The PASCAL Visual Object
 * Classes (VOC) challenge", IJCV 2010) and of COCO, as `torchvision.ops.box_iou` on corners.
 * Continuous coordinates (no +1 on widths). Boxes that only touch, disjoint boxes and
 * degenerate boxes (w = 0 or h = 0) give 0. Throws a RangeError for a box with w or h < 0 or a
 * non-finite coordinate.
 *
 * @example
 * iou([0, 0, 10, 10], [5, 5, 10, 10]);    // 25 / 175 ≈ 0.143
 * iou([0, 0, 10, 10], [10, 0, 10, 10]);   // 0 (touching edges)
 * iou([0, 0, 10, 10], [0, 0, 10, 10]);    // 1
 */
export function iou(a: Box, b: Box): number {
  checkBox('iou', 'a', a);
  checkBox('iou', 'b', b);
  return boxIou(a, b);
}

/** {@link iou} without the argument checks, for callers that have validated their boxes. */
export function boxIou(a: Box, b: Box): number {
  const iw = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const ih = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  return inter / (a[2] * a[3] + b[2] * b[3] - inter);
}
