import { Criterion } from './Criterion.js';
import type { Tensor } from '../tensor/Tensor.js';
import { fmt, ShapeError } from '../tensor/shape.js';
import { checkLabelSmoothing, ClassNLLCriterion, isDistribution, type ClassNLLOptions } from './ClassNLLCriterion.js';
import { LogSoftMax } from './LogSoftMax.js';

/**
 * Torch7's `nn.CrossEntropyCriterion` (PyTorch's `CrossEntropyLoss`): {@link LogSoftMax} then
 * {@link ClassNLLCriterion} on raw scores x [N, C] (or [C]) and 0-based class indices y [N]:
 * L = (1/N) Σₙ (log Σ_c exp(x[n, c]) − x[n, yₙ]). ∂L/∂x = (softmax(x) − onehot(y)) / N.
 * The target may instead be class probabilities q [N, C], and `labelSmoothing` ε replaces the
 * target by (1 − ε)·q + ε/C (Szegedy et al., CVPR 2016): ∂L/∂x = (softmax(x) − (1 − ε)·q − ε/C) / N
 * (see {@link ClassNLLCriterion}).
 *
 * @example
 * const loss = new CrossEntropyCriterion().forward(net.forward(x), labels); // net ends in Linear
 * const smoothed = new CrossEntropyCriterion({ labelSmoothing: 0.1 }).forward(net.forward(x), labels);
 */
export class CrossEntropyCriterion extends Criterion {
  /** The two stages, as Torch7 keeps them (`lsm`, `nll`). */
  readonly lsm = new LogSoftMax();
  readonly nll: ClassNLLCriterion;

  readonly sizeAverage: boolean;
  readonly labelSmoothing: number;

  /** @param options `sizeAverage` (Torch7's positional boolean) or {@link ClassNLLOptions}. */
  constructor(options: boolean | ClassNLLOptions = true) {
    super();
    const o = typeof options === 'boolean' ? { sizeAverage: options } : options;
    this.sizeAverage = o.sizeAverage ?? true;
    this.labelSmoothing = checkLabelSmoothing(this.typeName(), o.labelSmoothing);
    this.nll = new ClassNLLCriterion({ sizeAverage: this.sizeAverage, labelSmoothing: this.labelSmoothing });
  }

  protected updateOutput(input: Tensor, target: Tensor): Tensor {
    if (input.ndim !== 1 && input.ndim !== 2) throw new ShapeError(this.typeName(), `input must be [C] or [N, C] scores, got ${fmt(input.shape)}`);
    const n = input.ndim === 1 ? 1 : input.shape[0]!;
    if (!isDistribution(input, target) && target.size !== n) throw new ShapeError(this.typeName(), `target shape ${fmt(target.shape)} does not match input shape ${fmt(input.shape)}: expected ${n} class indices`);
    return this.nll.forward(this.lsm.forward(input), target);
  }

  override toString(): string {
    return this.labelSmoothing > 0 ? `${this.typeName()}(labelSmoothing ${this.labelSmoothing})` : this.typeName();
  }
}
