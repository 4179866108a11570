import { Tensor } from '../tensor/Tensor.js';
import { around, fmt, normAxis, ShapeError, sizeOf } from '../tensor/shape.js';
import { kernels } from '../kernels/KernelRegistry.js';

const POS = `const i = this.thread.x; const inn = this.constants.inner; const mm = this.constants.m;
const o = Math.floor(i / (mm * inn)); const r = i - o * mm * inn; const c = Math.floor(r / inn); const j = r - c * inn;`;

const GATHER = `function(x, idx) { ${POS} return x[(o * this.constants.n + idx[i]) * inn + j]; }`;
const GATHER_BACK = `function(g, idx) { const i = this.thread.x; const inn = this.constants.inner; const nn = this.constants.n; const mm = this.constants.m;
const o = Math.floor(i / (nn * inn)); const r = i - o * nn * inn; const k = Math.floor(r / inn); const j = r - k * inn;
let s = 0; for (let c = 0; c < this.constants.m; c++) { const p = (o * mm + c) * inn + j; if (idx[p] === k) { s += g[p]; } } return s; }`;
const SELECT = `function(x, ind) { ${POS} return x[(o * this.constants.n + ind[c]) * inn + j]; }`;
const SELECT_BACK = `function(g, ind) { const i = this.thread.x; const inn = this.constants.inner; const nn = this.constants.n; const mm = this.constants.m;
const o = Math.floor(i / (nn * inn)); const r = i - o * nn * inn; const k = Math.floor(r / inn); const j = r - k * inn;
let s = 0; for (let c = 0; c < this.constants.m; c++) { if (ind[c] === k) { s += g[(o * mm + c) * inn + j]; } } return s; }`;

function checkIndices(op: string, values: Float32Array, n: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= n) throw new ShapeError(op, `index ${v} at position ${i} is out of range [0, ${n})`);
  }
}

/**
 * out[…, c, …] = x[…, index[…, c, …], …] along `axis`, as `torch.gather`; `index` has x's shape
 * except along `axis`. The gradient scatters back (summing repeated indices).
 *
 * @example
 * const picked = logp.gather(1, targets.reshape([-1, 1])); // log-probability of each target
 */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  const a = normAxis('gather', axis, x.ndim);
  if (index.ndim !== x.ndim || index.shape.some((d, i) => i !== a && d !== x.shape[i])) {
    throw new ShapeError('gather', `index shape ${fmt(index.shape)} must match input shape ${fmt(x.shape)} except along axis ${axis}`);
  }
  const [, n, inner] = around(x.shape, a);
  const m = index.shape[a]!;
  checkIndices('gather', index.data, n);
  const constants = { n, m, inner };
  const out = new Tensor(kernels.define('core.gather.forward', GATHER).run({ output: [index.size], constants, args: [x.data, index.data] }), index.shape);
  return Tensor.record(out, 'gather', [x], (g) => [
    new Tensor(kernels.define('core.gather.backward', GATHER_BACK).run({ output: [x.size], constants, args: [g.data, index.data], work: x.size * m }), x.shape),
  ]);
}

/**
 * Selects entries `indices` (a 1-D tensor) along `axis`, as `torch.index_select`; an embedding
 * lookup is `weight.indexSelect(0, ids)`. The gradient adds back into the selected rows.
 */
export function indexSelect(x: Tensor, axis: number, indices: Tensor): Tensor {
  const a = normAxis('indexSelect', axis, x.ndim);
  if (indices.ndim !== 1) throw new ShapeError('indexSelect', `indices must be 1-D, got shape ${fmt(indices.shape)}`);
  const [, n, inner] = around(x.shape, a);
  const m = indices.size;
  checkIndices('indexSelect', indices.data, n);
  const shape = x.shape.map((d, i) => (i === a ? m : d));
  const constants = { n, m, inner };
  const out = new Tensor(kernels.define('core.indexSelect.forward', SELECT).run({ output: [sizeOf(shape)], constants, args: [x.data, indices.data] }), shape);
  return Tensor.record(out, 'indexSelect', [x], (g) => [
    new Tensor(kernels.define('core.indexSelect.backward', SELECT_BACK).run({ output: [x.size], constants, args: [g.data, indices.data], work: x.size * m }), x.shape),
  ]);
}
