import { kernels } from '@eole/core';
import { runGateKernel } from './cellKernels.js';

/**
 * Forward: one thread per (slot s, row n, unit j) of an output [6, N, H] whose slots are
 * h′, c′, i, f, g, o. The first two slots are the new state (returned), the last four the gate
 * activations backward needs, so backward calls no transcendental function. Threads cannot share
 * values in gpu.js, so the h′ and c′ threads recompute the gates they need: 12 `exp`/`tanh` calls
 * per unit instead of 5. Measured at N = 32, H = 128 in gpu.js cpu mode: 0.9 ms, against 0.5 ms
 * for two launches (an activation kernel, then a state kernel). The cell stays one launch and one
 * pass over its inputs; it is about a tenth of an LSTM training step, the matmuls three quarters.
 */
const FORWARD = `function(xg, hg, cp) {
  const j = this.thread.x; const n = this.thread.y; const s = this.thread.z;
  const H = this.constants.H;
  const b = n * 4 * H + j;
  if (s === 2) { return 1 / (1 + Math.exp(-(xg[b] + hg[b]))); }
  if (s === 3) { return 1 / (1 + Math.exp(-(xg[b + H] + hg[b + H]))); }
  if (s === 4) { return Math.tanh(xg[b + 2 * H] + hg[b + 2 * H]); }
  if (s === 5) { return 1 / (1 + Math.exp(-(xg[b + 3 * H] + hg[b + 3 * H]))); }
  const i = 1 / (1 + Math.exp(-(xg[b] + hg[b])));
  const f = 1 / (1 + Math.exp(-(xg[b + H] + hg[b + H])));
  const g = Math.tanh(xg[b + 2 * H] + hg[b + 2 * H]);
  const c = f * cp[n * H + j] + i * g;
  if (s === 1) { return c; }
  const o = 1 / (1 + Math.exp(-(xg[b + 3 * H] + hg[b + 3 * H])));
  return o * Math.tanh(c);
}`;

/**
 * Backward: output [2, N, 4H]. Slot 0 is ∂L/∂gates [N, 4H] in the i, f, g, o column blocks (the
 * same for the input and the hidden pre-activations); slot 1 holds ∂L/∂c [N, H] in its first N·H
 * cells (the rest of the slot is padding). tanh c′ is read back as h′/o (both saved), which is exact
 * to float32 rounding; where o = 0 every term that uses it is multiplied by o anyway.
 */
const BACKWARD = `function(gy, saved, cp) {
  const x = this.thread.x;
  const H = this.constants.H; const NH = this.constants.NH;
  let n = Math.floor(this.thread.y);
  let blk = Math.floor(x / H);
  let j = x - blk * H;
  if (this.thread.z === 1) {
    const q = this.thread.y * 4 * H + x;
    if (q >= NH) { return 0; }
    n = Math.floor(q / H);
    j = q - n * H;
    blk = 4;
  }
  const u = n * H + j;
  const dh = gy[u]; const dc = gy[NH + u]; const h = saved[u];
  const i = saved[2 * NH + u]; const f = saved[3 * NH + u]; const g = saved[4 * NH + u]; const o = saved[5 * NH + u];
  let tc = 0;
  if (o > 0) { tc = h / o; }
  const dct = dc + dh * o * (1 - tc * tc);
  if (blk === 4) { return dct * f; }
  if (blk === 0) { return dct * g * i * (1 - i); }
  if (blk === 1) { return dct * cp[u] * f * (1 - f); }
  if (blk === 2) { return dct * i * (1 - g * g); }
  return dh * tc * o * (1 - o);
}`;

/**
 * The LSTM cell's forward for N rows of H units: [6, N, H] = h′, c′, i, f, g, o from the gate
 * pre-activations xGates, hGates [N, 4H] and the previous cell state c [N, H].
 */
export function lstmCellForward(xGates: Float32Array, hGates: Float32Array, c: Float32Array, N: number, H: number): Float32Array {
  const forward = kernels.define('rnn-memory.lstmCell.forward', FORWARD);
  return runGateKernel(forward, { output: [H, N, 6], constants: { H }, args: [xGates, hGates, c] });
}

/** The LSTM cell's backward from ∂[h′, c′] [2, N, H] and the forward's `saved` [6, N, H]: [2, N, 4H] = ∂gates, ∂c. */
export function lstmCellBackward(g: Float32Array, saved: Float32Array, c: Float32Array, N: number, H: number): Float32Array {
  const backward = kernels.define('rnn-memory.lstmCell.backward', BACKWARD);
  return runGateKernel(backward, { output: [4 * H, N, 2], constants: { H, NH: N * H }, args: [g, saved, c] });
}
