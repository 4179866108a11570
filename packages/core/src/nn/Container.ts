import { Module } from './Module.js';

/**
 * Torch7's `nn.Container`: a module that owns an ordered list of children, registered as `0`,
 * `1`, … so their parameters are named `0.weight`, `1.bias` in the state dict (PyTorch's naming).
 * {@link Sequential}, {@link Concat} and {@link Parallel} build on it.
 *
 * @example
 * const c = new Concat(1).add(new Linear(10, 3)).add(new Linear(10, 5));
 * c.length;          // 2
 * c.get(0).toString(); // 'nn.Linear(10 -> 3)'
 */
export abstract class Container extends Module {
  constructor(modules: readonly Module[]) {
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
    if (!m) throw new RangeError(`${this.typeName()}.get: index ${i} is out of range [0, ${this.children().length})`);
    return m;
  }

  /** Number of children. */
  get length(): number {
    return this.children().length;
  }
}
