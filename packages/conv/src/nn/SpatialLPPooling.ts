import { formatShape, Module, ShapeError, type Tensor } from '@eole/core';
import { avgPool2d } from '../functional/avgPool2d.js';
import { asBatch, checkWindow, describeWindow, type PoolWindow } from '../geometry/poolGeometry.js';

/**
 * Torch7's `nn.SpatialLPPooling(nInputPlane, pnorm, kW, kH, dW, dH)`: the L_p norm of each kH×kW
 * window, moved by dW, dH over each plane of x [N, nInputPlane, H, W] (or [nInputPlane, H, W]):
 *
 *   y[n, c, i, j] = ( Σ_{window} |x|^p )^(1/p).
 *
 * The lecture's L_p pooling: p = 1 is sum pooling, p = 2 the energy (complex-cell) pooling, and
 * p → ∞ tends to max pooling (Hyvärinen & Hoyer 2001; Boureau, Ponce & LeCun, "A theoretical
 * analysis of feature pooling in visual recognition", ICML 2010). Built by composition as Torch7
 * does: |x|^p (x² for p = 2), average pooling times kW·kH, then the 1/p power (√ for p = 2).
 * Torch7 raises x to p without the absolute value, which makes odd p undefined on negative
 * windows; with |x| the result is the norm for every p (and the same for even p). The gradient
 * is infinite at an all-zero window, as for any norm.
 *
 * @example
 * const pool = new SpatialLPPooling(16, 2, 2, 2);       // L2 pooling, 2x2 windows, stride 2
 * pool.forward(Tensor.ones([1, 16, 10, 10])).shape;     // [1, 16, 5, 5], every value 2
 * pool.toString();                                      // nn.SpatialLPPooling(16, 2, 2x2, 2,2)
 */
export class SpatialLPPooling extends Module {
  constructor(
    readonly nInputPlane: number,
    readonly pnorm: number,
    readonly kW: number,
    readonly kH: number,
    readonly dW: number = kW,
    readonly dH: number = kH,
  ) {
    super();
    if (!Number.isInteger(nInputPlane) || nInputPlane <= 0) throw new RangeError(`SpatialLPPooling: nInputPlane must be a positive integer, got ${nInputPlane}`);
    if (typeof pnorm !== 'number' || !(pnorm > 0) || !Number.isFinite(pnorm)) throw new RangeError(`SpatialLPPooling: pnorm must be a positive finite number, got ${pnorm}`);
    checkWindow('SpatialLPPooling', { kW, kH, dW, dH, padW: 0, padH: 0 });
  }

  get window(): PoolWindow {
    return { kW: this.kW, kH: this.kH, dW: this.dW, dH: this.dH, padW: 0, padH: 0, ceil: false };
  }

  protected updateOutput(input: Tensor): Tensor {
    const { x, unbatch } = asBatch(this.typeName(), input);
    if (x.shape[1] !== this.nInputPlane) {
      throw new ShapeError(this.typeName(), `expected ${this.nInputPlane} input planes ([N, ${this.nInputPlane}, H, W] or [${this.nInputPlane}, H, W]), got ${formatShape(input.shape)}`);
    }
    const p = this.pnorm;
    const powered = p === 2 ? x.mul(x) : p === 1 ? x.abs() : x.abs().pow(p);
    const sums = avgPool2d(powered, this.window, true, this.typeName()).mul(this.kW * this.kH);
    return unbatch(p === 2 ? sums.sqrt() : p === 1 ? sums : sums.pow(1 / p));
  }

  override toString(): string {
    return `${this.typeName()}(${this.nInputPlane}, ${this.pnorm}, ${describeWindow(this.window)})`;
  }
}

const fmt = (shape: readonly number[]): string => `${formatShape(shape)}`;
