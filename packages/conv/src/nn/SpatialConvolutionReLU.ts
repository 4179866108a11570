import { Module, type Tensor } from '@eole/core';
import { conv2dReLU } from '../functional/conv2d.js';
import { asBatch4 } from '../geometry/convGeometry.js';
import type { SpatialConvolution } from './SpatialConvolution.js';

/**
 * A {@link SpatialConvolution} and the ReLU after it as one module (PyTorch's fused `ConvReLU2d`):
 * y = max(0, b + w ⋆ x), computed by {@link conv2dReLU}, whose ReLU costs no kernel launch. It
 * shares the convolution's weight and bias tensors (registered under the same names), so training
 * it trains the convolution; outputs and gradients equal the two modules', bit for bit. Made by
 * {@link fuseModules}, which also keeps the state-dict keys of the network it fuses.
 *
 * @example
 * const fused = new SpatialConvolutionReLU(new SpatialConvolution(1, 6, 5, 5, 1, 1, 2, 2));
 * fused.forward(x); // = new ReLU().forward(conv.forward(x))
 */
export class SpatialConvolutionReLU extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(readonly conv: SpatialConvolution) {
    super();
    this.weight = this.registerParameter('weight', conv.weight);
    this.bias = conv.bias ? this.registerParameter('bias', conv.bias) : null;
  }

  protected updateOutput(input: Tensor): Tensor {
    const c = this.conv;
    const { x, unbatch } = asBatch4(this.typeName(), input, `[N, ${c.nInputPlane}, H, W] or [${c.nInputPlane}, H, W]`);
    return unbatch(conv2dReLU(x, this.weight, this.bias, { dW: c.dW, dH: c.dH, padW: c.padW, padH: c.padH }, this.typeName()));
  }

  override toString(): string {
    return `${this.typeName()}(${this.conv.toString().replace(/^[^(]*\(/, '').replace(/\)( without bias)?$/, '')})${this.bias ? '' : ' without bias'}`;
  }
}
