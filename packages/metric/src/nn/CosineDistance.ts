import type { Tensor } from '@eole/core';
import { PairModule } from './PairModule.js';
import { branchesOf, checkNumber } from '../validation/check.js';
import { cosineSimilarity } from '../functional/distance.js';

/**
 * The cosine distance between the two branches of a pair: input [2, N, D] (x1 and x2 stacked on
 * dimension 0), output [N] with
 *
 *   dᵢ = 1 − cos(x1ᵢ, x2ᵢ) = 1 − x1ᵢ·x2ᵢ / (max(‖x1ᵢ‖, ε)·max(‖x2ᵢ‖, ε)),   in [0, 2].
 *
 * Beware the name: Torch7's `nn.CosineDistance` returned the cosine *similarity* cos(x1, x2)
 * (PyTorch calls that `nn.CosineSimilarity`); this module returns a distance, 0 for parallel rows,
 * so it can stand where {@link PairwiseDistance} does (for example in front of a
 * {@link ContrastiveCriterion}). The ε follows PyTorch's `cosine_similarity`. The separate form
 * `forward(x1, x2)` (x1 and x2 [N, D] each) gives the same values ({@link PairModule}).
 *
 * @example
 * const d = new CosineDistance();
 * d.forward(Tensor.from([1, 0, 0, 1], [2, 1, 2])).item();             // 1 (orthogonal rows)
 * d.forward(Tensor.from([1, 0], [1, 2]), Tensor.from([0, 1], [1, 2])); // the same pair, separate
 */
export class CosineDistance extends PairModule {
  constructor(readonly eps = 1e-8) {
    super();
    checkNumber('CosineDistance', 'eps', eps, { min: 0 });
  }

  protected updateOutput(input: Tensor): Tensor {
    const [x1, x2] = branchesOf(this.typeName(), input, 2) as [Tensor, Tensor];
    return cosineSimilarity(x1, x2, this.eps).neg().add(1);
  }
}
