import { Tensor } from '../tensor/Tensor.js';
import { around, normAxis } from '../tensor/shape.js';
import { kernels } from '../kernels/KernelRegistry.js';
import { binaryRaw, unaryRaw } from './elementwise.js';
import { expandAlong, reduceRaw } from './reduce.js';

const HEAD = `const i = this.thread.x; const inn = this.constants.inner; const nn = this.constants.n;`;

/** log Σₖ exp(x_k) along the axis, stabilised by the maximum. */
const LSE = `function(a) { ${HEAD} const o = Math.floor(i / inn); const j = i - o * inn; const base = o * nn * inn + j;
let m = a[base]; for (let k = 1; k < this.constants.n; k++) { m = Math.max(m, a[base + k * inn]); }
let s = 0; for (let k = 0; k < this.constants.n; k++) { s += Math.exp(a[base + k * inn] - m); }
return m + Math.log(s); }`;

/** x − lse (log-softmax) or exp(x − lse) (softmax), with lse indexed by [outer, inner]. */
const APPLY = (expr: string): string => `function(a, l) { ${HEAD} const o = Math.floor(i / (nn * inn)); const j = i - Math.floor(i / inn) * inn;
const v = a[i] - l[o * inn + j]; return ${expr}; }`;

function lse(x: Tensor, axis: number): Float32Array {
  const [outer, n, inner] = around(x.shape, axis);
  return kernels.define('core.softmax.logSumExp', LSE).run({ output: [outer * inner], constants: { n, inner }, args: [x.data], work: 3 * x.size });
}

function apply(kind: 'log' | 'exp', x: Tensor, l: Float32Array, axis: number): Tensor {
  const [, n, inner] = around(x.shape, axis);
  const k = kernels.define(kind === 'log' ? 'core.logSoftmax.forward' : 'core.softmax.forward', () => APPLY(kind === 'log' ? 'v' : 'Math.exp(v)'));
  return new Tensor(k.run({ output: [x.size], constants: { n, inner }, args: [x.data, l] }), x.shape);
}

/** Σ over `axis`, broadcast back to t's shape. */
function sumAlong(t: Tensor, axis: number): Tensor {
  const [outer, , inner] = around(t.shape, axis);
  return expandAlong(new Tensor(reduceRaw('sum', t, axis), [outer * inner]), t.shape, axis);
}

/**
 * Log-softmax along `axis`: yᵢ = xᵢ − log Σⱼ exp(xⱼ). Backward: ∂x = g − softmax(x)·Σ g.
 *
 * @example
 * const logp = logits.logSoftmax(1); // rows of log-probabilities
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const a = normAxis('logSoftmax', axis, x.ndim);
  const y = apply('log', x, lse(x, a), a);
  return Tensor.record(y, 'logSoftmax', [x], (g) => {
    const p = unaryRaw('exp', y);
    return [binaryRaw('sub', g, binaryRaw('mul', p, sumAlong(g, a)))];
  });
}

/** Softmax along `axis`: yᵢ = exp(xᵢ) / Σⱼ exp(xⱼ). Backward: ∂x = y·(g − Σ g·y). */
export function softmax(x: Tensor, axis = -1): Tensor {
  const a = normAxis('softmax', axis, x.ndim);
  const y = apply('exp', x, lse(x, a), a);
  return Tensor.record(y, 'softmax', [x], (g) => [binaryRaw('mul', y, binaryRaw('sub', g, sumAlong(binaryRaw('mul', g, y), a)))]);
}
