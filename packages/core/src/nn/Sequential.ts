import { Container } from './Container.js';
import type { Module } from './Module.js';
import type { Tensor } from '../tensor/Tensor.js';
import { indent } from './format.js';

/**
 * Torch7's `nn.Sequential`: feeds the input through its modules in order, y = fₙ(…f₂(f₁(x))).
 *
 * @example
 * const mlp = new Sequential(new Linear(784, 1000), new Threshold(), new Linear(1000, 10), new LogSoftMax());
 */
export class Sequential extends Container {
  constructor(...modules: Module[]) {
    super(modules);
  }

  protected updateOutput(input: Tensor): Tensor {
    let x = input;
    for (const m of this.children()) x = m.forward(x);
    return x;
  }

  override toString(): string {
    const kids = this.children();
    const chain = kids.map((_, i) => `(${i + 1})`).join(' -> ');
    const lines = kids.map((m, i) => `  (${i + 1}): ${indent(m.toString())}`);
    return `nn.Sequential {\n  [input -> ${chain}${kids.length ? ' -> ' : ''}output]\n${lines.join('\n')}\n}`;
  }
}
