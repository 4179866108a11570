import { Module, type Tensor } from '@eole/core';
import { logSumExpPool2d, type LogSumExpReduction } from '../functional/logSumExpPool2d.js';
import { asBatch, checkWindow, describeWindow, type PoolWindow } from '../geometry/poolGeometry.js';

/** Options of {@link SpatialLogSumExpPooling}. */
export interface SpatialLogSumExpPoolingOptions {
  /**
   * `'sum'` (default): the lecture's PROB, (1/β)·log Σ e^(β·x). `'mean'`: (1/β)·log((1/|w|)·Σ e^(β·x)),
   * which interpolates between the average and the maximum.
   */
  reduction?: LogSumExpReduction;
}

/**
 * Log-sum-exp pooling, the lecture's "PROB" pooling, over kH×kW windows moved by dW, dH on each
 * plane of x [N, C, H, W] (or [C, H, W]), |w| = kW·kH cells per window:
 *
 *   y[n, c, i, j] = (1/β) · log Σ_{window} e^(β·x)                      (reduction 'sum', default)
 *   y[n, c, i, j] = (1/β) · log( (1/|w|) · Σ_{window} e^(β·x) )          (reduction 'mean')
 *
 * The two differ by a constant: sum = mean + log(|w|)/β. Limits, for a window's values x with
 * maximum max(x) and average mean(x):
 * - 'sum': max(x) ≤ y ≤ max(x) + log(|w|)/β, so y → max(x) as β → ∞; as β → 0,
 *   y = log(|w|)/β + mean(x) + O(β), which grows without bound (y − log(|w|)/β → mean(x)).
 *   A constant window c gives c + log(|w|)/β.
 * - 'mean': mean(x) ≤ y ≤ max(x) (Jensen), y → mean(x) as β → 0 and → max(x) as β → ∞; a
 *   constant window maps to itself.
 *
 * Computed stably around the window maximum m, y = m + (1/β)·log(Σ e^(β(x − m))) (over |w| for
 * 'mean'), so a large β·x does not overflow. The gradient is the window's softmax,
 * ∂y/∂x = e^(β·x)/Σ_window e^(β·x), for both. See Boureau, Ponce & LeCun, "A theoretical analysis
 * of feature pooling in visual recognition" (ICML 2010), and the log-sum-exp pooling of Pinheiro &
 * Collobert (CVPR 2015). The module has no parameters; β, the window and the reduction are
 * constructor arguments (a state dict holds none of them).
 *
 * @example
 * const pool = new SpatialLogSumExpPooling(10, 2, 2);  // β = 10, 2x2 windows, stride 2: the lecture's PROB
 * pool.forward(x).shape;                               // [N, C, H/2, W/2], within log(4)/10 above the max
 * new SpatialLogSumExpPooling(10, 2, 2, 2, 2, { reduction: 'mean' }).toString(); // nn.SpatialLogSumExpPooling(10, 2x2, 2,2, mean)
 */
export class SpatialLogSumExpPooling extends Module {
  /** What the logarithm is taken of: the sum of exponentials (the lecture's PROB) or their mean. */
  readonly reduction: LogSumExpReduction;

  constructor(
    readonly beta: number,
    readonly kW: number,
    readonly kH: number,
    readonly dW: number = kW,
    readonly dH: number = kH,
    options: SpatialLogSumExpPoolingOptions = {},
  ) {
    super();
    if (typeof beta !== 'number' || !(beta > 0) || !Number.isFinite(beta)) throw new RangeError(`SpatialLogSumExpPooling: beta must be a positive finite number, got ${beta}`);
    checkWindow('SpatialLogSumExpPooling', { kW, kH, dW, dH, padW: 0, padH: 0 });
    const reduction = options.reduction ?? 'sum';
    if (reduction !== 'sum' && reduction !== 'mean') throw new RangeError(`SpatialLogSumExpPooling: reduction must be 'sum' or 'mean', got ${JSON.stringify(reduction)}`);
    this.reduction = reduction;
  }

  get window(): PoolWindow {
    return { kW: this.kW, kH: this.kH, dW: this.dW, dH: this.dH, padW: 0, padH: 0, ceil: false };
  }

  protected updateOutput(input: Tensor): Tensor {
    const { x, unbatch } = asBatch(this.typeName(), input);
    return unbatch(logSumExpPool2d(x, this.beta, this.window, this.reduction, this.typeName()));
  }

  override toString(): string {
    return `${this.typeName()}(${this.beta}, ${describeWindow(this.window)}${this.reduction === 'mean' ? ', mean' : ''})`;
  }
}
