import { Criterion, formatShape, ShapeError, Tensor } from '@eole/core';
import { checkNumber } from '../validation/check.js';

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
 * @example
 * const crit = new ContrastiveCriterion(1);
 * crit.forward(Tensor.from([0.5, 0.2]), Tensor.from([0, 1])).item(); // (½·0.25 + ½·0.64) / 2 = 0.2225
 * crit.backward(d, y);                                                  // ∂L/∂D
 */
export class ContrastiveCriterion extends Criterion {
  constructor(
    readonly margin = 1,
    readonly sizeAverage = true,
  ) {
    super();
    checkNumber('ContrastiveCriterion', 'margin', margin, { min: 0 });
  }

  protected updateOutput(input: Tensor, target: Tensor): Tensor {
    const op = this.typeName();
    const squeeze = (s: readonly number[]): number[] => s.filter((d) => d !== 1);
    const n = input.size;
    if (n === 0 || squeeze(input.shape).length > 1) throw new ShapeError(op, `input (the distances D) must be [N] with N >= 1, got ${formatShape(input.shape)}`);
    if (target.size !== n || squeeze(target.shape).length > 1) {
      throw new ShapeError(op, `target (Y, 1 = dissimilar) must be [${n}] like input, got ${formatShape(target.shape)}`);
    }
    const bad = target.data.findIndex((v) => v !== 0 && v !== 1);
    if (bad >= 0) throw new RangeError(`${op}: target must hold 0 (similar) or 1 (dissimilar), got ${target.data[bad]} at position ${bad}`);
    const d = input.reshape([n]);
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
