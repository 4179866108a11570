import type { Tensor } from '@eole/core';
import { frameMse } from './frameMse.js';
import { checkFrames } from './checkFrames.js';

/**
 * Peak signal-to-noise ratio of each frame, in decibels:
 *
 *   PSNR[n] = 10·log10( maxValue² / ( (1/P) Σ_{c,i,j} (pred[n, c, i, j] − target[n, c, i, j])² ) ),
 *
 * with P = C·H·W pixels per frame, computed in float64. Higher is better; a constant error of 0.1 on
 * [0, 1] pixels gives 20 dB. A perfect frame (zero error) gives `+Infinity`, so averaging over
 * frames that include a perfect one gives Infinity too: filter or clamp before averaging if needed.
 * As used for video prediction by Mathieu, Couprie & LeCun, "Deep multi-scale video prediction
 * beyond mean square error" (ICLR 2016), section 4.
 *
 * @param pred Predicted frames [N, C, H, W] or [N, H, W].
 * @param target True frames, the same shape.
 * @param maxValue The largest possible pixel value (1 for pixels in [0, 1], 255 for bytes).
 * @returns N per-frame PSNRs in dB (+Infinity for perfect frames).
 * @throws RangeError when `maxValue` is not a positive finite number; TypeError / ShapeError from
 *   {@link checkFrames}.
 *
 * @example
 * psnr(pred, target);      // Float64Array(N) of dB values
 * psnr(target, target)[0]; // Infinity
 */
export function psnr(pred: Tensor, target: Tensor, maxValue = 1): Float64Array {
  const op = 'psnr';
  if (typeof maxValue !== 'number' || !(maxValue > 0) || !Number.isFinite(maxValue)) {
    throw new RangeError(`${op}: maxValue must be a positive finite number, got ${String(maxValue)}`);
  }
  const { channels, height, width } = checkFrames(op, pred, target, 1);
  const size = channels * height * width;
  const peak = maxValue * maxValue;
  return frameMse(pred, target).map((s) => (s === 0 ? Infinity : 10 * Math.log10(peak / (s / size))));
}
