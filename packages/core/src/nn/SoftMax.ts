import { Module } from './Module.js';
import type { Tensor } from '../tensor/Tensor.js';
import { ShapeError } from '../tensor/shape.js';

/**
 * Torch7's `nn.SoftMax` over the last axis: yᵢ = exp(xᵢ) / Σⱼ exp(xⱼ) (computed stably, with the
 * maximum subtracted). Input [C] or [N, C] (any rank; the last axis is the class axis).
 *
 * @example
 * new SoftMax().forward(Tensor.from([0, 0])).toArray(); // [0.5, 0.5]
 */
export class SoftMax extends Module {
  protected updateOutput(input: Tensor): Tensor {
    if (input.ndim === 0) throw new ShapeError(this.typeName(), 'expected at least a 1-D input, got a scalar');
    return input.softmax(-1);
  }
}
