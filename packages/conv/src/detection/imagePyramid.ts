import { Tensor } from '@eole/core';
import { resizeBilinear } from '../data/resizeBilinear.js';

/** One level of an image pyramid: the image at `scale` times the original size. */
export interface PyramidLevel {
  scale: number;
  image: Tensor;
}

/**
 * Resizes images [N, C, H, W] (or [C, H, W]) to round(H·scale) × round(W·scale): a Gaussian blur of
 * σ = 1/(3·scale) first when shrinking (scikit-image's `pyramid_reduce`: σ = 2·downscale/6, so the
 * subsampling does not alias), then bilinear sampling with PyTorch's `align_corners=False`
 * ({@link resizeBilinear}: src = (dst + ½)/scale − ½, clamped at the borders). Plain arithmetic on the values, outside
 * autograd: it prepares inputs.
 *
 * @example
 * const half = rescaleImage(image, 0.5);     // [1, 1, 128, 128] → [1, 1, 64, 64]
 */
export function rescaleImage(x: Tensor, scale: number): Tensor {
  if (!(typeof scale === 'number' && scale > 0 && Number.isFinite(scale))) throw new RangeError(`rescaleImage: scale must be a finite number > 0, got ${String(scale)}`);
  if (x.ndim !== 3 && x.ndim !== 4) throw new RangeError(`rescaleImage: expected an image [N, C, H, W] or [C, H, W], got [${x.shape.join(', ')}]`);
  const [H, W] = x.shape.slice(-2) as [number, number];
  const outH = Math.max(1, Math.round(H * scale));
  const outW = Math.max(1, Math.round(W * scale));
  const planes = x.size / (H * W);
  const src = x.data;
  const out = new Float32Array(planes * outH * outW);
  const sigma = scale < 1 ? 1 / (3 * scale) : 0;
  for (let p = 0; p < planes; p++) {
    const plane = src.subarray(p * H * W, (p + 1) * H * W);
    const blurred = sigma > 0 ? blur(plane, H, W, sigma) : plane;
    out.set(resizeBilinear(blurred, W, H, outW, outH), p * outH * outW);
  }
  return Tensor.from(out, [...x.shape.slice(0, -2), outH, outW]);
}

/**
 * The multiscale input of a sliding-window detector: the image at each of `scales` (default
 * 1, 1/√2, ½, 1/(2√2), ¼: an octave in two steps, until a side would fall under `minSize`), each
 * made by {@link rescaleImage} from the original.
 *
 * @example
 * for (const { scale, image } of imagePyramid(photo, { minSize: 32 })) heatmaps.push(net.forward(image));
 */
export function imagePyramid(x: Tensor, options: { scales?: readonly number[]; minSize?: number } = {}): PyramidLevel[] {
  const [H, W] = x.shape.slice(-2) as [number, number];
  const minSize = options.minSize ?? 1;
  const scales = options.scales ?? Array.from({ length: 16 }, (_, k) => 2 ** (-k / 2));
  return scales.filter((s) => Math.round(Math.min(H, W) * s) >= minSize).map((scale) => ({ scale, image: scale === 1 ? x : rescaleImage(x, scale) }));
}

function gaussianTaps(sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const taps = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) sum += taps[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < taps.length; i++) taps[i]! /= sum;
  return taps;
}

/** Separable Gaussian blur of one plane, borders extended by their nearest pixel. */
function blur(src: Float32Array, H: number, W: number, sigma: number): Float32Array {
  const taps = gaussianTaps(sigma);
  const r = (taps.length - 1) / 2;
  const tmp = new Float32Array(H * W);
  const out = new Float32Array(H * W);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++) s += taps[k + r]! * src[y * W + Math.min(W - 1, Math.max(0, x + k))]!;
      tmp[y * W + x] = s;
    }
  }
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++) s += taps[k + r]! * tmp[Math.min(H - 1, Math.max(0, y + k)) * W + x]!;
      out[y * W + x] = s;
    }
  }
  return out;
}
