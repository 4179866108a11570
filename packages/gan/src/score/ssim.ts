import type { Tensor } from '@eole/core';
import { checkFrames } from './checkFrames.js';

/** Options of {@link ssim}; the defaults are those of Wang et al. (2004). */
export interface SsimOptions {
  /** Side of the square Gaussian window, an odd integer (default 11). */
  readonly windowSize?: number;
  /** Standard deviation of the Gaussian window in pixels (default 1.5). */
  readonly sigma?: number;
  /** K1 of C1 = (K1·L)² (default 0.01). */
  readonly k1?: number;
  /** K2 of C2 = (K2·L)² (default 0.03). */
  readonly k2?: number;
  /** L, the dynamic range of the pixel values (default 1 for pixels in [0, 1]; 255 for bytes). */
  readonly dataRange?: number;
}

/**
 * The structural similarity index of each frame: Wang, Bovik, Sheikh & Simoncelli, "Image quality
 * assessment: from error visibility to structural similarity" (IEEE Trans. Image Processing,
 * 2004). With x = pred, y = target and a Gaussian window w (windowSize × windowSize, standard
 * deviation σ, normalised to Σw = 1), local statistics at each position
 *
 *   μx = Σ w·x,  σx² = Σ w·x² − μx²,  σxy = Σ w·x·y − μx·μy   (likewise μy, σy²),
 *
 * and with C1 = (K1·L)², C2 = (K2·L)²,
 *
 *   SSIM = ((2μxμy + C1)(2σxy + C2)) / ((μx² + μy² + C1)(σx² + σy² + C2)).
 *
 * The map is averaged over the 'valid' positions, where the window lies fully inside the frame
 * ((H − windowSize + 1)·(W − windowSize + 1) of them, (H − 10)·(W − 10) by default, as the
 * authors' `ssim_index.m` does; no down-sampling), and then over the channels. Computed in float64
 * with the window applied separably (rows, then columns). SSIM is symmetric in pred and target,
 * at most 1, and 1 for identical frames; higher is better.
 *
 * @param pred Predicted frames [N, C, H, W] or [N, H, W]; H, W ≥ windowSize.
 * @param target True frames, the same shape.
 * @param options Window and constants; the defaults are the paper's (11, 1.5, 0.01, 0.03, L = 1).
 * @returns N per-frame mean SSIMs.
 * @throws RangeError for invalid options; TypeError / ShapeError from {@link checkFrames}.
 *
 * @example
 * ssim(pred, target);                      // Float64Array(N), 1 = identical
 * ssim(pred255, target255, { dataRange: 255 });
 */
export function ssim(pred: Tensor, target: Tensor, options: SsimOptions = {}): Float64Array {
  const op = 'ssim';
  const { windowSize = 11, sigma = 1.5, k1 = 0.01, k2 = 0.03, dataRange = 1 } = options;
  if (!Number.isInteger(windowSize) || windowSize < 1 || windowSize % 2 !== 1) {
    throw new RangeError(`${op}: options.windowSize must be a positive odd integer, got ${String(windowSize)}`);
  }
  const positive = (name: string, v: number): void => {
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new RangeError(`${op}: options.${name} must be a positive finite number, got ${String(v)}`);
  };
  positive('sigma', sigma);
  positive('k1', k1);
  positive('k2', k2);
  positive('dataRange', dataRange);
  const { frames, channels, height: h, width: w } = checkFrames(op, pred, target, windowSize);

  const g = new Float64Array(windowSize);
  const r = (windowSize - 1) / 2;
  let gs = 0;
  for (let k = 0; k < windowSize; k++) gs += g[k] = Math.exp(-((k - r) * (k - r)) / (2 * sigma * sigma));
  for (let k = 0; k < windowSize; k++) g[k]! /= gs;

  const c1 = (k1 * dataRange) ** 2;
  const c2 = (k2 * dataRange) ** 2;
  const hv = h - windowSize + 1;
  const wv = w - windowSize + 1;
  // Row-filtered x, y, x², y², x·y: [H, Wv] each, reused across planes.
  const rx = new Float64Array(h * wv);
  const ry = new Float64Array(h * wv);
  const rxx = new Float64Array(h * wv);
  const ryy = new Float64Array(h * wv);
  const rxy = new Float64Array(h * wv);
  const p = pred.data;
  const t = target.data;
  const plane = h * w;
  const out = new Float64Array(frames);
  for (let n = 0; n < frames; n++) {
    let total = 0;
    for (let c = 0; c < channels; c++) {
      const base = (n * channels + c) * plane;
      for (let i = 0; i < h; i++) {
        const row = base + i * w;
        for (let j = 0; j < wv; j++) {
          let sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
          for (let k = 0; k < windowSize; k++) {
            const gk = g[k]!;
            const x = p[row + j + k]!;
            const y = t[row + j + k]!;
            sx += gk * x;
            sy += gk * y;
            sxx += gk * x * x;
            syy += gk * y * y;
            sxy += gk * x * y;
          }
          const o = i * wv + j;
          rx[o] = sx;
          ry[o] = sy;
          rxx[o] = sxx;
          ryy[o] = syy;
          rxy[o] = sxy;
        }
      }
      for (let i = 0; i < hv; i++) {
        for (let j = 0; j < wv; j++) {
          let mx = 0, my = 0, exx = 0, eyy = 0, exy = 0;
          for (let k = 0; k < windowSize; k++) {
            const gk = g[k]!;
            const o = (i + k) * wv + j;
            mx += gk * rx[o]!;
            my += gk * ry[o]!;
            exx += gk * rxx[o]!;
            eyy += gk * ryy[o]!;
            exy += gk * rxy[o]!;
          }
          const vx = exx - mx * mx;
          const vy = eyy - my * my;
          const cxy = exy - mx * my;
          total += ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
        }
      }
    }
    out[n] = total / (channels * hv * wv);
  }
  return out;
}
