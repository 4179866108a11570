import { Module } from './Module.js';
import type { Tensor } from '../tensor/Tensor.js';
import { leakyRelu } from '../ops/elementwise.js';
import { luaNumber } from './torchFormat.js';

/**
 * Torch7's `nn.LeakyReLU(negval)`: y = x if x > 0, else negval·x (Maas, Hannun & Ng, 2013), the
 * activation of DCGAN's discriminator (slope 0.2 there). The default slope is Torch7's 1/100
 * (PyTorch's `negative_slope=0.01`).
 *
 * @example
 * new LeakyReLU(0.2).forward(Tensor.from([-1, 2])).toArray(); // [-0.2, 2]
 */
export class LeakyReLU extends Module {
  constructor(readonly negval = 1 / 100) {
    super();
    if (typeof negval !== 'number' || !Number.isFinite(negval) || negval < 0) throw new RangeError(`LeakyReLU: negval must be a finite number ≥ 0, got ${String(negval)}`);
  }

  protected updateOutput(input: Tensor): Tensor {
    return leakyRelu(input, this.negval);
  }

  override toString(): string {
    return `${this.typeName()}(${luaNumber(this.negval)})`;
  }
}
