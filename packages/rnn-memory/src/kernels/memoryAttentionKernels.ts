import { kernels } from '@eole/core';

/**
 * The sizes of a memory read: N rows, M memory slots of d values, and whether the addressing is a
 * softmax (1) or the linear start (0).
 */
export interface AttentionDims {
  N: number;
  M: number;
  d: number;
  softmax: 0 | 1;
}

/** s[n, i] = Σ_j a[n, i, j]·b[n, j]: the match of each memory with the controller state. */
const ROW_DOT = `function(a, b) {
  const t = this.thread.x;
  const d = this.constants.d;
  const n = Math.floor(t / this.constants.M);
  let s = 0;
  for (let j = 0; j < this.constants.d; j++) {
    s += a[t * d + j] * b[n * d + j];
  }
  return s;
}`;

/** lse[n] = log Σ_i exp(s[n, i]) over the live slots (mask 1) of row n; 0 for a row without any. */
const LOG_SUM_EXP = `function(s, mask) {
  const n = this.thread.x;
  const M = this.constants.M;
  let m = -3.0e38;
  for (let i = 0; i < this.constants.M; i++) {
    if (mask[n * M + i] > 0) {
      m = Math.max(m, s[n * M + i]);
    }
  }
  let z = 0;
  for (let i = 0; i < this.constants.M; i++) {
    if (mask[n * M + i] > 0) {
      z += Math.exp(s[n * M + i] - m);
    }
  }
  if (z > 0) {
    return m + Math.log(z);
  }
  return 0;
}`;

/**
 * p[n, i] = exp(s[n, i] − lse[n]) on live slots (softmax = 1), or s[n, i] (softmax = 0, the linear
 * start); 0 on empty slots (mask 0).
 */
const PROBS = `function(s, lse, mask) {
  const t = this.thread.x;
  const n = Math.floor(t / this.constants.M);
  if (mask[t] > 0) {
    if (this.constants.softmax > 0) {
      return Math.exp(s[t] - lse[n]);
    }
    return s[t];
  }
  return 0;
}`;

/** o[n, j] = Σ_i p[n, i]·a[n, i, j]: the read, a weighted sum of the memories. */
const WEIGHTED_SUM = `function(p, a) {
  const t = this.thread.x;
  const d = this.constants.d;
  const M = this.constants.M;
  const n = Math.floor(t / d);
  const j = t - n * d;
  let s = 0;
  for (let i = 0; i < this.constants.M; i++) {
    s += p[n * M + i] * a[(n * M + i) * d + j];
  }
  return s;
}`;

/** r[n, i, j] = p[n, i]·b[n, j]. */
const OUTER = `function(p, b) {
  const t = this.thread.x;
  const d = this.constants.d;
  const q = Math.floor(t / d);
  const j = t - q * d;
  const n = Math.floor(q / this.constants.M);
  return p[q] * b[n * d + j];
}`;

/** ∂s = p·(∂p − Σ_i p_i ∂p_i) for the softmax (dot[n] = Σ_i p_i ∂p_i), ∂s = ∂p·mask for the linear start. */
const SOFTMAX_BACK = `function(p, gp, dot, mask) {
  const t = this.thread.x;
  if (this.constants.softmax > 0) {
    return p[t] * (gp[t] - dot[Math.floor(t / this.constants.M)]);
  }
  return gp[t] * mask[t];
}`;

const constantsOf = (t: AttentionDims): { M: number; d: number; softmax: number } => ({ M: t.M, d: t.d, softmax: t.softmax });

/** s[n, i] = Σ_j a[n, i, j]·b[n, j] for a [N, M, d] and b [N, d]: [N·M] values. */
export function rowDot(a: Float32Array, b: Float32Array, t: AttentionDims): Float32Array {
  const k = kernels.define('rnn-memory.memoryAttention.rowDot', ROW_DOT);
  return k.run({ output: [t.N * t.M], constants: constantsOf(t), args: [a, b], work: t.N * t.M * t.d });
}

/** lse[n] = log Σ_i exp(s[n, i]) over the live slots of row n: [N] values. */
export function maskedLogSumExp(s: Float32Array, mask: Float32Array, t: AttentionDims): Float32Array {
  const k = kernels.define('rnn-memory.memoryAttention.logSumExp', LOG_SUM_EXP);
  return k.run({ output: [t.N], constants: constantsOf(t), args: [s, mask], work: t.N * t.M });
}

/** The attention p [N·M]: exp(s − lse) (softmax) or s (linear start) on live slots, 0 elsewhere. */
export function attentionProbs(s: Float32Array, lse: Float32Array, mask: Float32Array, t: AttentionDims): Float32Array {
  const k = kernels.define('rnn-memory.memoryAttention.probs', PROBS);
  return k.run({ output: [t.N * t.M], constants: constantsOf(t), args: [s, lse, mask] });
}

/** o[n, j] = Σ_i p[n, i]·a[n, i, j]: [N·d] values. */
export function weightedSum(p: Float32Array, a: Float32Array, t: AttentionDims): Float32Array {
  const k = kernels.define('rnn-memory.memoryAttention.weightedSum', WEIGHTED_SUM);
  return k.run({ output: [t.N * t.d], constants: constantsOf(t), args: [p, a], work: t.N * t.M * t.d });
}

/** r[n, i, j] = p[n, i]·b[n, j]: [N·M·d] values. */
export function rowOuter(p: Float32Array, b: Float32Array, t: AttentionDims): Float32Array {
  const k = kernels.define('rnn-memory.memoryAttention.outer', OUTER);
  return k.run({ output: [t.N * t.M * t.d], constants: constantsOf(t), args: [p, b] });
}

/** ∂s [N·M] from p, ∂p and dot[n] = Σ_i p_i ∂p_i (softmax), or ∂p·mask (linear start). */
export function attentionBackward(p: Float32Array, gp: Float32Array, dot: Float32Array, mask: Float32Array, t: AttentionDims): Float32Array {
  const k = kernels.define('rnn-memory.memoryAttention.softmaxBack', SOFTMAX_BACK);
  return k.run({ output: [t.N * t.M], constants: constantsOf(t), args: [p, gp, dot, mask] });
}
