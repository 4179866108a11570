import { Module } from './Module.js';
import type { Tensor } from '../tensor/Tensor.js';
import { fmt, ShapeError, sizeOf } from '../tensor/shape.js';

/**
 * Torch7's `nn.View`: reshapes each sample to `shape` (sizes for one sample; one of them may be
 * −1, inferred), keeping the batch dimension: [N, …] → [N, …shape]. A single sample whose size
 * equals the view size becomes `shape` itself. The data is shared (no copy); the gradient is
 * reshaped back.
 *
 * Which case applies: with {@link View.setNumInputDims}(k), an input of more than k dimensions is
 * a batch over its leading dimensions (flattened into N), as in Torch7. Otherwise an input of two
 * or more dimensions whose per-sample size (size / N) fits the view is a batch, and anything else
 * whose total size fits is one sample. A −1 never takes in the batch (Torch7 without
 * `setNumInputDims` lets it): `new View(-1, 784)` maps [N, 784] to [N, 1, 784]; to flatten
 * samples write `new View(784)` or `new View(-1)`.
 *
 * @example
 * new View(784).forward(Tensor.zeros([32, 1, 28, 28])).shape;    // [32, 784]
 * new View(-1, 7).forward(Tensor.zeros([32, 28])).shape;         // [32, 4, 7]
 * new View(4, 7).forward(Tensor.zeros([28])).shape;              // [4, 7]
 */
export class View extends Module {
  readonly shape: readonly number[];
  private numInputDims: number | null = null;

  constructor(...shape: number[]) {
    super();
    if (shape.length === 0) throw new ShapeError('View', 'expected at least one size');
    if (shape.some((d) => !Number.isInteger(d) || (d < 0 && d !== -1))) throw new ShapeError('View', `sizes must be non-negative integers or -1, got ${fmt(shape)}`);
    if (shape.filter((d) => d === -1).length > 1) throw new ShapeError('View', `only one size can be -1, got ${fmt(shape)}`);
    this.shape = Object.freeze([...shape]);
  }

  /** Declares how many trailing dimensions make one sample (Torch7 `setNumInputDims`). */
  setNumInputDims(n: number): this {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`View.setNumInputDims: n must be a non-negative integer, got ${n}`);
    this.numInputDims = n;
    return this;
  }

  protected updateOutput(input: Tensor): Tensor {
    const batch = this.batchSize(input);
    const sample = batch === null ? input.size : input.size / batch;
    const resolved = this.resolve(sample);
    if (!resolved) {
      throw new ShapeError(this.typeName(), `cannot view input ${fmt(input.shape)} as ${batch === null ? '' : `[${batch}, ...]`}${fmt(this.shape)}: ${sample} elements per sample do not fit`);
    }
    return input.reshape(batch === null ? resolved : [batch, ...resolved]);
  }

  /** N when the input is a batch, null for one sample. */
  private batchSize(input: Tensor): number | null {
    if (this.numInputDims !== null) {
      const lead = input.ndim - this.numInputDims;
      return lead > 0 ? sizeOf(input.shape.slice(0, lead)) : null;
    }
    if (input.ndim >= 2 && input.shape[0]! > 0 && this.resolve(input.size / input.shape[0]!)) return input.shape[0]!;
    return null;
  }

  /** The view of `n` elements, with −1 filled in, or null when `n` does not fit. */
  private resolve(n: number): number[] | null {
    const known = sizeOf(this.shape.filter((d) => d !== -1));
    if (!this.shape.includes(-1)) return known === n ? [...this.shape] : null;
    if (known === 0 ? n !== 0 : n % known !== 0) return null;
    return this.shape.map((d) => (d === -1 ? (known === 0 ? 0 : n / known) : d));
  }

  override toString(): string {
    return `${this.typeName()}(${this.shape.join(', ')})`;
  }
}
