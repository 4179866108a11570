import { kernels } from '@eole/core';

/** The sizes of a batch-normalization launch: x is [N, C, HW], with M = N·HW values per channel. */
export interface ChannelDims {
  N: number;
  C: number;
  HW: number;
  M: number;
}

/** Per channel c of x [N, C, HW]: [mean, biased variance] (two passes, the second centred). */
const STATS = `function(x) {
  const c = this.thread.x;
  let s = 0;
  for (let n = 0; n < this.constants.N; n++) {
    const base = (n * this.constants.C + c) * this.constants.HW;
    for (let i = 0; i < this.constants.HW; i++) { s += x[base + i]; }
  }
  const mean = s / this.constants.M;
  let v = 0;
  for (let n = 0; n < this.constants.N; n++) {
    const base = (n * this.constants.C + c) * this.constants.HW;
    for (let i = 0; i < this.constants.HW; i++) { const d = x[base + i] - mean; v += d * d; }
  }
  return [mean, v / this.constants.M];
}`;

/** Per channel: [Σ g, Σ g·(x − mean)]. */
const GRAD_SUMS = `function(g, x, mean) {
  const c = this.thread.x;
  const m = mean[c];
  let sg = 0;
  let sgx = 0;
  for (let n = 0; n < this.constants.N; n++) {
    const base = (n * this.constants.C + c) * this.constants.HW;
    for (let i = 0; i < this.constants.HW; i++) { sg += g[base + i]; sgx += g[base + i] * (x[base + i] - m); }
  }
  return [sg, sgx];
}`;

/** y = x·scale[c] + shift[c], output [HW, C, N] in gpu.js order (thread.y is the channel). */
const APPLY = `function(x, scale, shift) {
  const c = this.thread.y;
  return x[(this.thread.z * this.constants.C + c) * this.constants.HW + this.thread.x] * scale[c] + shift[c];
}`;

/** ∂x = a[c]·(g − b[c] − (x − mean[c])·e[c]), output [HW, C, N]. */
const GRAD_INPUT = `function(g, x, a, b, mean, e) {
  const c = this.thread.y;
  const k = (this.thread.z * this.constants.C + c) * this.constants.HW + this.thread.x;
  return a[c] * (g[k] - b[c] - (x[k] - mean[c]) * e[c]);
}`;

/** Splits an interleaved [a0, b0, a1, b1, …] kernel result into two arrays. */
function split(ab: Float32Array, n: number): [Float32Array, Float32Array] {
  const a = new Float32Array(n);
  const b = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = ab[2 * i]!;
    b[i] = ab[2 * i + 1]!;
  }
  return [a, b];
}

/** Per channel of x [N, C, HW]: the mean and the biased variance, [C] each. */
export function channelStats(x: Float32Array, dims: ChannelDims): [Float32Array, Float32Array] {
  const k = kernels.define('conv.batchNorm2d.stats', STATS, 'Array(2)');
  return split(k.run({ output: [dims.C], constants: { ...dims }, args: [x], work: 2 * x.length }), dims.C);
}

/** Per channel: Σ g and Σ g·(x − mean), [C] each. */
export function channelGradSums(g: Float32Array, x: Float32Array, mean: Float32Array, dims: ChannelDims): [Float32Array, Float32Array] {
  const k = kernels.define('conv.batchNorm2d.gradSums', GRAD_SUMS, 'Array(2)');
  return split(k.run({ output: [dims.C], constants: { ...dims }, args: [g, x, mean], work: 2 * x.length }), dims.C);
}

/** y = x·scale[c] + shift[c] for x [N, C, HW]. */
export function channelAffine(x: Float32Array, scale: Float32Array, shift: Float32Array, dims: ChannelDims): Float32Array {
  const k = kernels.define('conv.batchNorm2d.apply', APPLY);
  return k.run({ output: [dims.HW, dims.C, dims.N], constants: { ...dims }, args: [x, scale, shift] });
}

/** ∂x = a[c]·(g − b[c] − (x − mean[c])·e[c]) for g, x [N, C, HW]. */
export function batchNormGradInput(g: Float32Array, x: Float32Array, a: Float32Array, b: Float32Array, mean: Float32Array, e: Float32Array, dims: ChannelDims): Float32Array {
  const k = kernels.define('conv.batchNorm2d.gradInput', GRAD_INPUT);
  return k.run({ output: [dims.HW, dims.C, dims.N], constants: { ...dims }, args: [g, x, a, b, mean, e], work: 2 * x.length });
}
