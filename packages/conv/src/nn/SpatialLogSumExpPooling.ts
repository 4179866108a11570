import { Module, type Tensor } from '@eole/core';
import { logSumExpPool2d } from '../functional/logSumExpPool2d.js';
import { asBatch, checkWindow, describeWindow, type PoolWindow } from '../geometry/poolGeometry.js';

/**
 * Log-sum-exp pooling, the lecture's "PROB" pooling, over kH×kW windows moved by dW, dH on each
 * plane of x [N, C, H, W] (or [C, H, W]):
 *
 *   y[n, c, i, j] = (1/β) · log( (1/|w|) Σ_{window} e^(β·x) ),   |w| = kW·kH.
 *
 * With the 1/|w| inside the logarithm the pooling interpolates between the average (β → 0) and
 * the maximum (β → ∞), and a constant window maps to itself; without it (the lecture's
 * (1/β)·log Σ e^(βx)) the output is this one plus log(|w|)/β. Computed stably around the window
 * maximum m, y = m + (1/β)·log((1/|w|)·Σ e^(β(x − m))); the gradient is the window's softmax,
 * ∂y/∂x = e^(β(x − y))/|w|. See Boureau, Ponce & LeCun, "A theoretical analysis of feature pooling
 * in visual recognition" (ICML 2010), and the log-sum-exp pooling of Pinheiro & Collobert (CVPR 2015).
 *
 * @example
 * const pool = new SpatialLogSumExpPooling(10, 2, 2);  // β = 10, 2x2 windows, stride 2
 * pool.forward(x).shape;                               // [N, C, H/2, W/2], between mean and max
 * pool.toString();                                     // nn.SpatialLogSumExpPooling(10, 2x2, 2,2)
 */
export class SpatialLogSumExpPooling extends Module {
  constructor(
    readonly beta: number,
    readonly kW: number,
    readonly kH: number,
    readonly dW: number = kW,
    readonly dH: number = kH,
  ) {
    super();
    if (typeof beta !== 'number' || !(beta > 0) || !Number.isFinite(beta)) throw new RangeError(`SpatialLogSumExpPooling: beta must be a positive finite number, got ${beta}`);
    checkWindow('SpatialLogSumExpPooling', { kW, kH, dW, dH, padW: 0, padH: 0 });
  }

  get window(): PoolWindow {
    return { kW: this.kW, kH: this.kH, dW: this.dW, dH: this.dH, padW: 0, padH: 0, ceil: false };
  }

  protected updateOutput(input: Tensor): Tensor {
    const { x, unbatch } = asBatch(this.typeName(), input);
    return unbatch(logSumExpPool2d(x, this.beta, this.window, this.typeName()));
  }

  override toString(): string {
    return `${this.typeName()}(${this.beta}, ${describeWindow(this.window)})`;
  }
}
