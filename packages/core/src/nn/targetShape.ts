import type { Tensor } from '../tensor/Tensor.js';
import { fmt, ShapeError } from '../tensor/shape.js';

/**
 * The target viewed with the input's shape, for criteria that compare the two elementwise. The
 * shapes must be equal once their size-1 dimensions are dropped ([N, 1] and [N] agree; [2, 3] and
 * [3, 2] do not), otherwise a {@link ShapeError} names the criterion and both shapes.
 */
export function targetLike(criterion: string, input: Tensor, target: Tensor): Tensor {
  const squeeze = (s: readonly number[]): number[] => s.filter((d) => d !== 1);
  const a = squeeze(input.shape);
  const b = squeeze(target.shape);
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new ShapeError(criterion, `target shape ${fmt(target.shape)} does not match input shape ${fmt(input.shape)}`);
  }
  return target.reshape(input.shape);
}
