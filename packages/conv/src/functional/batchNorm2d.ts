import { formatShape, ShapeError, Tensor } from '@eole/core';
import { batchNormGradInput, channelAffine, channelGradSums, channelStats } from '../kernels/batchNormKernels.js';

const fmt = (shape: readonly number[]): string => `${formatShape(shape)}`;

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
  if (x.ndim !== 4) throw new ShapeError(op, `expected input [N, C, H, W], got ${formatShape(x.shape)}`);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  if (o.runningMean.size !== C) throw new ShapeError(op, `expected input [N, ${o.runningMean.size}, H, W], got ${formatShape(x.shape)}`);
  const HW = H * W;
  const M = N * HW;
  const dims = { N, C, HW, M };
  let mean: Float32Array;
  let variance: Float32Array;
  if (o.training) {
    if (M < 2) throw new ShapeError(op, `expected more than 1 value per channel in training, got input ${formatShape(x.shape)}`);
    [mean, variance] = channelStats(x.data, dims);
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
  const y = new Tensor(channelAffine(x.data, scale, shift, dims), x.shape);
  const parents = [x, ...(o.weight ? [o.weight] : []), ...(o.bias ? [o.bias] : [])];
  const training = o.training;
  return Tensor.record(y, op, parents, (g, needs) => {
    const [sumG, sumGX] = channelGradSums(g.data, x.data, mean, dims);
    let gx: Tensor | null = null;
    if (needs[0]) {
      // Training: ∂x = γσ̂⁻¹·(g − Σg/M − (x − μ)·σ̂⁻²·Σg(x − μ)/M); evaluation: ∂x = γσ̂⁻¹·g.
      const b = training ? sumG.map((s) => s / M) : new Float32Array(C);
      const e = training ? sumGX.map((s, c) => (s * invStd[c]! * invStd[c]!) / M) : new Float32Array(C);
      gx = new Tensor(batchNormGradInput(g.data, x.data, scale, b, mean, e, dims), x.shape);
    }
    const grads: (Tensor | null)[] = [gx];
    if (o.weight) grads.push(needs[1] ? new Tensor(sumGX.map((s, c) => s * invStd[c]!), [C]) : null);
    if (o.bias) grads.push(needs[grads.length] ? new Tensor(sumG, [C]) : null);
    return grads;
  });
}
