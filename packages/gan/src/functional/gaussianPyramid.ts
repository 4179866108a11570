import { formatShape, ShapeError, Tensor } from '@eole/core';
import { pyramidDown } from './pyramidDown.js';

/** Checks the arguments shared by the pyramid builders. */
export function checkPyramidInput(op: string, x: Tensor, levels: number): void {
  if (!(x instanceof Tensor) || x.ndim !== 4) throw new ShapeError(op, `expected x [N, C, H, W], got ${x instanceof Tensor ? formatShape(x.shape) : String(x)}`);
  if (!Number.isInteger(levels) || levels < 1) throw new RangeError(`${op}: levels must be a positive integer, got ${String(levels)}`);
  let [h, w] = x.shape.slice(2) as [number, number];
  for (let k = 1; k < levels; k++) {
    if (h < 2 || w < 2) throw new RangeError(`${op}: x ${formatShape(x.shape)} is ${h}×${w} at level ${k - 1}, too small for ${levels} levels`);
    [h, w] = [Math.ceil(h / 2), Math.ceil(w / 2)];
  }
}

/**
 * The Gaussian pyramid of x [N, C, H, W]: I_0 = x, I_{k+1} = d(I_k) with d the binomial blur and
 * stride 2 of {@link pyramidDown}, `levels` images from the finest to the coarsest (Burt &
 * Adelson 1983; LAPGAN, Denton, Chintala, Szlam & Fergus, NIPS 2015). Differentiable.
 *
 * @example
 * const [i0, i1, i2] = gaussianPyramid(digits, 3); // [N, 1, 28, 28], [N, 1, 14, 14], [N, 1, 7, 7]
 * i0 === digits;                                    // true: level 0 is x itself
 * gaussianPyramid(digits, 1).length;                // 1
 */
export function gaussianPyramid(x: Tensor, levels: number): Tensor[] {
  checkPyramidInput('gaussianPyramid', x, levels);
  const out = [x];
  for (let k = 1; k < levels; k++) out.push(pyramidDown(out[k - 1]!));
  return out;
}
