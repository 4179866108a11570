import { abs, narrow, pow, type Tensor } from '@eole/core';
import { checkPair } from './lpLoss.js';

/** |x[…, 1:, :] − x[…, :−1, :]| (axis H) or the same along W: the absolute finite differences. */
function absDiff(x: Tensor, axis: number): Tensor {
  const n = x.shape[axis]!;
  return abs(narrow(x, axis, 1, n - 1).sub(narrow(x, axis, 0, n - 1)));
}

/**
 * The gradient difference loss (GDL) of Mathieu, Couprie & LeCun, "Deep multi-scale video
 * prediction beyond mean square error" (ICLR 2016, eq. 5): it penalises the difference between
 * the image gradients of the prediction Ŷ and of the truth Y, which sharpens what ℓ2 blurs,
 *
 *   L_gdl(Ŷ, Y) = Σ_{i,j} | |Y_{i,j} − Y_{i−1,j}| − |Ŷ_{i,j} − Ŷ_{i−1,j}| |^α
 *               + | |Y_{i,j−1} − Y_{i,j}| − |Ŷ_{i,j−1} − Ŷ_{i,j}| |^α,
 *
 * here as the mean over the vertical differences plus the mean over the horizontal ones (so its
 * scale does not grow with the image; the paper sums), with α = 1 by default. pred and target are
 * [N, C, H, W] (or any shape with H, W last, H, W ≥ 2). Composed from narrow, abs and pow.
 *
 * @example
 * gradientDifferenceLoss(pred, target).item();    // 0 when pred's edges match target's
 * gradientDifferenceLoss(pred, target, 2).item();  // α = 2
 */
export function gradientDifferenceLoss(pred: Tensor, target: Tensor, alpha = 1): Tensor {
  checkPair('gradientDifferenceLoss', pred, target, 2);
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new RangeError(`gradientDifferenceLoss: alpha must be a positive finite number, got ${String(alpha)}`);
  const h = pred.ndim - 2;
  const w = pred.ndim - 1;
  if (pred.shape[h]! < 2 || pred.shape[w]! < 2) throw new RangeError(`gradientDifferenceLoss: H and W must be at least 2, got ${pred.shape[h]}×${pred.shape[w]}`);
  const term = (axis: number): Tensor => {
    const e = abs(absDiff(target, axis).sub(absDiff(pred, axis)));
    return (alpha === 1 ? e : pow(e, alpha)).mean();
  };
  return term(h).add(term(w));
}
