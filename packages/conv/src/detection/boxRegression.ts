import { checkBox, formatBox, type Box } from './Box.js';

/** Box-regression targets (dx, dy, dw, dh) of a box relative to a reference window. */
export type BoxDeltas = [number, number, number, number];

/**
 * Encodes a box relative to a reference window (a sliding window, an anchor or a proposal), the
 * regression target of OverFeat's localizer (Sermanet et al., "OverFeat", ICLR 2014) in the
 * parametrisation of R-CNN (Girshick et al., "Rich feature hierarchies for accurate object
 * detection and semantic segmentation", CVPR 2014, appendix C), with centres c = (x + w/2, y + h/2):
 *
 *   dx = (cx − wcx)/ww,   dy = (cy − wcy)/wh,   dw = log(w/ww),   dh = log(h/wh).
 *
 * Continuous coordinates (no +1 on widths), no weights or clamping (torchvision's `BoxCoder` with
 * weights 1). Both boxes must have w, h > 0 (RangeError otherwise). {@link decodeBox} inverts it.
 *
 * @example
 * encodeBox([20, 10, 20, 160], [10, 20, 40, 80]);   // [0, 0.375, log(1/2), log(2)]
 * const window: Box = [0, 0, 64, 64];
 * decodeBox(encodeBox([8, 4, 32, 16], window), window);   // [8, 4, 32, 16] (up to rounding)
 */
export function encodeBox(box: Box, window: Box): BoxDeltas {
  checkBox('encodeBox', 'box', box, true);
  checkBox('encodeBox', 'window', window, true);
  const [x, y, w, h] = box;
  const [wx, wy, ww, wh] = window;
  return [(x + w / 2 - (wx + ww / 2)) / ww, (y + h / 2 - (wy + wh / 2)) / wh, Math.log(w / ww), Math.log(h / wh)];
}

/**
 * Decodes regression outputs (dx, dy, dw, dh) against a reference window, the inverse of
 * {@link encodeBox}:
 *
 *   w = ww·exp(dw),   h = wh·exp(dh),   x = wcx + dx·ww − w/2,   y = wcy + dy·wh − h/2.
 *
 * Same parametrisation (Girshick et al., CVPR 2014); no clamping of dw, dh (torchvision clamps at
 * log(1000/16)). The window must have w, h > 0 and the deltas must be finite (RangeError otherwise).
 *
 * @example
 * decodeBox([0, 0, 0, 0], [10, 20, 40, 80]);          // [10, 20, 40, 80]
 * decodeBox([0.5, 0, Math.log(2), 0], [0, 0, 10, 10]); // [0, 0, 20, 10]
 * decodeBox(encodeBox(box, window), window);          // box (up to rounding)
 */
export function decodeBox(deltas: readonly [number, number, number, number], window: Box): Box {
  const d: unknown = deltas;
  if (!(Array.isArray(d) && d.length === 4 && d.every((v) => typeof v === 'number' && Number.isFinite(v)))) {
    throw new RangeError(`decodeBox: deltas must be four finite numbers [dx, dy, dw, dh], got ${formatBox(d)}`);
  }
  checkBox('decodeBox', 'window', window, true);
  const [dx, dy, dw, dh] = deltas;
  const [wx, wy, ww, wh] = window;
  const w = ww * Math.exp(dw);
  const h = wh * Math.exp(dh);
  return [wx + ww / 2 + dx * ww - w / 2, wy + wh / 2 + dy * wh - h / 2, w, h];
}
