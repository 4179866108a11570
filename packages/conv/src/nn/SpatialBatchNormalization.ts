import { Module, Tensor } from '@eole/core';
import { batchNorm2d } from '../functional/batchNorm2d.js';
import { asBatch } from '../geometry/poolGeometry.js';

/**
 * Batch normalization over the planes of x [N, nFeature, H, W] (or [nFeature, H, W]), Torch7's
 * `nn.SpatialBatchNormalization(nFeature, eps, momentum, affine)` with PyTorch `BatchNorm2d`
 * semantics (Ioffe & Szegedy, "Batch normalization: accelerating deep network training by
 * reducing internal covariate shift", ICML 2015):
 *
 *   y[n, c, h, w] = (x[n, c, h, w] − μ_c) / √(σ²_c + ε) · weight_c + bias_c.
 *
 * In training μ, σ² are the mean and biased variance of channel c over the batch and the image,
 * and the buffers move towards them: running_mean ← (1 − momentum)·running_mean + momentum·μ,
 * running_var likewise with the unbiased variance. In evaluate mode the running statistics are
 * used. `weight` (initially 1) and `bias` (initially 0) are parameters when `affine`; the state
 * dict holds `weight`, `bias`, `running_mean`, `running_var` under PyTorch's names (PyTorch's
 * `num_batches_tracked` is absent; PyTorch fills it in when loading).
 *
 * @example
 * const bn = new SpatialBatchNormalization(16);
 * bn.forward(Tensor.randn([32, 16, 10, 10], rng));   // per-channel mean 0, variance 1
 * bn.evaluate().forward(x);                          // uses running_mean, running_var
 */
export class SpatialBatchNormalization extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;

  constructor(
    readonly nFeature: number,
    readonly eps = 1e-5,
    readonly momentum = 0.1,
    readonly affine = true,
  ) {
    super();
    const op = 'SpatialBatchNormalization';
    if (!Number.isInteger(nFeature) || nFeature <= 0) throw new RangeError(`${op}: nFeature must be a positive integer, got ${nFeature}`);
    if (!(eps > 0) || !Number.isFinite(eps)) throw new RangeError(`${op}: eps must be a positive finite number, got ${eps}`);
    if (!(momentum >= 0 && momentum <= 1)) throw new RangeError(`${op}: momentum must be in [0, 1], got ${momentum}`);
    this.weight = affine ? this.registerParameter('weight', Tensor.ones([nFeature])) : null;
    this.bias = affine ? this.registerParameter('bias', Tensor.zeros([nFeature])) : null;
    this.runningMean = this.registerBuffer('running_mean', Tensor.zeros([nFeature]));
    this.runningVar = this.registerBuffer('running_var', Tensor.ones([nFeature]));
  }

  /** Resets the running statistics (mean 0, variance 1), as PyTorch `reset_running_stats`. */
  resetRunningStats(): this {
    this.runningMean.data.fill(0);
    this.runningVar.data.fill(1);
    return this;
  }

  protected updateOutput(input: Tensor): Tensor {
    const { x, unbatch } = asBatch(this.typeName(), input);
    const y = batchNorm2d(
      x,
      { weight: this.weight, bias: this.bias, runningMean: this.runningMean, runningVar: this.runningVar, training: this.training, momentum: this.momentum, eps: this.eps },
      this.typeName(),
    );
    return unbatch(y);
  }

  /** Torch7's description, `nn.SpatialBatchNormalization (4D) (16)`. */
  override toString(): string {
    return `${this.typeName()} (4D) (${this.nFeature})${this.affine ? '' : ' without affine'}`;
  }
}
