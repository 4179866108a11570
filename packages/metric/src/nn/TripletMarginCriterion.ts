import { Criterion, formatShape, ShapeError, Tensor } from '@eole/core';
import { branchesOf, checkNumber } from '../validation/check.js';
import { pairwiseDistance } from '../functional/distance.js';
import { backwardBranches, stackBranches, type SeparateBranches } from './branches.js';

const NAMES = ['anchor', 'positive', 'negative'] as const;

/** Options of {@link TripletMarginCriterion}. */
export interface TripletMarginOptions {
  /** Added to each difference inside the norm, as PyTorch (default 1e-6). */
  eps?: number;
  /** Use min(d(a, n), d(p, n)) as the negative distance (Balntas et al. 2016; default false). */
  swap?: boolean;
  /** Mean over the triplets (default true), else the sum. */
  sizeAverage?: boolean;
}

/** The stand-in target when none is given. */
const NO_TARGET = Tensor.zeros([0]);

/**
 * The triplet loss of FaceNet (Schroff, Kalenichenko & Philbin, "FaceNet: a unified embedding for
 * face recognition and clustering", CVPR 2015) with PyTorch's `nn.TripletMarginLoss` semantics: on
 * embeddings [3, N, D] (anchor, positive, negative stacked on dimension 0, as a three-branch
 * {@link Siamese} outputs them),
 *
 *   L = (1/N) Σᵢ max(0, d(aᵢ, pᵢ) − d(aᵢ, nᵢ) + margin),   d(x, y) = ‖x − y + ε‖_p
 *
 * (not squared, unlike FaceNet's paper; the same distance as {@link PairwiseDistance}). With `swap`,
 * d(aᵢ, nᵢ) is replaced by min(d(aᵢ, nᵢ), d(pᵢ, nᵢ)). The target is ignored: `forward(input)` and
 * `backward(input)` may omit it (an empty tensor stands in), and any tensor passed is accepted, so
 * core's `train` can hand it the batch's `y`.
 *
 * PyTorch's form works too: `forward(anchor, positive, negative)` with three [N, D] tensors, as
 * `nn.TripletMarginLoss()(anchor, positive, negative)`; `backward(anchor, positive, negative)`
 * returns their three gradients, and `loss.backward()` reaches them. It equals the stacked form on
 * the three stacked as [3, N, D].
 *
 * @example
 * const crit = new TripletMarginCriterion(0.2);
 * const loss = crit.forward(siamese.forward(triplets)); // triplets [3, N, ...] → loss []
 * loss.backward();
 * crit.forward(anchor, positive, negative);             // PyTorch form: [N, D] each
 */
export class TripletMarginCriterion extends Criterion {
  readonly eps: number;
  readonly swap: boolean;
  readonly sizeAverage: boolean;

  constructor(
    readonly margin = 1,
    readonly p = 2,
    options: TripletMarginOptions = {},
  ) {
    super();
    checkNumber('TripletMarginCriterion', 'margin', margin);
    checkNumber('TripletMarginCriterion', 'p', p, { min: 0, allowInfinity: true });
    this.eps = checkNumber('TripletMarginCriterion', 'eps', options.eps ?? 1e-6, { min: 0, inclusive: true });
    this.swap = options.swap ?? false;
    this.sizeAverage = options.sizeAverage ?? true;
  }

  private separate: SeparateBranches | null = null;

  /** The loss on input [3, N, D] (anchor, positive, negative stacked); `target` is ignored (see the class comment). */
  override forward(input: Tensor, target?: Tensor): Tensor;
  /** The loss on anchor, positive and negative, [N, D] each (PyTorch's form). */
  override forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor;
  override forward(input: Tensor, second: Tensor = NO_TARGET, negative?: Tensor): Tensor {
    if (negative === undefined) {
      this.separate = null;
      return super.forward(input, second);
    }
    const branches = stackBranches(this.typeName(), NAMES, [input, second, negative]);
    const loss = super.forward(branches.stacked, NO_TARGET);
    this.separate = branches;
    return loss;
  }

  /** ∂L/∂input [3, N, D] for the last stacked forward; `target` is ignored. */
  override backward(input: Tensor, target?: Tensor): Tensor;
  /** [∂L/∂anchor, ∂L/∂positive, ∂L/∂negative] after `forward(anchor, positive, negative)`. */
  override backward(anchor: Tensor, positive: Tensor, negative: Tensor): [Tensor, Tensor, Tensor];
  override backward(input: Tensor, second: Tensor = NO_TARGET, negative?: Tensor): Tensor | [Tensor, Tensor, Tensor] {
    if (negative === undefined) return super.backward(input, second);
    return backwardBranches(this.typeName(), this.separate, NAMES, [input, second, negative], (stacked) => super.backward(stacked, NO_TARGET)) as [Tensor, Tensor, Tensor];
  }

  protected updateOutput(input: Tensor): Tensor {
    const [a, pos, neg] = branchesOf(this.typeName(), input, 3) as [Tensor, Tensor, Tensor];
    const n = a.shape[0]!;
    if (n === 0) throw new ShapeError(this.typeName(), `input must hold at least one triplet, got ${formatShape(input.shape)}`);
    const dPos = pairwiseDistance(a, pos, this.p, this.eps);
    let dNeg = pairwiseDistance(a, neg, this.p, this.eps);
    if (this.swap) {
      // min(u, v) = u − relu(u − v)
      const dSwap = pairwiseDistance(pos, neg, this.p, this.eps);
      dNeg = dNeg.sub(dNeg.sub(dSwap).relu());
    }
    const total = dPos.sub(dNeg).add(this.margin).relu().sum();
    return this.sizeAverage ? total.mul(1 / Math.max(n, 1)) : total;
  }

  override toString(): string {
    return `${this.typeName()}(margin=${this.margin}, p=${this.p})`;
  }
}
