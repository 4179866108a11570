import { kernels } from '../kernels/KernelRegistry.js';

/**
 * The element-wise update kernels of the optimizers, defined through the registry. Every scalar
 * that may change between steps (learning rate, bias corrections) is a kernel argument, so a
 * schedule never recompiles a kernel; weight decay selects a variant (`d = g + wd·p` or `d = g`)
 * because PyTorch skips the term entirely when it is 0. Each returns a new Float32Array.
 */

/** The (decayed) gradient expression d for parameter p and gradient g. */
function decayed(weightDecay: boolean): string {
  return weightDecay ? '(g[i] + wd * p[i])' : 'g[i]';
}

function suffix(weightDecay: boolean): string {
  return weightDecay ? '.weightDecay' : '';
}

function run(name: string, body: string, params: string, args: (Float32Array | number)[]): Float32Array {
  const n = (args[0] as Float32Array).length;
  const k = kernels.define(name, () => `function(${params}) { const i = this.thread.x; return ${body}; }`);
  return k.run({ output: [n], args });
}

/** SGD without momentum: p − lr·d. */
export function sgdPlain(p: Float32Array, g: Float32Array, lr: number, wd: number): Float32Array {
  const w = wd !== 0;
  return run(`core.sgd.plain${suffix(w)}`, `p[i] - lr * ${decayed(w)}`, 'p, g, lr, wd', [p, g, lr, wd]);
}

/** First momentum buffer: b = d. */
export function sgdBufferInit(p: Float32Array, g: Float32Array, wd: number): Float32Array {
  const w = wd !== 0;
  return run(`core.sgd.bufferInit${suffix(w)}`, decayed(w), 'p, g, wd', [p, g, wd]);
}

/** Momentum buffer: b = μ·b + (1 − τ)·d. */
export function sgdBuffer(p: Float32Array, g: Float32Array, b: Float32Array, momentum: number, dampening: number, wd: number): Float32Array {
  const w = wd !== 0;
  return run(`core.sgd.buffer${suffix(w)}`, `mom * b[i] + (1 - damp) * ${decayed(w)}`, 'p, g, b, mom, damp, wd', [p, g, b, momentum, dampening, wd]);
}

/** Heavy-ball step: p − lr·b. */
export function sgdMomentumStep(p: Float32Array, b: Float32Array, lr: number): Float32Array {
  return run('core.sgd.momentumStep', 'p[i] - lr * b[i]', 'p, b, lr', [p, b, lr]);
}

/** Nesterov step: p − lr·(d + μ·b). */
export function sgdNesterovStep(p: Float32Array, g: Float32Array, b: Float32Array, lr: number, momentum: number, wd: number): Float32Array {
  const w = wd !== 0;
  return run(`core.sgd.nesterovStep${suffix(w)}`, `p[i] - lr * (${decayed(w)} + mom * b[i])`, 'p, g, b, lr, mom, wd', [p, g, b, lr, momentum, wd]);
}

/** Adam first moment: m = β₁·m + (1 − β₁)·d. */
export function adamExpAvg(p: Float32Array, g: Float32Array, m: Float32Array, beta1: number, wd: number): Float32Array {
  const w = wd !== 0;
  return run(`core.adam.expAvg${suffix(w)}`, `beta1 * m[i] + (1 - beta1) * ${decayed(w)}`, 'p, g, m, beta1, wd', [p, g, m, beta1, wd]);
}

/** Adam second moment: v = β₂·v + (1 − β₂)·d². */
export function adamExpAvgSq(p: Float32Array, g: Float32Array, v: Float32Array, beta2: number, wd: number): Float32Array {
  const w = wd !== 0;
  const d = decayed(w);
  return run(`core.adam.expAvgSq${suffix(w)}`, `beta2 * v[i] + (1 - beta2) * ${d} * ${d}`, 'p, g, v, beta2, wd', [p, g, v, beta2, wd]);
}

/** Adam step: p − (lr / c₁)·m / (√v / √c₂ + ε). */
export function adamStep(p: Float32Array, m: Float32Array, v: Float32Array, stepSize: number, bc2Sqrt: number, eps: number): Float32Array {
  return run('core.adam.step', 'p[i] - stepSize * m[i] / (Math.sqrt(v[i]) / bc2Sqrt + eps)', 'p, m, v, stepSize, bc2Sqrt, eps', [p, m, v, stepSize, bc2Sqrt, eps]);
}
