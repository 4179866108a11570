import type { Tensor } from '../tensor/Tensor.js';
import { checkNonNegative, Optimizer, type OptionValue } from './Optimizer.js';
import { adamExpAvg, adamExpAvgSq, adamStep } from './updateKernels.js';

/** Options of {@link Adam}; the names and defaults of `torch.optim.Adam`. */
export interface AdamOptions {
  /** Learning rate η (default 1e-3). */
  lr?: number;
  /** Decay rates (β₁, β₂) of the moment estimates (default [0.9, 0.999]). */
  betas?: [number, number];
  /** ε added to the denominator (default 1e-8). */
  eps?: number;
  /** L2 penalty λ added to the gradient (default 0; this is Adam's, not AdamW's decoupled decay). */
  weightDecay?: number;
}

/**
 * Adam with bias correction, with `torch.optim.Adam`'s update (amsgrad off). At step t, for each
 * parameter θ with gradient g:
 *
 *   d = g + λ·θ
 *   m = β₁·m + (1 − β₁)·d,     v = β₂·v + (1 − β₂)·d²
 *   θ ← θ − (η / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε)
 *
 * Kingma & Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015). The step counter t is
 * kept per parameter, as PyTorch does.
 *
 * @example
 * const opt = new Adam(net.parameters(), { lr: 1e-3 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export class Adam extends Optimizer {
  betas: [number, number];
  eps: number;
  weightDecay: number;

  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError('Adam: options must be an object such as { lr: 1e-3 }');
    super('Adam', params, options.lr ?? 1e-3);
    const o = checkAdamOptions('Adam', options);
    this.betas = o.betas;
    this.eps = o.eps;
    this.weightDecay = o.weightDecay;
  }

  step(): void {
    const [beta1, beta2] = this.betas;
    this.params.forEach((p, i) => {
      if (!p.grad) return;
      const g = p.grad.data;
      const state = this.state[i]!;
      const t = (typeof state['step'] === 'number' ? state['step'] : 0) + 1;
      const m0 = state['expAvg'] instanceof Float32Array ? state['expAvg'] : new Float32Array(p.size);
      const v0 = state['expAvgSq'] instanceof Float32Array ? state['expAvgSq'] : new Float32Array(p.size);
      const m = adamExpAvg(p.data, g, m0, beta1, this.weightDecay);
      const v = adamExpAvgSq(p.data, g, v0, beta2, this.weightDecay);
      const stepSize = this.lr / (1 - beta1 ** t);
      const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
      p.data.set(adamStep(p.data, m, v, stepSize, bc2Sqrt, this.eps));
      state['step'] = t;
      state['expAvg'] = m;
      state['expAvgSq'] = v;
    });
  }

  protected options(): Record<string, OptionValue> {
    return { betas: [...this.betas], eps: this.eps, weightDecay: this.weightDecay };
  }

  protected setOptions(options: Record<string, unknown>): void {
    const o = checkAdamOptions('Adam.loadStateDict', options as AdamOptions);
    this.betas = o.betas;
    this.eps = o.eps;
    this.weightDecay = o.weightDecay;
  }
}

function checkAdamOptions(where: string, options: AdamOptions): { betas: [number, number]; eps: number; weightDecay: number } {
  const { betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0 } = options;
  if (!Array.isArray(betas) || betas.length !== 2) throw new TypeError(`${where}: betas must be a pair [beta1, beta2], got ${JSON.stringify(betas)}`);
  betas.forEach((b, k) => {
    if (typeof b !== 'number' || !(b >= 0 && b < 1)) throw new RangeError(`${where}: betas[${k}] must be in [0, 1), got ${String(b)}`);
  });
  checkNonNegative(where, 'eps', eps);
  checkNonNegative(where, 'weightDecay', weightDecay);
  return { betas: [betas[0], betas[1]], eps, weightDecay };
}
