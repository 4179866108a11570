import { Criterion } from './Criterion.js';
import type { Tensor } from '../tensor/Tensor.js';
import { fmt, ShapeError } from '../tensor/shape.js';

/**
 * Negative log-likelihood of the target classes: L = −(1/N) Σₙ x[n, yₙ] for log-probabilities
 * x [N, C] (from {@link LogSoftMax}) and 0-based class indices y [N] (PyTorch's convention; Torch7
 * counted from 1). `sizeAverage: false` sums instead of averaging.
 *
 * @example
 * const loss = new ClassNLLCriterion().forward(logp, Tensor.from([3, 1]));
 */
export class ClassNLLCriterion extends Criterion {
  constructor(readonly sizeAverage = true) {
    super();
  }

  protected updateOutput(input: Tensor, target: Tensor): Tensor {
    const x = input.ndim === 1 ? input.reshape([1, input.size]) : input;
    if (x.ndim !== 2) throw new ShapeError(this.typeName(), `input must be [C] or [N, C] log-probabilities, got ${fmt(input.shape)}`);
    const n = x.shape[0]!;
    if (target.size !== n) throw new ShapeError(this.typeName(), `target must hold ${n} class indices for input ${fmt(input.shape)}, got shape ${fmt(target.shape)}`);
    const picked = x.gather(1, target.reshape([n, 1]));
    const total = picked.sum().neg();
    return this.sizeAverage ? total.mul(1 / n) : total;
  }
}
