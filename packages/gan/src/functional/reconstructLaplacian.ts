import { formatShape, ShapeError, Tensor } from '@eole/core';
import { pyramidUp } from './pyramidUp.js';

/**
 * The image whose Laplacian pyramid is `pyramid` = [h_0, …, h_{K−1}, I_K] (finest first, as
 * {@link laplacianPyramid} returns it), coarse to fine:
 *
 *   I_k = h_k + u(I_{k+1}),  k = K − 1, …, 0,
 *
 * which undoes the decomposition exactly (Burt & Adelson 1983) and is how LAPGAN composes its
 * generators' bands into an image (Denton, Chintala, Szlam & Fergus, NIPS 2015). Differentiable.
 *
 * @example
 * const bands = laplacianPyramid(digits, 3);
 * reconstructLaplacian(bands);                   // digits, within float rounding
 * reconstructLaplacian([bands[2]!]) === bands[2]; // one level: the image itself
 */
export function reconstructLaplacian(pyramid: readonly Tensor[]): Tensor {
  if (!Array.isArray(pyramid) || pyramid.length === 0) throw new RangeError('reconstructLaplacian: pyramid must hold at least one level [N, C, H, W]');
  pyramid.forEach((t, k) => {
    if (!(t instanceof Tensor) || t.ndim !== 4) throw new ShapeError('reconstructLaplacian', `level ${k} must be [N, C, H, W], got ${t instanceof Tensor ? formatShape(t.shape) : String(t)}`);
  });
  let img = pyramid[pyramid.length - 1]!;
  for (let k = pyramid.length - 2; k >= 0; k--) {
    const h = pyramid[k]!;
    const [N, C, H, W] = h.shape as [number, number, number, number];
    const [n, c, ch, cw] = img.shape as [number, number, number, number];
    if (n !== N || c !== C || Math.ceil(H / 2) !== ch || Math.ceil(W / 2) !== cw) {
      throw new ShapeError('reconstructLaplacian', `level ${k} ${formatShape(h.shape)} expects level ${k + 1} [${N}, ${C}, ${Math.ceil(H / 2)}, ${Math.ceil(W / 2)}], got ${formatShape(img.shape)}`);
    }
    img = h.add(pyramidUp(img, [H, W]));
  }
  return img;
}
