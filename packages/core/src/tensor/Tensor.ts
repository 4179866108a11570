import type { GradNode } from '../autograd/GradNode.js';
import { runBackward } from '../autograd/engine.js';
import { isGradEnabled } from '../autograd/gradMode.js';
import type { Generator } from '../random/Generator.js';
import { checkShape, fmt, ShapeError, sizeOf, type Shape } from './shape.js';

// No import from ../ops here: the ops import Tensor, so the op methods (`add`, `matmul`, `reshape`,
// ...) are installed on Tensor.prototype by ../ops/tensorMethods.ts, which the package entry imports
// first, and their types join this class by declaration merging there. This file depends only on
// shapes, grad mode and the autograd engine (which imports Tensor as a type only), so the module
// graph of core has no cycle through Tensor.

/** Something that can stand where a tensor is expected in a binary op. */
export type TensorLike = Tensor | number;

/**
 * An n-dimensional array of float32 values: a `Float32Array` plus a shape, row-major and
 * contiguous (DESIGN.md, layer 1). Views (`reshape`, `narrow` along the first axis) share the
 * buffer. A tensor with `requiresGrad` records the operations applied to it, and `backward()`
 * computes gradients by reverse-mode autodiff.
 *
 * The op methods (`add`, `matmul`, `sum`, `reshape`, ...) are declared and installed by
 * `ops/tensorMethods.ts`; each calls the function of the same name exported by the package.
 *
 * @example
 * const x = Tensor.from([1, 2, 3, 4], [2, 2]).requiresGrad_();
 * const y = x.mul(x).sum();
 * y.backward();          // x.grad = 2·x
 */
export class Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
  /** Whether gradients flow to this tensor. */
  requiresGrad = false;
  private gradient: Tensor | null = null;

  /** Accumulated gradient of a leaf, after `backward()`. */
  get grad(): Tensor | null {
    return this.gradient;
  }

  set grad(g: Tensor | null) {
    this.gradient = g;
    this.gradZeroed = false;
  }
  /** The operation that produced this tensor, when it was recorded. */
  gradFn: GradNode | null = null;
  /** Internal: a stand-in for a module input whose gradient is computed only when asked for. */
  isInputProxy = false;

  constructor(data: Float32Array, shape: Shape) {
    checkShape('Tensor', shape);
    if (data.length !== sizeOf(shape)) {
      throw new ShapeError('Tensor', `data has ${data.length} values but shape ${fmt(shape)} needs ${sizeOf(shape)}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
  }

  // ---- creation -------------------------------------------------------------------------------

  /** A tensor from values (copied) and a shape (default: 1-D). */
  static from(values: ArrayLike<number>, shape: Shape = [values.length]): Tensor {
    return new Tensor(Float32Array.from(values), shape);
  }

  /** A 0-D tensor holding one value. */
  static scalar(value: number): Tensor {
    return new Tensor(Float32Array.of(value), []);
  }

  static zeros(shape: Shape): Tensor {
    checkShape('zeros', shape);
    return new Tensor(new Float32Array(sizeOf(shape)), shape);
  }

  static ones(shape: Shape): Tensor {
    return Tensor.full(shape, 1);
  }

  static full(shape: Shape, value: number): Tensor {
    checkShape('full', shape);
    return new Tensor(new Float32Array(sizeOf(shape)).fill(value), shape);
  }

  /** `[start, start+step, ...)` up to `end` (exclusive), as `torch.arange`. */
  static arange(start: number, end?: number, step = 1): Tensor {
    if (end === undefined) [start, end] = [0, start];
    if (step === 0) throw new RangeError('arange: step must not be 0');
    const n = Math.max(0, Math.ceil((end - start) / step));
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = start + i * step;
    return new Tensor(data, [n]);
  }

  /** Standard normal draws from a seeded generator. */
  static randn(shape: Shape, rng: Generator, mean = 0, std = 1): Tensor {
    checkShape('randn', shape);
    const data = new Float32Array(sizeOf(shape));
    for (let i = 0; i < data.length; i++) data[i] = rng.normal(mean, std);
    return new Tensor(data, shape);
  }

  /** Uniform draws in [low, high) from a seeded generator. */
  static uniform(shape: Shape, rng: Generator, low = 0, high = 1): Tensor {
    checkShape('uniform', shape);
    const data = new Float32Array(sizeOf(shape));
    for (let i = 0; i < data.length; i++) data[i] = rng.uniform(low, high);
    return new Tensor(data, shape);
  }

  // ---- inspection -----------------------------------------------------------------------------

  get size(): number {
    return this.data.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ShapeError('item', `expected a one-element tensor, got shape ${fmt(this.shape)}`);
    return this.data[0]!;
  }

  /** Values as a plain array (flat). */
  toArray(): number[] {
    return Array.from(this.data);
  }

  toString(): string {
    return `Tensor(${fmt(this.shape)}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  // ---- autograd -------------------------------------------------------------------------------

  /** Sets `requiresGrad` in place and returns this tensor (a leaf). */
  requiresGrad_(flag = true): this {
    if (this.gradFn && !flag) throw new Error('requiresGrad_: cannot clear requiresGrad on a non-leaf tensor; use detach()');
    this.requiresGrad = flag;
    return this;
  }

  /** A new leaf sharing this tensor's data, cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** Internal: `.grad` holds zeros written by {@link Tensor.zeroGrad} and nothing since. */
  private gradZeroed = false;

  /** Computes gradients of this tensor (default: a scalar, seed 1) into the leaves' `.grad`. */
  backward(gradient?: Tensor): void {
    if (!this.requiresGrad) throw new Error('backward: this tensor does not require grad (no leaf with requiresGrad reaches it)');
    if (!gradient && this.size !== 1) throw new ShapeError('backward', `a gradient is required for a non-scalar output of shape ${fmt(this.shape)}`);
    runBackward(this, gradient ?? Tensor.full(this.shape, 1));
  }

  /** Internal: adds `g` into `.grad`. */
  accumulateGrad(g: Tensor): void {
    if (g.size !== this.size) throw new ShapeError('accumulateGrad', `gradient shape ${fmt(g.shape)} does not match tensor shape ${fmt(this.shape)}`);
    if (!this.grad) {
      this.grad = new Tensor(new Float32Array(g.data), this.shape);
    } else if (this.gradZeroed && this.grad.data.length === g.size) {
      // 0 + g is g exactly: a copy instead of an add kernel over every parameter.
      this.grad.data.set(g.data);
    } else {
      this.grad.data.set(this.grad.add(g.reshape(this.shape)).data);
    }
    this.gradZeroed = false;
  }

  /**
   * Internal: fills `.grad` with zeros and remembers it, so the next accumulation is a copy instead
   * of an add kernel (assigning `.grad` forgets it; write into `.grad.data` after `backward`, not
   * between `zeroGrad` and `backward`).
   */
  zeroGrad(): void {
    if (!this.grad) return;
    this.grad.data.fill(0);
    this.gradZeroed = true;
  }

  /** Internal: marks the result of an op as recorded when grad mode is on and a parent requires grad. */
  static record(out: Tensor, name: string, parents: readonly Tensor[], backward: GradNode['backward']): Tensor {
    if (isGradEnabled() && parents.some((p) => p.requiresGrad)) {
      out.requiresGrad = true;
      out.gradFn = { name, parents, backward };
    }
    return out;
  }
}
