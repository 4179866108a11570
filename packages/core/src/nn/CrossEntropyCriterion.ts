import { Criterion } from './Criterion.js';
import type { Tensor } from '../tensor/Tensor.js';
import { fmt, ShapeError } from '../tensor/shape.js';
import { ClassNLLCriterion } from './ClassNLLCriterion.js';
import { LogSoftMax } from './LogSoftMax.js';

/**
 * Torch7's `nn.CrossEntropyCriterion` (PyTorch's `CrossEntropyLoss`): {@link LogSoftMax} then
 * {@link ClassNLLCriterion} on raw scores x [N, C] (or [C]) and 0-based class indices y [N]:
 * L = (1/N) Σₙ (log Σ_c exp(x[n, c]) − x[n, yₙ]). ∂L/∂x = (softmax(x) − onehot(y)) / N.
 *
 * @example
 * const loss = new CrossEntropyCriterion().forward(net.forward(x), labels); // net ends in Linear
 */
export class CrossEntropyCriterion extends Criterion {
  /** The two stages, as Torch7 keeps them (`lsm`, `nll`). */
  readonly lsm = new LogSoftMax();
  readonly nll: ClassNLLCriterion;

  constructor(readonly sizeAverage = true) {
    super();
    this.nll = new ClassNLLCriterion(sizeAverage);
  }

  protected updateOutput(input: Tensor, target: Tensor): Tensor {
    if (input.ndim !== 1 && input.ndim !== 2) throw new ShapeError(this.typeName(), `input must be [C] or [N, C] scores, got ${fmt(input.shape)}`);
    const n = input.ndim === 1 ? 1 : input.shape[0]!;
    if (target.size !== n) throw new ShapeError(this.typeName(), `target shape ${fmt(target.shape)} does not match input shape ${fmt(input.shape)}: expected ${n} class indices`);
    return this.nll.forward(this.lsm.forward(input), target);
  }
}
