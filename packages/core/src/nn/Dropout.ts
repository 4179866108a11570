import { Module } from './Module.js';
import { Tensor } from '../tensor/Tensor.js';
import { defaultGenerator } from '../random/default.js';
import type { Generator } from '../random/Generator.js';
import { luaNumber } from './torchFormat.js';

/** Options of {@link Dropout}. */
export interface DropoutOptions {
  /** Generator of the masks (default: the global one, {@link defaultGenerator}). */
  rng?: Generator;
}

/**
 * Dropout (Srivastava, Hinton, Krizhevsky, Sutskever & Salakhutdinov, "Dropout: a simple way to
 * prevent neural networks from overfitting", JMLR 2014), in the inverted form of modern Torch and
 * PyTorch: in training, y = x·m with mᵢ = 1/(1 − p) with probability 1 − p and 0 otherwise, so
 * E[y] = x; in evaluate mode y = x. The mask is drawn from a seeded {@link Generator} (one uniform
 * draw per element) and kept in `noise`; the gradient flows only through kept units, ∂L/∂x = m·∂L/∂y.
 *
 * @example
 * const drop = new Dropout(0.5, { rng: new Generator(1) });
 * drop.forward(Tensor.ones([2, 4]));      // entries 0 or 2
 * drop.evaluate().forward(Tensor.ones([2, 4])); // all 1
 */
export class Dropout extends Module {
  /** The last mask: 0 for dropped units, 1/(1 − p) for kept ones (Torch7's `noise`). */
  noise: Tensor | null = null;
  private rng: Generator;

  constructor(
    readonly p = 0.5,
    options: DropoutOptions = {},
  ) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`Dropout: p must be a probability in [0, 1], got ${String(p)}`);
    this.rng = options.rng ?? defaultGenerator;
  }

  /**
   * Draws the masks from `rng` from now on (a fine-tuning pass that must repeat whatever generator
   * the module was built or loaded with). Returns this.
   *
   * @example
   * new Dropout(0.5).setGenerator(new Generator(7)).forward(x); // the masks of Generator(7)
   */
  setGenerator(rng: Generator): this {
    if (typeof (rng as Partial<Generator> | null)?.uniform !== 'function') throw new TypeError(`Dropout.setGenerator: rng must be a Generator, got ${rng === null ? 'null' : typeof rng}`);
    this.rng = rng;
    return this;
  }

  protected updateOutput(input: Tensor): Tensor {
    if (!this.training || this.p === 0) return input;
    const keep = 1 - this.p;
    const scale = keep > 0 ? 1 / keep : 0;
    const mask = new Float32Array(input.size);
    for (let i = 0; i < mask.length; i++) mask[i] = this.rng.uniform() < keep ? scale : 0;
    this.noise = new Tensor(mask, input.shape);
    return input.mul(this.noise);
  }

  override toString(): string {
    return `${this.typeName()}(${luaNumber(this.p)})`;
  }
}
