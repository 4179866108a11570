import { div, formatShape, ShapeError, Tensor } from '@eole/core';
import { conv2d } from '@eole/conv';
import { binomialKernel } from './binomialKernel.js';

const KERNEL = binomialKernel(5).reshape([1, 1, 5, 5]);
const STRIDE = { dW: 2, dH: 2, padW: 2, padH: 2 } as const;
const masses = new Map<string, Tensor>();

/** The kernel mass inside an H×W image under each output pixel (1 away from the borders). */
function borderMass(H: number, W: number): Tensor {
  const key = `${H}x${W}`;
  let m = masses.get(key);
  if (!m) {
    m = conv2d(Tensor.ones([1, 1, H, W]), KERNEL, null, STRIDE).detach();
    masses.set(key, m);
  }
  return m;
}

/**
 * Gaussian down-sampling d(·) of a Laplacian pyramid (Burt & Adelson 1983; LAPGAN, Denton,
 * Chintala, Szlam & Fergus, NIPS 2015): every plane of x [N, C, H, W] is blurred with the 5×5
 * binomial kernel k ({@link binomialKernel}) and every second pixel kept,
 *
 *   d(x)[n, c, i, j] = Σ_{a, b} k[a, b] · x[n, c, 2i + a − 2, 2j + b − 2] / Σ_{a, b inside} k[a, b],
 *
 * giving [N, C, ⌈H/2⌉, ⌈W/2⌉] (28 → 14 → 7). Near the border the taps that fall outside the image
 * are dropped and the rest renormalised, so a constant image stays that constant. Composed from
 * conv2d (per plane) and a division by a constant, so the gradient flows to x.
 *
 * @example
 * pyramidDown(Tensor.zeros([8, 1, 28, 28])).shape;    // [8, 1, 14, 14]
 * pyramidDown(Tensor.full([1, 1, 7, 7], 0.5)).data;   // 16 values, all 0.5
 * gaussianPyramid(x, 3);                               // x, d(x), d(d(x))
 */
export function pyramidDown(x: Tensor): Tensor {
  if (!(x instanceof Tensor) || x.ndim !== 4) throw new ShapeError('pyramidDown', `expected x [N, C, H, W], got ${x instanceof Tensor ? formatShape(x.shape) : String(x)}`);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const y = conv2d(x.reshape([N * C, 1, H, W]), KERNEL, null, STRIDE, 'pyramidDown');
  const m = borderMass(H, W);
  return div(y, m).reshape([N, C, m.shape[2]!, m.shape[3]!]);
}
