import { div, formatShape, ShapeError, Tensor } from '@eole/core';
import { convTranspose2d } from '@eole/conv';
import { binomialKernel } from './binomialKernel.js';

const KERNEL = binomialKernel(5).reshape([1, 1, 5, 5]);
const masses = new Map<string, Tensor>();

const stride = (adjH: number, adjW: number) => ({ dW: 2, dH: 2, padW: 2, padH: 2, adjW, adjH });

/** The kernel mass that reaches each output pixel from an H×W input (1 away from the borders). */
function borderMass(H: number, W: number, adjH: number, adjW: number): Tensor {
  const key = `${H}x${W}+${adjH},${adjW}`;
  let m = masses.get(key);
  if (!m) {
    m = convTranspose2d(Tensor.ones([1, 1, H, W]), KERNEL, null, stride(adjH, adjW)).detach();
    masses.set(key, m);
  }
  return m;
}

/**
 * Gaussian up-sampling u(·) of a Laplacian pyramid, Burt & Adelson's EXPAND (1983) as LAPGAN uses
 * it (Denton, Chintala, Szlam & Fergus, NIPS 2015): the pixels of every plane of x [N, C, H, W] are
 * spread on a grid twice as fine (zeros between them) and blurred with the 5×5 binomial kernel k
 * ({@link binomialKernel}), renormalised by the kernel mass that reaches each output pixel,
 *
 *   u(x)[n, c, i, j] = Σ_{p, q : i = 2p + a − 2, j = 2q + b − 2} k[a, b] · x[n, c, p, q] / Σ_{same p, q inside} k[a, b],
 *
 * so a constant image stays that constant (away from the borders the mass is ¼, the classic
 * factor 4). The output is [N, C, 2H, 2W], or the `size` [h, w] asked for with h ∈ {2H − 1, 2H}
 * (7 → 14; 4 → 7 undoes the down-sampling of an odd size). Composed from convTranspose2d (per
 * plane) and a division by a constant, so the gradient flows to x.
 *
 * @example
 * pyramidUp(Tensor.zeros([8, 1, 7, 7])).shape;          // [8, 1, 14, 14]
 * pyramidUp(Tensor.zeros([8, 1, 4, 4]), [7, 7]).shape;  // [8, 1, 7, 7]
 * laplacianPyramid(x, 3);                                // h_k = I_k − u(I_{k+1})
 */
export function pyramidUp(x: Tensor, size?: readonly [number, number]): Tensor {
  if (!(x instanceof Tensor) || x.ndim !== 4) throw new ShapeError('pyramidUp', `expected x [N, C, H, W], got ${x instanceof Tensor ? formatShape(x.shape) : String(x)}`);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [h, w] = size ?? [2 * H, 2 * W];
  if ((h !== 2 * H && h !== 2 * H - 1) || (w !== 2 * W && w !== 2 * W - 1)) {
    throw new RangeError(`pyramidUp: size must be [${2 * H - 1} or ${2 * H}, ${2 * W - 1} or ${2 * W}] for x ${formatShape(x.shape)}, got [${String(size)}]`);
  }
  const adjH = h - (2 * H - 1);
  const adjW = w - (2 * W - 1);
  const y = convTranspose2d(x.reshape([N * C, 1, H, W]), KERNEL, null, stride(adjH, adjW), 'pyramidUp');
  return div(y, borderMass(H, W, adjH, adjW)).reshape([N, C, h, w]);
}
