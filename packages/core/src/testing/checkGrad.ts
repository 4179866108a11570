import type { ExecutionContext } from 'ava';
import { gradcheck, type GradcheckOptions, type Tensor } from '../index.js';

/**
 * Asserts that the autograd gradient of `fn` with respect to every input that requires grad
 * matches central finite differences ({@link gradcheck}: L = Σ fn(x)·R for a fixed random R,
 * ∂L/∂xᵢ ≈ (L(x + εeᵢ) − L(x − εeᵢ)) / 2ε). The message names the worst entry.
 *
 * @example
 * const x = Tensor.randn([2, 6, 5], rng).requiresGrad_();
 * checkGrad(t, 'PairwiseDistance', (xi) => new PairwiseDistance().forward(xi!), [x]);
 */
export function checkGrad(t: ExecutionContext, what: string, fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], options?: GradcheckOptions): void {
  const r = gradcheck(fn, inputs, options);
  t.true(r.ok, `gradcheck of ${what}: worst ${JSON.stringify(r.worst)} (max error ${r.maxError})`);
}
