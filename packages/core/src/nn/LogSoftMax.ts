import { Module } from './Module.js';
import type { Tensor } from '../tensor/Tensor.js';
import { ShapeError } from '../tensor/shape.js';

/**
 * Torch7's `nn.LogSoftMax` over the last axis: yᵢ = xᵢ − log Σⱼ exp(xⱼ), the log-probabilities
 * {@link ClassNLLCriterion} expects. Input [C] or [N, C] (any rank; the last axis is the class axis).
 *
 * @example
 * const net = new Sequential(new Linear(784, 10), new LogSoftMax());
 * const loss = new ClassNLLCriterion().forward(net.forward(x), labels);
 */
export class LogSoftMax extends Module {
  protected updateOutput(input: Tensor): Tensor {
    if (input.ndim === 0) throw new ShapeError(this.typeName(), 'expected at least a 1-D input, got a scalar');
    return input.logSoftmax(-1);
  }
}
