import { kernels, ShapeError, Tensor, variant, type Kernel } from '@eole/core';

const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** Per channel c of x [N, C, HW]: [mean, biased variance] (two passes, the second centred). */
const STATS = `function(x) {
  const c = this.thread.x;
  let s = 0;
  for (let n = 0; n < this.constants.N; n++) {
    const base = (n * this.constants.C + c) * this.constants.HW;
    for (let i = 0; i < this.constants.HW; i++) { s += x[base + i]; }
  }
  const mean = s / this.constants.M;
  let v = 0;
  for (let n = 0; n < this.constants.N; n++) {
    const base = (n * this.constants.C + c) * this.constants.HW;
    for (let i = 0; i < this.constants.HW; i++) { const d = x[base + i] - mean; v += d * d; }
  }
  return [mean, v / this.constants.M];
}`;

/** Per channel: [Σ g, Σ g·(x − mean)]. */
const GRAD_SUMS = `function(g, x, mean) {
  const c = this.thread.x;
  const m = mean[c];
  let sg = 0;
  let sgx = 0;
  for (let n = 0; n < this.constants.N; n++) {
    const base = (n * this.constants.C + c) * this.constants.HW;
    for (let i = 0; i < this.constants.HW; i++) { sg += g[base + i]; sgx += g[base + i] * (x[base + i] - m); }
  }
  return [sg, sgx];
}`;

/** y = x·scale[c] + shift[c], output [HW, C, N] in gpu.js order (thread.y is the channel). */
const APPLY = `function(x, scale, shift) {
  const c = this.thread.y;
  return x[(this.thread.z * this.constants.C + c) * this.constants.HW + this.thread.x] * scale[c] + shift[c];
}`;

/** ∂x = a[c]·(g − b[c] − (x − mean[c])·e[c]), output [HW, C, N]. */
const GRAD_INPUT = `function(g, x, a, b, mean, e) {
  const c = this.thread.y;
  const k = (this.thread.z * this.constants.C + c) * this.constants.HW + this.thread.x;
  return a[c] * (g[k] - b[c] - (x[k] - mean[c]) * e[c]);
}`;

const pairs = new Map<string, Kernel>();
function pairKernel(name: string, source: string): Kernel {
  let k = pairs.get(name);
  if (!k) {
    k = kernels.define(`conv.batchNorm2d.${name}`, source, 'Array(2)');
    pairs.set(name, k);
  }
  return k;
}

/** Splits an interleaved [a0, b0, a1, b1, …] kernel result into two arrays. */
function split(ab: Float32Array, n: number): [Float32Array, Float32Array] {
  const a = new Float32Array(n);
  const b = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = ab[2 * i]!;
    b[i] = ab[2 * i + 1]!;
  }
  return [a, b];
}

/** Options of {@link batchNorm2d}. */
export interface BatchNorm2dOptions {
  /** Per-channel scale γ [C], or null. */
  weight: Tensor | null;
  /** Per-channel shift β [C], or null. */
  bias: Tensor | null;
  /** Running mean [C], updated in place in training. */
  runningMean: Tensor;
  /** Running (unbiased) variance [C], updated in place in training. */
  runningVar: Tensor;
  /** Batch statistics (and running-stat updates) when true, running statistics when false. */
  training: boolean;
  momentum: number;
  eps: number;
}

/**
 * Batch normalization of x [N, C, H, W] over N, H, W per channel, as one autograd node
 * (`torch.nn.functional.batch_norm`; Ioffe & Szegedy, "Batch normalization: accelerating deep
 * network training by reducing internal covariate shift", ICML 2015):
 *
 *   y = (x − μ_c)/√(σ²_c + ε) · γ_c + β_c,
 *
 * with μ, σ² the batch mean and biased variance in training (then running ← (1 − momentum)·running
 * + momentum·batch, the variance unbiased by M/(M − 1), M = N·H·W), the running statistics
 * otherwise. Backward (training): ∂x = γ/σ̂·(g − mean(g) − x̂·mean(g·x̂)), ∂γ = Σ g·x̂, ∂β = Σ g.
 *
 * @example
 * const y = batchNorm2d(x, { weight, bias, runningMean, runningVar, training: true, momentum: 0.1, eps: 1e-5 });
 */
export function batchNorm2d(x: Tensor, o: BatchNorm2dOptions, op = 'batchNorm2d'): Tensor {
  if (x.ndim !== 4) throw new ShapeError(op, `expected input [N, C, H, W], got ${fmt(x.shape)}`);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  if (o.runningMean.size !== C) throw new ShapeError(op, `expected input [N, ${o.runningMean.size}, H, W], got ${fmt(x.shape)}`);
  const HW = H * W;
  const M = N * HW;
  const constants = { N, C, HW, M };
  let mean: Float32Array;
  let variance: Float32Array;
  if (o.training) {
    if (M < 2) throw new ShapeError(op, `expected more than 1 value per channel in training, got input ${fmt(x.shape)}`);
    [mean, variance] = split(pairKernel('stats', STATS).run({ output: [C], constants, args: [x.data], work: 2 * x.size }), C);
    const rm = o.runningMean.data;
    const rv = o.runningVar.data;
    for (let c = 0; c < C; c++) {
      rm[c] = (1 - o.momentum) * rm[c]! + o.momentum * mean[c]!;
      rv[c] = (1 - o.momentum) * rv[c]! + (o.momentum * variance[c]! * M) / (M - 1);
    }
  } else {
    mean = Float32Array.from(o.runningMean.data);
    variance = Float32Array.from(o.runningVar.data);
  }
  // Per-channel coefficients (C values): σ̂⁻¹, then y = x·scale + shift.
  const invStd = variance.map((v) => 1 / Math.sqrt(v + o.eps));
  const gamma = o.weight ? Float32Array.from(o.weight.data) : new Float32Array(C).fill(1);
  const scale = invStd.map((s, c) => s * gamma[c]!);
  const shift = scale.map((s, c) => (o.bias ? o.bias.data[c]! : 0) - mean[c]! * s);
  const apply = variant('conv.batchNorm2d.apply', () => APPLY);
  const y = new Tensor(apply.run({ output: [HW, C, N], constants, args: [x.data, scale, shift] }), x.shape);
  const parents = [x, ...(o.weight ? [o.weight] : []), ...(o.bias ? [o.bias] : [])];
  const training = o.training;
  return Tensor.record(y, op, parents, (g, needs) => {
    const [sumG, sumGX] = split(pairKernel('gradSums', GRAD_SUMS).run({ output: [C], constants, args: [g.data, x.data, mean], work: 2 * x.size }), C);
    let gx: Tensor | null = null;
    if (needs[0]) {
      // Training: ∂x = γσ̂⁻¹·(g − Σg/M − (x − μ)·σ̂⁻²·Σg(x − μ)/M); evaluation: ∂x = γσ̂⁻¹·g.
      const b = training ? sumG.map((s) => s / M) : new Float32Array(C);
      const e = training ? sumGX.map((s, c) => (s * invStd[c]! * invStd[c]!) / M) : new Float32Array(C);
      const k = variant('conv.batchNorm2d.gradInput', () => GRAD_INPUT);
      gx = new Tensor(k.run({ output: [HW, C, N], constants, args: [g.data, x.data, scale, b, mean, e], work: 2 * x.size }), x.shape);
    }
    const grads: (Tensor | null)[] = [gx];
    if (o.weight) grads.push(needs[1] ? new Tensor(sumGX.map((s, c) => s * invStd[c]!), [C]) : null);
    if (o.bias) grads.push(needs[grads.length] ? new Tensor(sumG, [C]) : null);
    return grads;
  });
}
