import { Module } from './Module.js';
import { Tensor } from '../tensor/Tensor.js';
import { defaultGenerator } from '../random/default.js';
import type { Generator } from '../random/Generator.js';
import { fmt, ShapeError } from '../tensor/shape.js';
import { linear } from '../ops/linear.js';

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** Add a bias (default true). */
  bias?: boolean;
  /** Generator of the initial weights (default: the global one). */
  rng?: Generator;
}

/**
 * Affine layer y = x·Wᵀ + b with W of shape [out, in] (Torch7 and PyTorch layout), initialised
 * uniform in ±1/√in as Torch7's `nn.Linear:reset` does. Input [in] or [batch, in].
 *
 * @example
 * const fc = new Linear(784, 1000, { rng: new Generator(1) });
 * fc.forward(Tensor.zeros([32, 784])).shape; // [32, 1000]
 */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(
    readonly inputSize: number,
    readonly outputSize: number,
    options: LinearOptions = {},
  ) {
    super();
    for (const [name, v] of [['inputSize', inputSize], ['outputSize', outputSize]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`Linear: ${name} must be a positive integer, got ${v}`);
    }
    const rng = options.rng ?? defaultGenerator;
    const bound = 1 / Math.sqrt(inputSize);
    this.weight = this.registerParameter('weight', Tensor.uniform([outputSize, inputSize], rng, -bound, bound));
    this.bias = options.bias === false ? null : this.registerParameter('bias', Tensor.uniform([outputSize], rng, -bound, bound));
  }

  protected updateOutput(input: Tensor): Tensor {
    const last = input.shape[input.ndim - 1];
    if ((input.ndim !== 1 && input.ndim !== 2) || last !== this.inputSize) {
      throw new ShapeError(this.typeName(), `expected input [${this.inputSize}] or [batch, ${this.inputSize}], got ${fmt(input.shape)}`);
    }
    const x = input.ndim === 1 ? input.reshape([1, this.inputSize]) : input;
    const y = linear(x, this.weight, this.bias);
    return input.ndim === 1 ? y.reshape([this.outputSize]) : y;
  }

  override toString(): string {
    return `nn.Linear(${this.inputSize} -> ${this.outputSize}${this.bias ? '' : ' without bias'})`;
  }
}
