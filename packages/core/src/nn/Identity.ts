import { Module } from './Module.js';
import type { Tensor } from '../tensor/Tensor.js';

/**
 * Torch7's `nn.Identity`: y = x, ∂L/∂x = ∂L/∂y. A placeholder branch in {@link Concat} (a skip
 * connection) or a no-op stage.
 *
 * @example
 * const skip = new Concat(1, new Identity(), new Linear(10, 5)); // [N, 10] → [N, 15]
 */
export class Identity extends Module {
  protected updateOutput(input: Tensor): Tensor {
    return input;
  }
}
