import { Criterion } from './Criterion.js';
import type { Tensor } from '../tensor/Tensor.js';
import { fmt, ShapeError } from '../tensor/shape.js';

/** Options of {@link ClassNLLCriterion} (and {@link CrossEntropyCriterion}). */
export interface ClassNLLOptions {
  /** Average over the N samples (default); `false` sums. */
  sizeAverage?: boolean;
  /**
   * Label smoothing ε ∈ [0, 1) (PyTorch's `label_smoothing`): the target distribution becomes
   * (1 − ε)·q + ε/C, q the one-hot target (or the given distribution). Default 0.
   */
  labelSmoothing?: number;
}

/**
 * Negative log-likelihood of the target classes: L = −(1/N) Σₙ x[n, yₙ] for log-probabilities
 * x [N, C] (from {@link LogSoftMax}) and 0-based class indices y [N] (PyTorch's convention; Torch7
 * counted from 1). `sizeAverage: false` sums instead of averaging.
 *
 * The target may also be a distribution over the classes, q [N, C] (the shape of the input; each
 * row summing to 1, as PyTorch's `CrossEntropyLoss` accepts class probabilities): L = −(1/N)
 * Σₙ Σ_c q[n, c]·x[n, c], the cross-entropy of the model from q; mixup's mixed one-hot targets
 * (Zhang et al., "mixup: Beyond empirical risk minimization", ICLR 2018) are such rows.
 *
 * With label smoothing ε (Szegedy et al., "Rethinking the Inception architecture for computer
 * vision", CVPR 2016, §7) the target q becomes (1 − ε)·q + ε/C:
 * L = (1/N) Σₙ [(1 − ε)·(−Σ_c q[n, c]·x[n, c]) − (ε/C)·Σ_c x[n, c]], so the model is pulled
 * towards a posterior of 1 − ε + ε/C on the target rather than 1; ∂L/∂x[n, c] = −((1 − ε)·q[n, c] + ε/C)/N.
 *
 * @example
 * const loss = new ClassNLLCriterion().forward(logp, Tensor.from([3, 1]));
 * const smoothed = new ClassNLLCriterion({ labelSmoothing: 0.1 }).forward(logp, Tensor.from([3, 1]));
 * const mixed = new ClassNLLCriterion().forward(logp, Tensor.from([0.7, 0.3, 0, 0, 0.6, 0.4], [2, 3]));
 */
export class ClassNLLCriterion extends Criterion {
  readonly sizeAverage: boolean;
  readonly labelSmoothing: number;

  /** @param options `sizeAverage` (Torch7's positional boolean) or {@link ClassNLLOptions}. */
  constructor(options: boolean | ClassNLLOptions = true) {
    super();
    const o = typeof options === 'boolean' ? { sizeAverage: options } : options;
    this.sizeAverage = o.sizeAverage ?? true;
    this.labelSmoothing = checkLabelSmoothing(this.typeName(), o.labelSmoothing);
  }

  protected updateOutput(input: Tensor, target: Tensor): Tensor {
    const x = input.ndim === 1 ? input.reshape([1, input.size]) : input;
    if (x.ndim !== 2) throw new ShapeError(this.typeName(), `input must be [C] or [N, C] log-probabilities, got ${fmt(input.shape)}`);
    const n = x.shape[0]!;
    const c = x.shape[1]!;
    let total: Tensor;
    if (isDistribution(input, target)) {
      // −Σ q·x over the batch; the target is data (detached)
      total = x.mul(target.detach().reshape([n, c])).sum().neg();
    } else {
      if (target.size !== n) throw new ShapeError(this.typeName(), `target must hold ${n} class indices (or be a distribution over the classes, ${fmt(input.shape)}) for input ${fmt(input.shape)}, got shape ${fmt(target.shape)}`);
      total = x.gather(1, target.reshape([n, 1])).sum().neg();
    }
    const eps = this.labelSmoothing;
    if (eps > 0) total = total.mul(1 - eps).sub(x.sum().mul(eps / c));
    return this.sizeAverage ? total.mul(1 / n) : total;
  }

  override toString(): string {
    return this.labelSmoothing > 0 ? `${this.typeName()}(labelSmoothing ${this.labelSmoothing})` : this.typeName();
  }
}

/** A target of the input's shape with more than one class is a distribution over the classes, not indices (also {@link CrossEntropyCriterion}'s rule). */
export function isDistribution(input: Tensor, target: Tensor): boolean {
  const c = input.shape[input.ndim - 1]!;
  return c > 1 && target.ndim === input.ndim && target.size === input.size;
}

/** `labelSmoothing`, checked: a number in [0, 1) (0 when absent). */
export function checkLabelSmoothing(owner: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) throw new RangeError(`${owner}: labelSmoothing must be a number in [0, 1), got ${String(value)}`);
  return value;
}
