import { Tensor } from '../tensor/Tensor.js';
import { around, normAxis, sizeOf } from '../tensor/shape.js';
import { kernels } from '../kernels/KernelRegistry.js';

const REDUCE_HEAD = `const i = this.thread.x; const o = Math.floor(i / this.constants.inner); const j = i - o * this.constants.inner;
const base = o * this.constants.n * this.constants.inner + j;`;

const SOURCES = {
  sum: `function(a) { ${REDUCE_HEAD}
let s = 0; for (let k = 0; k < this.constants.n; k++) { s += a[base + k * this.constants.inner]; } return s; }`,
  max: `function(a) { ${REDUCE_HEAD}
let m = a[base]; for (let k = 1; k < this.constants.n; k++) { m = Math.max(m, a[base + k * this.constants.inner]); } return m; }`,
  argmax: `function(a) { ${REDUCE_HEAD}
let m = a[base]; let best = 0; for (let k = 1; k < this.constants.n; k++) { const v = a[base + k * this.constants.inner]; if (v > m) { m = v; best = k; } } return best; }`,
  /** Broadcasts a reduced [outer, inner] gradient back along the axis: out[o, k, j] = g[o, j]. */
  expand: `function(g) { const i = this.thread.x; const inn = this.constants.inner; const nn = this.constants.n;
const o = Math.floor(i / (nn * inn)); const j = i - Math.floor(i / inn) * inn; return g[o * inn + j]; }`,
  /** Routes a reduced gradient to the arg-max positions: out[o, k, j] = k == idx[o, j] ? g[o, j] : 0. */
  scatterMax: `function(g, idx) { const i = this.thread.x; const inn = this.constants.inner; const nn = this.constants.n;
const o = Math.floor(i / (nn * inn)); const r = i - o * nn * inn; const k = Math.floor(r / inn); const j = r - k * inn;
return idx[o * inn + j] === k ? g[o * inn + j] : 0; }`,
} as const;

/** Runs a reduction kernel over `axis`, returning [outer·inner] values. */
export function reduceRaw(kind: 'sum' | 'max' | 'argmax', x: Tensor, axis: number): Float32Array {
  const [outer, n, inner] = around(x.shape, axis);
  if (n === 0) throw new Error(`${kind}: cannot reduce over an empty axis ${axis} of shape [${x.shape.join(', ')}]`);
  const k = kernels.define(`core.${kind}.forward`, SOURCES[kind]);
  return k.run({ output: [outer * inner], constants: { n, inner }, args: [x.data], work: x.size });
}

/** Broadcasts `g` (x's shape without `axis`) back to x's shape. */
export function expandAlong(g: Tensor, shape: readonly number[], axis: number): Tensor {
  const [, n, inner] = around(shape, axis);
  const k = kernels.define('core.sum.backward', SOURCES.expand);
  return new Tensor(k.run({ output: [sizeOf(shape)], constants: { n, inner }, args: [g.data] }), shape);
}

function reducedShape(shape: readonly number[], axis: number, keepdim: boolean): number[] {
  return keepdim ? shape.map((d, i) => (i === axis ? 1 : d)) : shape.filter((_, i) => i !== axis);
}

/**
 * Sum over `axis` (all elements when omitted), as `torch.sum`. The gradient broadcasts back.
 *
 * @example
 * Tensor.from([1, 2, 3, 4], [2, 2]).sum(0); // [4, 6]
 */
export function sum(x: Tensor, axis?: number, keepdim = false): Tensor {
  if (axis === undefined) return sum(x.reshape([x.size]), 0, keepdim && x.ndim > 0);
  const a = normAxis('sum', axis, x.ndim);
  const out = new Tensor(reduceRaw('sum', x, a), reducedShape(x.shape, a, keepdim));
  return Tensor.record(out, 'sum', [x], (g) => [expandAlong(g, x.shape, a)]);
}

/** Mean over `axis` (all elements when omitted). */
export function mean(x: Tensor, axis?: number, keepdim = false): Tensor {
  const n = axis === undefined ? x.size : x.shape[normAxis('mean', axis, x.ndim)]!;
  return sum(x, axis, keepdim).mul(1 / n);
}

/** Maximum over `axis` (all elements when omitted); the gradient goes to the (first) arg-max. */
export function max(x: Tensor, axis?: number, keepdim = false): Tensor {
  if (axis === undefined) return max(x.reshape([x.size]), 0, false);
  const a = normAxis('max', axis, x.ndim);
  const out = new Tensor(reduceRaw('max', x, a), reducedShape(x.shape, a, keepdim));
  return Tensor.record(out, 'max', [x], (g) => {
    const [, n, inner] = around(x.shape, a);
    const idx = reduceRaw('argmax', x, a);
    const k = kernels.define('core.max.backward', SOURCES.scatterMax);
    return [new Tensor(k.run({ output: [x.size], constants: { n, inner }, args: [g.data, idx] }), x.shape)];
  });
}

/** Index of the maximum over `axis` (of the flattened tensor when omitted), as float values; no gradient. */
export function argmax(x: Tensor, axis?: number, keepdim = false): Tensor {
  if (axis === undefined) return argmax(x.reshape([x.size]), 0, false);
  const a = normAxis('argmax', axis, x.ndim);
  return new Tensor(reduceRaw('argmax', x, a), reducedShape(x.shape, a, keepdim));
}
