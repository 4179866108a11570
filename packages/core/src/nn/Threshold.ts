import { Module } from './Module.js';
import type { Tensor } from '../tensor/Tensor.js';
import { threshold } from '../ops/elementwise.js';
import { luaNumber } from './torchFormat.js';

/**
 * Torch7's `nn.Threshold`: y = x if x > th, else val; ∂y/∂x = 1 where x > th, else 0. The
 * defaults (th = 1e-6, val = 0) are Torch7's, the lecture's rectifier.
 *
 * @example
 * new Threshold().forward(Tensor.from([-1, 0.5])).toArray(); // [0, 0.5]
 * new Threshold(0.1, -1).toString();                       // 'nn.Threshold(0.1, -1)'
 */
export class Threshold extends Module {
  constructor(
    readonly th = 1e-6,
    readonly val = 0,
  ) {
    super();
    for (const [name, v] of [['th', th], ['val', val]] as const) {
      if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`Threshold: ${name} must be a number, got ${String(v)}`);
    }
  }

  protected updateOutput(input: Tensor): Tensor {
    return threshold(input, this.th, this.val);
  }

  override toString(): string {
    return `${this.typeName()}(${luaNumber(this.th)}, ${luaNumber(this.val)})`;
  }
}
