import { Tensor } from '../tensor/Tensor.js';
import { around, fmt, normAxis, ShapeError, sizeOf, stridesOf } from '../tensor/shape.js';
import { kernels } from '../kernels/KernelRegistry.js';
import { offsetsConstants, offsetsSource } from '../kernels/offsets.js';

/** Resolves one `-1` in a requested shape. */
function resolveShape(op: string, size: number, shape: readonly number[]): number[] {
  const free = shape.filter((d) => d === -1).length;
  if (free > 1) throw new ShapeError(op, `only one dimension can be -1, got ${fmt(shape)}`);
  const known = sizeOf(shape.filter((d) => d !== -1));
  const out = shape.map((d) => (d === -1 ? (known === 0 ? 0 : size / known) : d));
  if (sizeOf(out) !== size || out.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(op, `cannot view ${size} elements as ${fmt(shape)}`);
  }
  return out;
}

/** A view with a new shape over the same buffer (one dimension may be -1). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const s = resolveShape('reshape', x.size, shape);
  if (s.length === x.ndim && s.every((d, i) => d === x.shape[i])) return x;
  return Tensor.record(new Tensor(x.data, s), 'reshape', [x], (g) => [new Tensor(g.data, x.shape)]);
}

/** Flattens the axes from `startAxis` on: [N, C, H, W] → [N, C·H·W] by default. */
export function flatten(x: Tensor, startAxis = 1): Tensor {
  const a = normAxis('flatten', startAxis, Math.max(x.ndim, 1));
  return reshape(x, [...x.shape.slice(0, a), sizeOf(x.shape.slice(a))]);
}

/** A recorded copy. */
export function clone(x: Tensor): Tensor {
  return Tensor.record(new Tensor(new Float32Array(x.data), x.shape), 'clone', [x], (g) => [g]);
}

/** Permuted copy without autograd. */
export function permuteRaw(x: Tensor, axes: readonly number[]): Tensor {
  const shape = axes.map((a) => x.shape[a]!);
  if (axes.every((a, i) => a === i)) return new Tensor(x.data, shape);
  const inStrides = stridesOf(x.shape);
  const k = kernels.define(`core.permute.rank${x.ndim}`, () => `function(a) {\n${offsetsSource(x.ndim, ['a'])}\nreturn a[oa]; }`);
  const constants = offsetsConstants(shape, { a: axes.map((a) => inStrides[a]!) });
  return new Tensor(k.run({ output: [x.size], constants, args: [x.data] }), shape);
}

/** Reorders the axes, as `torch.permute` (a copy: Eole tensors stay contiguous). */
export function permute(x: Tensor, axes: readonly number[]): Tensor {
  const norm = axes.map((a) => normAxis('permute', a, x.ndim));
  if (norm.length !== x.ndim || new Set(norm).size !== x.ndim) {
    throw new ShapeError('permute', `axes ${fmt(axes)} are not a permutation of the ${x.ndim} axes of ${fmt(x.shape)}`);
  }
  const inverse = new Array<number>(x.ndim);
  norm.forEach((a, i) => (inverse[a] = i));
  return Tensor.record(permuteRaw(x, norm), 'permute', [x], (g) => [permuteRaw(g, inverse)]);
}

/** Swaps two axes. */
export function transpose(x: Tensor, a: number, b: number): Tensor {
  const axes = x.shape.map((_, i) => i);
  const i = normAxis('transpose', a, x.ndim);
  const j = normAxis('transpose', b, x.ndim);
  axes[i] = j;
  axes[j] = i;
  return permute(x, axes);
}

const NARROW = `function(a) { const i = this.thread.x; const inn = this.constants.inner; const len = this.constants.len;
const o = Math.floor(i / (len * inn)); const r = i - o * len * inn; const c = Math.floor(r / inn); const j = r - c * inn;
return a[(o * this.constants.n + this.constants.start + c) * inn + j]; }`;

const UNNARROW = `function(g) { const i = this.thread.x; const inn = this.constants.inner; const nn = this.constants.n;
const o = Math.floor(i / (nn * inn)); const r = i - o * nn * inn; const c = Math.floor(r / inn); const j = r - c * inn;
const k = c - this.constants.start;
return (k >= 0 && k < this.constants.len) ? g[(o * this.constants.len + k) * inn + j] : 0; }`;

/**
 * `length` entries from `start` along `axis`, as `torch.narrow`. Along the first axis (a batch
 * slice) it is a view sharing the buffer; otherwise a copy.
 */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  const a = normAxis('narrow', axis, x.ndim);
  const [outer, n, inner] = around(x.shape, a);
  if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 0 || start + length > n) {
    throw new ShapeError('narrow', `range [${start}, ${start + length}) is outside axis ${axis} of size ${n} (shape ${fmt(x.shape)})`);
  }
  const shape = x.shape.map((d, i) => (i === a ? length : d));
  const data =
    outer === 1
      ? x.data.subarray(start * inner, (start + length) * inner)
      : kernels.define('core.narrow.forward', NARROW).run({ output: [sizeOf(shape)], constants: { n, inner, start, len: length }, args: [x.data] });
  return Tensor.record(new Tensor(data, shape), 'narrow', [x], (g) => [
    new Tensor(kernels.define('core.narrow.backward', UNNARROW).run({ output: [x.size], constants: { n, inner, start, len: length }, args: [g.data] }), x.shape),
  ]);
}

/** Splits into pieces of `sizes` (or equal pieces of one size) along `axis`. */
export function split(x: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  const a = normAxis('split', axis, x.ndim);
  const n = x.shape[a]!;
  const list = typeof sizes === 'number' ? Array.from({ length: Math.ceil(n / sizes) }, (_, i) => Math.min(sizes, n - i * sizes)) : [...sizes];
  if (list.reduce((s, v) => s + v, 0) !== n) throw new ShapeError('split', `sizes ${fmt(list)} do not add up to ${n} along axis ${axis} of ${fmt(x.shape)}`);
  let start = 0;
  return list.map((len) => {
    const piece = narrow(x, a, start, len);
    start += len;
    return piece;
  });
}

const CONCAT2 = `function(a, b) { const i = this.thread.x; const inn = this.constants.inner; const n1 = this.constants.n1; const n2 = this.constants.n2;
const nn = n1 + n2; const o = Math.floor(i / (nn * inn)); const r = i - o * nn * inn; const c = Math.floor(r / inn); const j = r - c * inn;
return c < n1 ? a[(o * n1 + c) * inn + j] : b[(o * n2 + c - n1) * inn + j]; }`;

function concat2(a: Tensor, b: Tensor, axis: number): Tensor {
  const [, n1, inner] = around(a.shape, axis);
  const n2 = b.shape[axis]!;
  const shape = a.shape.map((d, i) => (i === axis ? n1 + n2 : d));
  const data = kernels.define('core.concat.pair', CONCAT2).run({ output: [sizeOf(shape)], constants: { n1, n2, inner }, args: [a.data, b.data] });
  return new Tensor(data, shape);
}

/** Joins tensors along `axis`; all other dimensions must agree. Backward narrows the gradient. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('concat', 'needs at least one tensor');
  const first = tensors[0]!;
  const a = normAxis('concat', axis, first.ndim);
  for (const t of tensors) {
    if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new ShapeError('concat', `shapes ${fmt(first.shape)} and ${fmt(t.shape)} differ outside axis ${axis}`);
    }
  }
  let out = tensors[0]!.detach();
  for (let i = 1; i < tensors.length; i++) out = concat2(out, tensors[i]!, a);
  const sizes = tensors.map((t) => t.shape[a]!);
  return Tensor.record(out, 'concat', tensors, (g, needs) => {
    let start = 0;
    return sizes.map((len, i) => {
      const s = start;
      start += len;
      return needs[i] ? narrowRaw(g, a, s, len) : null;
    });
  });
}

function narrowRaw(g: Tensor, axis: number, start: number, length: number): Tensor {
  const [, n, inner] = around(g.shape, axis);
  const shape = g.shape.map((d, i) => (i === axis ? length : d));
  return new Tensor(kernels.define('core.narrow.forward', NARROW).run({ output: [sizeOf(shape)], constants: { n, inner, start, len: length }, args: [g.data] }), shape);
}
