import type { Tensor } from '@eole/core';
import { checkPyramidInput, gaussianPyramid } from './gaussianPyramid.js';
import { pyramidUp } from './pyramidUp.js';

/**
 * The Laplacian pyramid of x [N, C, H, W] in `levels` levels (Burt & Adelson, "The Laplacian
 * pyramid as a compact image code", 1983), the coefficients LAPGAN's generators produce (Denton,
 * Chintala, Szlam & Fergus, NIPS 2015): with I_k the {@link gaussianPyramid} and u the
 * {@link pyramidUp} expansion,
 *
 *   h_k = I_k − u(I_{k+1})  for k < K = levels − 1,   h_K = I_K (the low-pass image itself).
 *
 * Finest band first; {@link reconstructLaplacian} inverts it exactly. Differentiable.
 *
 * @example
 * const [h0, h1, i2] = laplacianPyramid(digits, 3); // [N, 1, 28, 28], [N, 1, 14, 14], [N, 1, 7, 7]
 * reconstructLaplacian([h0, h1, i2]);                // digits again (to float rounding)
 * laplacianPyramid(digits, 1)[0] === digits;         // true
 */
export function laplacianPyramid(x: Tensor, levels: number): Tensor[] {
  checkPyramidInput('laplacianPyramid', x, levels);
  const g = gaussianPyramid(x, levels);
  return g.map((img, k) => (k === levels - 1 ? img : img.sub(pyramidUp(g[k + 1]!, [img.shape[2]!, img.shape[3]!]))));
}
