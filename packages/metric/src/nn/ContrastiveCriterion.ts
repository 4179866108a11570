import { Criterion, formatShape, ShapeError, Tensor } from '@eole/core';
import { branchesOf, checkNumber } from '../validation/check.js';
import { pairwiseDistance } from '../functional/distance.js';
import { backwardBranches, stackBranches, type SeparateBranches } from './branches.js';

const NAMES = ['x1', 'x2'] as const;

/**
 * The contrastive loss of DrLIM (Hadsell, Chopra & LeCun, "Dimensionality reduction by learning an
 * invariant mapping", CVPR 2006, eq. 4), on distances D [N] (from {@link PairwiseDistance}) and
 * targets Y [N] with Y = 0 for a similar pair and Y = 1 for a dissimilar one:
 *
 *   L = (1/N) Σᵢ (1 − Yᵢ)·½·Dᵢ² + Yᵢ·½·max(0, m − Dᵢ)²
 *
 * (the sum when `sizeAverage` is false, as Torch7). Similar pairs are pulled together; dissimilar
 * pairs are pushed apart only while closer than the margin m. ∂L/∂Dᵢ = ((1 − Yᵢ)·Dᵢ − Yᵢ·max(0, m − Dᵢ))/N.
 * Targets other than 0 and 1 are refused ({@link randomPairs} and {@link hardPairs} produce them).
 *
 * The PyTorch-style form takes the two embeddings instead of their distances: `forward(x1, x2, y)`
 * with x1 and x2 [N, D] each and Dᵢ = ‖x1ᵢ − x2ᵢ + ε‖₂ (ε = 1e-6, the defaults of
 * `torch.nn.functional.pairwise_distance` and {@link PairwiseDistance}); `backward(x1, x2, y)`
 * returns [∂L/∂x1, ∂L/∂x2] and `loss.backward()` reaches x1 and x2. It equals
 * `forward(new PairwiseDistance().forward(stacked), y)` on x1 and x2 stacked as [2, N, D].
 *
 * @example
 * const crit = new ContrastiveCriterion(1);
 * crit.forward(Tensor.from([0.5, 0.2]), Tensor.from([0, 1])).item(); // (½·0.25 + ½·0.64) / 2 = 0.2225
 * crit.backward(d, y);                                                  // ∂L/∂D
 * crit.forward(e1, e2, y).backward();                                   // PyTorch form: embeddings [N, D]
 */
export class ContrastiveCriterion extends Criterion {
  private separate: SeparateBranches | null = null;

  constructor(
    readonly margin = 1,
    readonly sizeAverage = true,
  ) {
    super();
    checkNumber('ContrastiveCriterion', 'margin', margin, { min: 0 });
  }

  /** The loss on distances D [N] and targets Y [N] (Torch7's form). */
  override forward(input: Tensor, target: Tensor): Tensor;
  /** The loss on embeddings x1 and x2 [N, D] each and targets Y [N] (the PyTorch-style form). */
  override forward(x1: Tensor, x2: Tensor, target: Tensor): Tensor;
  override forward(input: Tensor, second: Tensor, target?: Tensor): Tensor {
    if (target === undefined) {
      this.separate = null;
      return super.forward(input, second);
    }
    const branches = stackBranches(this.typeName(), NAMES, [input, second]);
    this.separate = branches;
    return super.forward(branches.stacked, target);
  }

  /** ∂L/∂D [N] after a forward on distances. */
  override backward(input: Tensor, target: Tensor): Tensor;
  /** [∂L/∂x1, ∂L/∂x2] ([N, D] each) after `forward(x1, x2, target)`. */
  override backward(x1: Tensor, x2: Tensor, target: Tensor): [Tensor, Tensor];
  override backward(input: Tensor, second: Tensor, target?: Tensor): Tensor | [Tensor, Tensor] {
    if (target === undefined) return super.backward(input, second);
    return backwardBranches(this.typeName(), this.separate, NAMES, [input, second], (stacked) => super.backward(stacked, target)) as [Tensor, Tensor];
  }

  protected updateOutput(input: Tensor, target: Tensor): Tensor {
    const op = this.typeName();
    const squeeze = (s: readonly number[]): number[] => s.filter((d) => d !== 1);
    const embedded = this.separate !== null;
    let d: Tensor;
    if (embedded) {
      const [x1, x2] = branchesOf(op, input, 2) as [Tensor, Tensor];
      if (x1.shape[0] === 0) throw new ShapeError(op, `x1 and x2 must hold at least one pair, got ${formatShape(x1.shape)}`);
      d = pairwiseDistance(x1, x2);
    } else {
      if (input.size === 0 || squeeze(input.shape).length > 1) throw new ShapeError(op, `input (the distances D) must be [N] with N >= 1, got ${formatShape(input.shape)}`);
      d = input.reshape([input.size]);
    }
    const n = d.size;
    if (target.size !== n || squeeze(target.shape).length > 1) {
      throw new ShapeError(op, `target (Y, 1 = dissimilar) must be [${n}] like ${embedded ? 'the rows of x1' : 'input'}, got ${formatShape(target.shape)}`);
    }
    const bad = target.data.findIndex((v) => v !== 0 && v !== 1);
    if (bad >= 0) throw new RangeError(`${op}: target must hold 0 (similar) or 1 (dissimilar), got ${target.data[bad]} at position ${bad}`);
    const y = new Tensor(target.data, [n]);
    const similar = y.neg().add(1);
    const pull = similar.mul(d.square());
    const push = y.mul(d.neg().add(this.margin).relu().square());
    const total = pull.add(push).sum().mul(0.5);
    return this.sizeAverage ? total.mul(1 / Math.max(n, 1)) : total;
  }

  override toString(): string {
    return `${this.typeName()}(margin=${this.margin})`;
  }
}
