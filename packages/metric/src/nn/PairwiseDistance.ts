import type { Tensor } from '@eole/core';
import { PairModule } from './PairModule.js';
import { branchesOf, checkNumber } from '../validation/check.js';
import { pairwiseDistance } from '../functional/distance.js';

/**
 * The p-norm distance between the two branches of a pair, PyTorch's `nn.PairwiseDistance`
 * semantics: input [2, N, D] (x1 and x2 stacked on dimension 0, as {@link Siamese} outputs them),
 * output [N] with
 *
 *   dᵢ = ‖x1ᵢ − x2ᵢ + ε‖_p = (Σⱼ |x1ᵢⱼ − x2ᵢⱼ + ε|ᵖ)^(1/p)      (p = Infinity: maxⱼ |·|).
 *
 * As in PyTorch, ε is added to the difference (not to the norm), so the gradient stays finite when
 * the two rows coincide; Torch7's `nn.PairwiseDistance(p)` had no ε. This is the energy
 * E_W = ‖G_W(x1) − G_W(x2)‖ of the Siamese architecture of Chopra, Hadsell & LeCun, "Learning a
 * similarity metric discriminatively, with application to face verification" (CVPR 2005), and the
 * D_W that the DrLIM loss ({@link ContrastiveCriterion}) takes.
 *
 * PyTorch's separate form works too ({@link PairModule}): `forward(x1, x2)` with x1 and x2 [N, D]
 * each, and `backward(x1, x2, gradOutput)` → [∂L/∂x1, ∂L/∂x2].
 *
 * @example
 * const dist = new PairwiseDistance();                    // p = 2, ε = 1e-6
 * dist.forward(siamese.forward(pairs)).shape;             // [N]
 * criterion.forward(dist.output!, similarity);            // DrLIM loss
 * dist.forward(x1, x2);                                   // PyTorch: nn.PairwiseDistance()(x1, x2)
 */
export class PairwiseDistance extends PairModule {
  constructor(
    readonly p = 2,
    readonly eps = 1e-6,
  ) {
    super();
    checkNumber('PairwiseDistance', 'p', p, { min: 0, allowInfinity: true });
    checkNumber('PairwiseDistance', 'eps', eps, { min: 0, inclusive: true });
  }

  protected updateOutput(input: Tensor): Tensor {
    const [x1, x2] = branchesOf(this.typeName(), input, 2) as [Tensor, Tensor];
    return pairwiseDistance(x1, x2, this.p, this.eps);
  }

  override toString(): string {
    return `${this.typeName()}(p=${this.p})`;
  }
}
