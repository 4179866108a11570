import { Tensor } from '@eole/core';

/**
 * A size×size Gaussian kernel normalised to sum 1, with Torch7's `image.gaussian(size, sigma)`
 * conventions: σ is relative to the size (σ_px = sigma·size, default 0.25) and the bell is
 * centred on the middle of the window,
 *
 *   k[i, j] ∝ exp(−((i + ½ − size/2)² + (j + ½ − size/2)²) / (2·(sigma·size)²)).
 *
 * The neighbourhood of the local contrast normalizations (Jarrett, Kavukcuoglu, Ranzato & LeCun,
 * ICCV 2009).
 *
 * @example
 * const k = gaussianKernel(9);          // [9, 9], σ = 2.25 pixels, Σ k = 1
 * new SpatialContrastiveNormalization(3, gaussianKernel(7));
 */
export function gaussianKernel(size: number, sigma = 0.25): Tensor {
  if (!Number.isInteger(size) || size <= 0) throw new RangeError(`gaussianKernel: size must be a positive integer, got ${size}`);
  if (typeof sigma !== 'number' || !(sigma > 0) || !Number.isFinite(sigma)) throw new RangeError(`gaussianKernel: sigma must be a positive finite number, got ${sigma}`);
  const s = sigma * size;
  const center = size / 2;
  const k = new Float64Array(size * size);
  let total = 0;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const dy = (i + 0.5 - center) / s;
      const dx = (j + 0.5 - center) / s;
      k[i * size + j] = Math.exp(-(dx * dx + dy * dy) / 2);
      total += k[i * size + j]!;
    }
  }
  return Tensor.from(k.map((v) => v / total), [size, size]);
}
