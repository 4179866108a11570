import { formatShape, ShapeError, threshold, type Tensor } from '@eole/core';
import { checkNumber } from '../validation/check.js';

function checkPair(op: string, x1: Tensor, x2: Tensor): void {
  if (x1.ndim !== 2 || x2.ndim !== 2 || x1.shape[0] !== x2.shape[0] || x1.shape[1] !== x2.shape[1]) {
    throw new ShapeError(op, `x1 and x2 must both be [N, D], got ${formatShape(x1.shape)} and ${formatShape(x2.shape)}`);
  }
}

/**
 * The p-norm distance between the rows of x1 and x2 ([N, D] each), as PyTorch's
 * `torch.nn.functional.pairwise_distance`: dᵢ = ‖x1ᵢ − x2ᵢ + ε‖_p = (Σⱼ |x1ᵢⱼ − x2ᵢⱼ + ε|ᵖ)^(1/p),
 * for p > 0 or p = Infinity (maxⱼ |x1ᵢⱼ − x2ᵢⱼ + ε|). The ε keeps the gradient of the norm finite
 * when two rows coincide. Differentiable in both arguments (composed from core ops). Result [N].
 *
 * @example
 * pairwiseDistance(Tensor.from([0, 0], [1, 2]), Tensor.from([3, 4], [1, 2]), 2, 0).item(); // 5
 */
export function pairwiseDistance(x1: Tensor, x2: Tensor, p = 2, eps = 1e-6): Tensor {
  checkPair('pairwiseDistance', x1, x2);
  checkNumber('pairwiseDistance', 'p', p, { min: 0, allowInfinity: true });
  checkNumber('pairwiseDistance', 'eps', eps, { min: 0, inclusive: true });
  const diff = eps === 0 ? x1.sub(x2) : x1.sub(x2).add(eps);
  if (p === 2) return diff.square().sum(1).sqrt();
  if (p === 1) return diff.abs().sum(1);
  if (p === Infinity) return diff.abs().max(1);
  return diff.abs().pow(p).sum(1).pow(1 / p);
}

/**
 * The cosine similarity of the rows of x1 and x2 ([N, D] each), as PyTorch's
 * `torch.nn.functional.cosine_similarity`: cosᵢ = x1ᵢ·x2ᵢ / (max(‖x1ᵢ‖, ε)·max(‖x2ᵢ‖, ε)). Result [N].
 *
 * @example
 * cosineSimilarity(Tensor.from([1, 0], [1, 2]), Tensor.from([1, 1], [1, 2])).item(); // 0.7071
 */
export function cosineSimilarity(x1: Tensor, x2: Tensor, eps = 1e-8): Tensor {
  checkPair('cosineSimilarity', x1, x2);
  const eps2 = eps * eps;
  // max(‖x‖, ε) = √max(‖x‖², ε²): clamping before the root keeps the gradient finite for a zero row.
  const n1 = threshold(x1.square().sum(1), eps2, eps2).sqrt();
  const n2 = threshold(x2.square().sum(1), eps2, eps2).sqrt();
  return x1.mul(x2).sum(1).div(n1.mul(n2));
}
