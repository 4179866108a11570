import type { Tensor } from '@eole/core';
import { checkFrames } from './checkFrames.js';

/**
 * The sharpness difference of Mathieu, Couprie & LeCun, "Deep multi-scale video prediction beyond
 * mean square error" (ICLR 2016), section 4: how close the prediction's image gradients are to the
 * truth's, in decibels like a PSNR. With Y = target, Ŷ = pred, ∇ᵢY = |Y_{i,j} − Y_{i−1,j}| and
 * ∇ⱼY = |Y_{i,j} − Y_{i,j−1}|, per frame
 *
 *   Sharp.diff(Y, Ŷ) = 10·log10( maxValue² / ( (1/P) Σ_{c,i,j} |(∇ᵢY + ∇ⱼY) − (∇ᵢŶ + ∇ⱼŶ)| ) ).
 *
 * Edge convention: the sum runs over the pixels where both differences are defined, i = 1…H−1 and
 * j = 1…W−1 (0-based; the first row and column are left out, no padding), in every channel, and
 * P = C·(H−1)·(W−1) is their count; frames need H, W ≥ 2. Computed in float64. Higher is better;
 * identical frames (and any pair with equal gradient sums everywhere) give `+Infinity`.
 *
 * @param pred Predicted frames Ŷ [N, C, H, W] or [N, H, W].
 * @param target True frames Y, the same shape.
 * @param maxValue The largest possible pixel value (1 for pixels in [0, 1]).
 * @returns N per-frame sharpness differences in dB (+Infinity when the gradients match).
 * @throws RangeError when `maxValue` is not a positive finite number; TypeError / ShapeError from
 *   {@link checkFrames}.
 *
 * @example
 * sharpnessDifference(pred, target); // Float64Array(N); a blurry prediction scores lower
 */
export function sharpnessDifference(pred: Tensor, target: Tensor, maxValue = 1): Float64Array {
  const op = 'sharpnessDifference';
  if (typeof maxValue !== 'number' || !(maxValue > 0) || !Number.isFinite(maxValue)) {
    throw new RangeError(`${op}: maxValue must be a positive finite number, got ${String(maxValue)}`);
  }
  const { frames, channels, height: h, width: w } = checkFrames(op, pred, target, 2);
  const p = pred.data;
  const t = target.data;
  const plane = h * w;
  const count = channels * (h - 1) * (w - 1);
  const peak = maxValue * maxValue;
  const out = new Float64Array(frames);
  for (let n = 0; n < frames; n++) {
    let s = 0;
    for (let c = 0; c < channels; c++) {
      const base = (n * channels + c) * plane;
      for (let i = 1; i < h; i++) {
        const row = base + i * w;
        for (let j = 1; j < w; j++) {
          const k = row + j;
          const gt = Math.abs(t[k]! - t[k - w]!) + Math.abs(t[k]! - t[k - 1]!);
          const gp = Math.abs(p[k]! - p[k - w]!) + Math.abs(p[k]! - p[k - 1]!);
          s += Math.abs(gt - gp);
        }
      }
    }
    out[n] = s === 0 ? Infinity : 10 * Math.log10(peak / (s / count));
  }
  return out;
}
