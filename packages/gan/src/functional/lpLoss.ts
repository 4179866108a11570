import { abs, formatShape, pow, ShapeError, type Tensor } from '@eole/core';

/** Throws a ShapeError naming `op` unless `pred` and `target` are non-empty tensors of one shape. */
export function checkPair(op: string, pred: Tensor, target: Tensor, minDims = 1): void {
  const shape = (t: unknown): string => (t && typeof t === 'object' && 'shape' in t ? formatShape((t as Tensor).shape) : String(t));
  if (!pred?.shape || !target?.shape) throw new ShapeError(op, `pred and target must be tensors, got ${shape(pred)} and ${shape(target)}`);
  if (pred.ndim < minDims || pred.size === 0) throw new ShapeError(op, `pred must have at least ${minDims} dimensions and some elements, got ${formatShape(pred.shape)}`);
  if (pred.shape.length !== target.shape.length || pred.shape.some((d, i) => d !== target.shape[i])) {
    throw new ShapeError(op, `pred and target must have the same shape, got pred ${formatShape(pred.shape)} and target ${formatShape(target.shape)}`);
  }
}

/**
 * The ℓp reconstruction loss of video prediction (Mathieu, Couprie & LeCun, "Deep multi-scale
 * video prediction beyond mean square error", ICLR 2016, eq. 1), averaged over the elements:
 *
 *   L_p(Ŷ, Y) = mean |Ŷ − Y|^p,
 *
 * p = 2 the mean squared error that makes blurry predictions, p = 1 the absolute error (a median
 * rather than a mean of the possible futures). Any p > 0; the gradient of p ≤ 1 at Ŷ = Y is 0.
 *
 * @example
 * lpLoss(Tensor.from([0, 1]), Tensor.from([1, 1]), 1).item(); // 0.5
 * lpLoss(pred, target).item();                                  // the mean squared error
 */
export function lpLoss(pred: Tensor, target: Tensor, p = 2): Tensor {
  checkPair('lpLoss', pred, target);
  if (!(p > 0) || !Number.isFinite(p)) throw new RangeError(`lpLoss: p must be a positive finite number, got ${String(p)}`);
  const d = pred.sub(target);
  if (p === 2) return d.mul(d).mean();
  const a = abs(d);
  return (p === 1 ? a : pow(a, p)).mean();
}
