import { Module } from './Module.js';
import type { Tensor } from '../tensor/Tensor.js';
import { indent } from './format.js';

/**
 * Torch7's `nn.Sequential`: feeds the input through its modules in order, y = fₙ(…f₂(f₁(x))).
 *
 * @example
 * const mlp = new Sequential(new Linear(784, 1000), new Threshold(), new Linear(1000, 10), new LogSoftMax());
 */
export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m) => this.add(m));
  }

  /** Appends a module (Torch7 `add`). */
  add(m: Module): this {
    this.registerModule(String(this.children().length), m);
    return this;
  }

  /** The i-th module (0-based). */
  get(i: number): Module {
    const m = this.children()[i];
    if (!m) throw new RangeError(`Sequential.get: index ${i} is out of range [0, ${this.children().length})`);
    return m;
  }

  get length(): number {
    return this.children().length;
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
