import { formatShape, noGrad, ShapeError, Tensor } from '@eole/core';
import { conv2d, gaussianKernel } from '@eole/conv';

/**
 * Blurs square single-channel images [N, S·S] (MNIST rows, S = 28) or [N, 1, S, S] by a Gaussian of
 * standard deviation σ pixels, truncated at ⌈3σ⌉ pixels and normalised to sum 1, with zeros beyond
 * the border (MNIST's background is black):
 *
 *   y[n, i, j] = Σ_{|a|,|b| ≤ r} g(a, b)·x[n, i + a, j + b],  g(a, b) ∝ exp(−(a² + b²) / (2σ²)),
 *
 * conv's `gaussianKernel` through conv's `conv2d`, without autograd; the result has the input's
 * shape. The scorer's FID calibration blurs held-out digits by σ = 1 px, a degradation a reader
 * can picture (Heusel et al. 2017 calibrate FID with Gaussian blur too).
 *
 * @example
 * const blurred = gaussianBlur(new Tensor(heldOut.images, [2000, 784]), 1);
 * blurred.shape; // [2000, 784]
 * scorer.score(blurred).fid;
 */
export function gaussianBlur(images: Tensor, sigma: number): Tensor {
  const op = 'gaussianBlur';
  if (!(images instanceof Tensor)) throw new TypeError(`${op}: images must be a Tensor [N, S·S] or [N, 1, S, S]`);
  if (typeof sigma !== 'number' || !(sigma > 0) || !Number.isFinite(sigma)) throw new RangeError(`${op}: sigma must be a positive number of pixels, got ${String(sigma)}`);
  const side = imageSide(op, images);
  const n = images.shape[0]!;
  const radius = Math.ceil(3 * sigma);
  const size = 2 * radius + 1;
  const kernel = gaussianKernel(size, sigma / size).reshape([1, 1, size, size]);
  return noGrad(() => {
    const x = images.detach().reshape([n, 1, side, side]);
    return conv2d(x, kernel, null, { padW: radius, padH: radius }, op).reshape(images.shape);
  });
}

function imageSide(op: string, images: Tensor): number {
  const expected = 'images [N, S·S] (square, e.g. [N, 784]) or [N, 1, S, S]';
  if (images.ndim === 2) {
    const side = Math.round(Math.sqrt(images.shape[1]!));
    if (side * side === images.shape[1] && side > 0) return side;
  } else if (images.ndim === 4 && images.shape[1] === 1 && images.shape[2] === images.shape[3] && images.shape[2]! > 0) {
    return images.shape[2]!;
  }
  throw new ShapeError(op, `expected ${expected}, got ${formatShape(images.shape)}`);
}
