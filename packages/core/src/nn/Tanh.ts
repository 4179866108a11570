import { Module } from './Module.js';
import type { Tensor } from '../tensor/Tensor.js';

/**
 * Torch7's `nn.Tanh`: y = tanh x, ∂y/∂x = 1 − y².
 *
 * @example
 * new Tanh().forward(Tensor.from([0, 1])).toArray(); // [0, 0.7616]
 */
export class Tanh extends Module {
  protected updateOutput(input: Tensor): Tensor {
    return input.tanh();
  }
}
