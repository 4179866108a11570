import type { Tensor } from '@eole/core';
import { maxPool2d } from '../functional/maxPool2d.js';
import { asBatch } from '../geometry/poolGeometry.js';
import { SpatialPooling } from './SpatialPooling.js';

/**
 * Torch7's `nn.SpatialMaxPooling(kW, kH, dW, dH, padW, padH)`: the maximum over kH×kW windows
 * moved by dW, dH over each plane of x [N, C, H, W] (or [C, H, W]), with implicit −∞ padding:
 *
 *   y[n, c, i, j] = max_{0 ≤ a < kH, 0 ≤ b < kW} x[n, c, i·dH − padH + a, j·dW − padW + b],
 *
 * of size oH = ⌊(H + 2·padH − kH)/dH⌋ + 1 (⌈…⌉ + 1 after {@link SpatialMaxPooling.ceil}, dropping a
 * last window that would start in the padding), likewise oW. The gradient goes to the arg-max of
 * each window (`indices`, offsets h·W + w in the input plane). The "Pooling" stage of LeCun's
 * "Normalization → Filter Bank → Non-Linearity → Pooling"; max pooling as in Jarrett, Kavukcuoglu,
 * Ranzato & LeCun, "What is the best multi-stage architecture for object recognition?" (ICCV 2009),
 * and Ranzato, Huang, Boureau & LeCun (CVPR 2007).
 *
 * @example
 * const pool = new SpatialMaxPooling(2, 2);              // 2x2 windows, stride 2
 * pool.forward(Tensor.zeros([32, 6, 28, 28])).shape;    // [32, 6, 14, 14]
 * new SpatialMaxPooling(3, 3, 2, 2).ceil().toString();   // nn.SpatialMaxPooling(3x3, 2,2)
 */
export class SpatialMaxPooling extends SpatialPooling {
  /** The arg-max of every window of the last forward, as offsets h·W + w in the input plane (0-based). */
  indices: Tensor | null = null;

  constructor(kW: number, kH: number, dW: number = kW, dH: number = kH, padW = 0, padH = 0) {
    super(kW, kH, dW, dH, padW, padH);
  }

  protected updateOutput(input: Tensor): Tensor {
    const { x, unbatch } = asBatch(this.typeName(), input);
    const { output, indices } = maxPool2d(x, this.window, this.typeName());
    this.indices = unbatch(indices);
    return unbatch(output);
  }
}
