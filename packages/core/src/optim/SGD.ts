import type { Tensor } from '../tensor/Tensor.js';
import { checkNonNegative, Optimizer, type OptionValue } from './Optimizer.js';
import { sgdBuffer, sgdBufferInit, sgdMomentumStep, sgdNesterovStep, sgdPlain } from './updateKernels.js';

/** Options of {@link SGD}; the names and defaults of `torch.optim.SGD`. */
export interface SGDOptions {
  /** Learning rate η (required). */
  lr: number;
  /** Momentum factor μ (default 0: plain SGD). */
  momentum?: number;
  /** Dampening τ of the momentum (default 0). */
  dampening?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent with momentum, Nesterov momentum and weight decay, with exactly
 * `torch.optim.SGD`'s update. For each parameter θ with gradient g:
 *
 *   d = g + λ·θ
 *   b = d on the first step, else b = μ·b + (1 − τ)·d        (when μ ≠ 0)
 *   d = d + μ·b (Nesterov) or d = b                             (when μ ≠ 0)
 *   θ ← θ − η·d
 *
 * Robbins & Monro, "A Stochastic Approximation Method" (1951); momentum: Polyak (1964);
 * Nesterov momentum as in Sutskever, Martens, Dahl & Hinton, "On the importance of initialization
 * and momentum in deep learning" (ICML 2013).
 *
 * @example
 * const opt = new SGD(net.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
 * opt.zeroGrad(); criterion.forward(net.forward(x), y).backward(); opt.step();
 */
export class SGD extends Optimizer {
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;

  constructor(params: Iterable<Tensor>, options: SGDOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('SGD: options must be an object such as { lr: 0.1 }');
    super('SGD', params, options.lr);
    const o = checkSGDOptions('SGD', options);
    this.momentum = o.momentum;
    this.dampening = o.dampening;
    this.nesterov = o.nesterov;
    this.weightDecay = o.weightDecay;
  }

  step(): void {
    const { lr, momentum, dampening, nesterov, weightDecay: wd } = this;
    this.params.forEach((p, i) => {
      if (!p.grad) return;
      const g = p.grad.data;
      if (momentum === 0) {
        p.data.set(sgdPlain(p.data, g, lr, wd));
        return;
      }
      const state = this.state[i]!;
      const previous = state['momentumBuffer'];
      const buf = previous instanceof Float32Array ? sgdBuffer(p.data, g, previous, momentum, dampening, wd) : sgdBufferInit(p.data, g, wd);
      const next = nesterov ? sgdNesterovStep(p.data, g, buf, lr, momentum, wd) : sgdMomentumStep(p.data, buf, lr);
      state['momentumBuffer'] = buf;
      p.data.set(next);
    });
  }

  protected options(): Record<string, OptionValue> {
    return { momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov, weightDecay: this.weightDecay };
  }

  protected setOptions(options: Record<string, unknown>): void {
    const o = checkSGDOptions('SGD.loadStateDict', { lr: this.lr, ...options } as SGDOptions);
    this.momentum = o.momentum;
    this.dampening = o.dampening;
    this.nesterov = o.nesterov;
    this.weightDecay = o.weightDecay;
  }
}

function checkSGDOptions(where: string, options: SGDOptions): Required<Omit<SGDOptions, 'lr'>> {
  const { momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 } = options;
  checkNonNegative(where, 'momentum', momentum);
  checkNonNegative(where, 'dampening', dampening);
  checkNonNegative(where, 'weightDecay', weightDecay);
  if (typeof nesterov !== 'boolean') throw new TypeError(`${where}: nesterov must be a boolean, got ${typeof nesterov}`);
  if (nesterov && (momentum <= 0 || dampening !== 0)) {
    throw new RangeError(`${where}: Nesterov momentum requires momentum > 0 and dampening 0, got momentum ${momentum} and dampening ${dampening}`);
  }
  return { momentum, dampening, nesterov, weightDecay };
}
