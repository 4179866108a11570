import { Module, ShapeError, type Tensor } from '@eole/core';

/**
 * Log-softmax over the planes at every position (Torch7's `nn.SpatialLogSoftMax`): for an input
 * [N, C, H, W] (or [C, H, W]), y[n, c, i, j] = x[n, c, i, j] − log Σ_k exp(x[n, k, i, j]). What a
 * classifier's `LogSoftMax` becomes when the net is applied fully convolutionally (one class
 * distribution per window). Core's `logSoftmax` along the plane axis (no transposition: a permute
 * to planes-last and back cost more than the log-softmax itself).
 *
 * @example
 * const y = new SpatialLogSoftMax().forward(scores); // scores [1, 10, 5, 5]
 * y.exp().sum(1);                                     // ones [1, 5, 5]
 */
export class SpatialLogSoftMax extends Module {
  protected updateOutput(input: Tensor): Tensor {
    if (input.ndim !== 3 && input.ndim !== 4) throw new ShapeError(this.typeName(), `expected [N, C, H, W] or [C, H, W], got [${input.shape.join(', ')}]`);
    return input.logSoftmax(input.ndim - 3);
  }
}
