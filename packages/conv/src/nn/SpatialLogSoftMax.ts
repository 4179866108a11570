import { LogSoftMax, Module, permute, ShapeError, type Tensor } from '@eole/core';

/**
 * Log-softmax over the planes at every position (Torch7's `nn.SpatialLogSoftMax`): for an input
 * [N, C, H, W] (or [C, H, W]), y[n, c, i, j] = x[n, c, i, j] − log Σ_k exp(x[n, k, i, j]). What a
 * classifier's `LogSoftMax` becomes when the net is applied fully convolutionally (one class
 * distribution per window). Composed of a permute, core's `LogSoftMax` over the last axis and the
 * inverse permute.
 *
 * @example
 * const y = new SpatialLogSoftMax().forward(scores); // scores [1, 10, 5, 5]
 * y.exp().sum(1);                                     // ones [1, 5, 5]
 */
export class SpatialLogSoftMax extends Module {
  private readonly inner = new LogSoftMax();

  protected updateOutput(input: Tensor): Tensor {
    if (input.ndim !== 3 && input.ndim !== 4) throw new ShapeError(this.typeName(), `expected [N, C, H, W] or [C, H, W], got [${input.shape.join(', ')}]`);
    const to = input.ndim === 4 ? [0, 2, 3, 1] : [1, 2, 0];
    const back = input.ndim === 4 ? [0, 3, 1, 2] : [2, 0, 1];
    return permute(this.inner.forward(permute(input, to)), back);
  }
}
