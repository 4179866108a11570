import { kernels } from '@eole/core';
import { runGateKernel } from './cellKernels.js';

/**
 * Forward: one thread per (slot s, row n, unit j) of an output [4, N, H] whose slots are h′, r, z,
 * n (the new state, then the activations backward needs). The h′ threads recompute r, z and n.
 */
const FORWARD = `function(xg, hg, hp) {
  const j = this.thread.x; const row = this.thread.y; const s = this.thread.z;
  const H = this.constants.H;
  const b = row * 3 * H + j;
  const r = 1 / (1 + Math.exp(-(xg[b] + hg[b])));
  if (s === 1) { return r; }
  const z = 1 / (1 + Math.exp(-(xg[b + H] + hg[b + H])));
  if (s === 2) { return z; }
  const n = Math.tanh(xg[b + 2 * H] + r * hg[b + 2 * H]);
  if (s === 3) { return n; }
  return (1 - z) * n + z * hp[row * H + j];
}`;

/**
 * Backward: output [3, N, 3H]: ∂L/∂xGates [N, 3H], ∂L/∂hGates [N, 3H], and in the first N·H cells
 * of the last slot the direct part of ∂L/∂h, ∂h′/∂h ⊙ ∂L/∂h′ = z ⊙ ∂L/∂h′.
 */
const BACKWARD = `function(gy, saved, hg, hp) {
  const x = this.thread.x; const s = this.thread.z;
  const H = this.constants.H; const NH = this.constants.NH;
  let row = Math.floor(this.thread.y);
  let blk = Math.floor(x / H);
  let j = x - blk * H;
  if (s === 2) {
    const q = this.thread.y * 3 * H + x;
    if (q >= NH) { return 0; }
    row = Math.floor(q / H);
    j = q - row * H;
    blk = 3;
  }
  const u = row * H + j;
  const dh = gy[u];
  const r = saved[NH + u]; const z = saved[2 * NH + u]; const n = saved[3 * NH + u];
  if (blk === 3) { return dh * z; }
  if (blk === 1) { return dh * (hp[u] - n) * z * (1 - z); }
  const dn = dh * (1 - z) * (1 - n * n);
  if (blk === 2) {
    if (s === 1) { return dn * r; }
    return dn;
  }
  return dn * hg[row * 3 * H + 2 * H + j] * r * (1 - r);
}`;

/**
 * The GRU cell's forward for N rows of H units: [4, N, H] = h′, r, z, n from the gate
 * pre-activations xGates, hGates [N, 3H] and the previous state h [N, H].
 */
export function gruCellForward(xGates: Float32Array, hGates: Float32Array, h: Float32Array, N: number, H: number): Float32Array {
  const forward = kernels.define('rnn-memory.gruCell.forward', FORWARD);
  return runGateKernel(forward, { output: [H, N, 4], constants: { H }, args: [xGates, hGates, h] });
}

/** The GRU cell's backward from ∂h′ [N, H] and the forward's `saved` [4, N, H]: [3, N, 3H] = ∂xGates, ∂hGates, z ⊙ ∂h′. */
export function gruCellBackward(g: Float32Array, saved: Float32Array, hGates: Float32Array, h: Float32Array, N: number, H: number): Float32Array {
  const backward = kernels.define('rnn-memory.gruCell.backward', BACKWARD);
  return runGateKernel(backward, { output: [3 * H, N, 3], constants: { H, NH: N * H }, args: [g, saved, hGates, h] });
}
