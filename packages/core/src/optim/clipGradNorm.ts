import { noGrad } from '../autograd/gradMode.js';
import { Tensor } from '../tensor/Tensor.js';

/**
 * Rescales gradients in place so that their joint norm is at most `maxNorm`, as
 * `torch.nn.utils.clip_grad_norm_`: with the total norm ‖g‖ = ‖(‖g₁‖, ‖g₂‖, …)‖ₚ over every
 * parameter's gradient, each gradient is multiplied by min(1, maxNorm / (‖g‖ + 10⁻⁶)).
 * Returns the total norm before clipping. Parameters without a gradient are ignored.
 * Pascanu, Mikolov & Bengio, "On the difficulty of training recurrent neural networks" (ICML 2013).
 *
 * @example
 * loss.backward();
 * const norm = clipGradNorm(net.parameters(), 5);
 * opt.step();
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, normType = 2): number {
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm) || maxNorm < 0) throw new RangeError(`clipGradNorm: maxNorm must be a number >= 0, got ${String(maxNorm)}`);
  if (typeof normType !== 'number' || !(normType > 0)) throw new RangeError(`clipGradNorm: normType must be > 0 (or Infinity), got ${String(normType)}`);
  const grads: Tensor[] = [];
  let i = 0;
  for (const p of params) {
    if (!(p instanceof Tensor)) throw new TypeError(`clipGradNorm: params[${i}] must be a Tensor`);
    if (p.grad && p.grad.size > 0) grads.push(p.grad);
    i++;
  }
  if (grads.length === 0) return 0;
  return noGrad(() => {
    const norms = grads.map((g) => vectorNorm(g, normType));
    const total = normType === Infinity ? Math.max(...norms) : norms.reduce((s, n) => s + n ** normType, 0) ** (1 / normType);
    const coef = maxNorm / (total + 1e-6);
    if (coef < 1) for (const g of grads) g.data.set(g.mul(coef).data);
    return total;
  });
}

/** ‖g‖ₚ through the registry's kernels. */
function vectorNorm(g: Tensor, p: number): number {
  if (p === Infinity) return g.abs().max().item();
  if (p === 2) return Math.sqrt(g.mul(g).sum().item());
  if (p === 1) return g.abs().sum().item();
  return g.abs().pow(p).sum().item() ** (1 / p);
}
