import { Module } from './Module.js';
import type { Tensor } from '../tensor/Tensor.js';

/**
 * Torch7's `nn.Sigmoid`: y = σ(x) = 1 / (1 + e⁻ˣ), ∂y/∂x = y(1 − y).
 *
 * @example
 * new Sigmoid().forward(Tensor.from([0])).item(); // 0.5
 */
export class Sigmoid extends Module {
  protected updateOutput(input: Tensor): Tensor {
    return input.sigmoid();
  }
}
