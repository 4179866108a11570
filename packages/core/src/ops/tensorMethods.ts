import { Tensor, type TensorLike } from '../tensor/Tensor.js';
import { fmt, ShapeError, type Shape } from '../tensor/shape.js';
import * as ew from './elementwise.js';
import * as mm from './matmul.js';
import * as red from './reduce.js';
import * as sm from './softmax.js';
import * as idx from './indexing.js';
import * as sh from './shape.js';
import { indexAdd } from './indexAdd.js';
import { unbind } from './unbind.js';

/**
 * The op methods of {@link Tensor}, PyTorch style: each calls the op function of the same name
 * (`x.add(y)` is `add(x, y)`), records autograd the same way, and returns a new tensor.
 *
 * They live here rather than in `tensor/Tensor.ts` because the ops import `Tensor`: this module
 * installs them on `Tensor.prototype` when the package entry imports it (first of all its imports),
 * and declaration merging adds their types to the class, so `Tensor.ts` imports no op and the
 * module graph has no cycle.
 *
 * @example
 * const y = Tensor.from([1, 2, 3, 4], [2, 2]).matmul(w).relu().sum(1);
 */
export interface TensorMethods {
  /** Elementwise `this + other` with broadcasting. */
  add(other: TensorLike): Tensor;
  /** Elementwise `this − other` with broadcasting. */
  sub(other: TensorLike): Tensor;
  /** Elementwise `this · other` with broadcasting. */
  mul(other: TensorLike): Tensor;
  /** Elementwise `this / other` with broadcasting. */
  div(other: TensorLike): Tensor;
  /** −x. */
  neg(): Tensor;
  /** eˣ. */
  exp(): Tensor;
  /** Natural logarithm. */
  log(): Tensor;
  /** tanh x. */
  tanh(): Tensor;
  /** σ(x) = 1/(1 + e⁻ˣ). */
  sigmoid(): Tensor;
  /** max(0, x). */
  relu(): Tensor;
  /** |x|. */
  abs(): Tensor;
  /** √x. */
  sqrt(): Tensor;
  /** xᵖ for a scalar p. */
  pow(p: number): Tensor;
  /** x². */
  square(): Tensor;
  /** Matrix product with batching, as `torch.matmul` for 1-D to 3-D operands. */
  matmul(other: Tensor): Tensor;
  /** Sum over `axis` (all elements when omitted). */
  sum(axis?: number, keepdim?: boolean): Tensor;
  /** Mean over `axis` (all elements when omitted). */
  mean(axis?: number, keepdim?: boolean): Tensor;
  /** Maximum over `axis` (all elements when omitted). */
  max(axis?: number, keepdim?: boolean): Tensor;
  /** Index of the maximum over `axis`, as float values; no gradient. */
  argmax(axis?: number, keepdim?: boolean): Tensor;
  /** Softmax along `axis` (default: the last). */
  softmax(axis?: number): Tensor;
  /** Log-softmax along `axis` (default: the last). */
  logSoftmax(axis?: number): Tensor;
  /** out[…, c, …] = this[…, index[…, c, …], …] along `axis`, as `torch.gather`. */
  gather(axis: number, index: Tensor): Tensor;
  /** Entries `indices` (1-D) along `axis`, as `torch.index_select`. */
  indexSelect(axis: number, indices: Tensor): Tensor;
  /** A copy of this tensor with alpha·source added at `index` along `axis`, as `Tensor.index_add`. */
  indexAdd(axis: number, index: Tensor, source: Tensor, alpha?: number): Tensor;
  /** The slices along `axis` (default 0), as `torch.unbind`. */
  unbind(axis?: number): Tensor[];
  /** A view with a new shape over the same buffer (one dimension may be -1). */
  reshape(...shape: (number | Shape)[]): Tensor;
  /** Same as {@link TensorMethods.reshape} (Torch7 and PyTorch name). */
  view(...shape: (number | Shape)[]): Tensor;
  /** Flattens the axes from `startAxis` (default 1) on. */
  flatten(startAxis?: number): Tensor;
  /** Reorders the axes (a copy). */
  permute(...axes: (number | Shape)[]): Tensor;
  /** Swaps two axes (default 0 and 1). */
  transpose(a?: number, b?: number): Tensor;
  /** 2-D transpose. */
  t(): Tensor;
  /** `length` entries from `start` along `axis`, as `torch.narrow`. */
  narrow(axis: number, start: number, length: number): Tensor;
  /** Pieces of `sizes` (or equal pieces of one size) along `axis` (default 0). */
  split(sizes: number | number[], axis?: number): Tensor[];
  /** A copy of the data, recorded in the graph (gradient passes through). */
  clone(): Tensor;
}

declare module '../tensor/Tensor.js' {
  // Declaration merging: the class Tensor gains the methods installed below.
  // eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-empty-object-type
  interface Tensor extends TensorMethods {}
}

function flatShape(parts: (number | Shape)[]): number[] {
  return parts.flatMap((p) => (typeof p === 'number' ? [p] : [...p]));
}

const methods: TensorMethods & ThisType<Tensor> = {
  add(other) { return ew.add(this, other); },
  sub(other) { return ew.sub(this, other); },
  mul(other) { return ew.mul(this, other); },
  div(other) { return ew.div(this, other); },
  neg() { return ew.neg(this); },
  exp() { return ew.exp(this); },
  log() { return ew.log(this); },
  tanh() { return ew.tanh(this); },
  sigmoid() { return ew.sigmoid(this); },
  relu() { return ew.relu(this); },
  abs() { return ew.abs(this); },
  sqrt() { return ew.sqrt(this); },
  pow(p) { return ew.pow(this, p); },
  square() { return ew.pow(this, 2); },
  matmul(other) { return mm.matmul(this, other); },
  sum(axis, keepdim = false) { return red.sum(this, axis, keepdim); },
  mean(axis, keepdim = false) { return red.mean(this, axis, keepdim); },
  max(axis, keepdim = false) { return red.max(this, axis, keepdim); },
  argmax(axis, keepdim = false) { return red.argmax(this, axis, keepdim); },
  softmax(axis = -1) { return sm.softmax(this, axis); },
  logSoftmax(axis = -1) { return sm.logSoftmax(this, axis); },
  gather(axis, index) { return idx.gather(this, axis, index); },
  indexSelect(axis, indices) { return idx.indexSelect(this, axis, indices); },
  indexAdd(axis, index, source, alpha = 1) { return indexAdd(this, axis, index, source, alpha); },
  unbind(axis = 0) { return unbind(this, axis); },
  reshape(...shape) { return sh.reshape(this, flatShape(shape)); },
  view(...shape) { return sh.reshape(this, flatShape(shape)); },
  flatten(startAxis = 1) { return sh.flatten(this, startAxis); },
  permute(...axes) { return sh.permute(this, flatShape(axes)); },
  transpose(a = 0, b = 1) { return sh.transpose(this, a, b); },
  t() {
    if (this.ndim !== 2) throw new ShapeError('t', `expected a 2-D tensor, got shape ${fmt(this.shape)}`);
    return sh.transpose(this, 0, 1);
  },
  narrow(axis, start, length) { return sh.narrow(this, axis, start, length); },
  split(sizes, axis = 0) { return sh.split(this, sizes, axis); },
  clone() { return sh.clone(this); },
};

// Non-enumerable, as class methods are, so that tensors compare and print as before.
for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
}
