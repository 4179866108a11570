import { kernels, ShapeError, Tensor, type Kernel } from '@eole/core';
import { expectShape, runGateKernel } from '../kernels/cellKernels.js';

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

let forwardKernel: Kernel | null = null;
let backwardKernel: Kernel | null = null;

function gruKernels(): { forward: Kernel; backward: Kernel } {
  forwardKernel ??= kernels.define('rnn.gruCell.forward', FORWARD);
  backwardKernel ??= kernels.define('rnn.gruCell.backward', BACKWARD);
  return { forward: forwardKernel, backward: backwardKernel };
}

/**
 * The gated recurrent unit's gate math as one autograd node with a hand-written backward (Cho, van
 * Merriënboer, Gulcehre, Bahdanau, Bougares, Schwenk & Bengio, "Learning phrase representations
 * using RNN encoder-decoder for statistical machine translation", EMNLP 2014), in PyTorch's form:
 * given xGates = x·W_ihᵀ + b_ih and hGates = h·W_hhᵀ + b_hh [N, 3H] in the r, z, n column blocks
 * and the previous state h [N, H],
 *
 *   r = σ(x_r + h_r),  z = σ(x_z + h_z),  n = tanh(x_n + r ⊙ h_n)
 *   h′ = (1 − z) ⊙ n + z ⊙ h
 *
 * Backward: ∂a_n = ∂h′ ⊙ (1 − z) ⊙ (1 − n²) (to x_n; times r to h_n), ∂a_z = ∂h′ ⊙ (h − n) ⊙
 * z(1 − z), ∂a_r = ∂a_n ⊙ h_n ⊙ r(1 − r), ∂h = z ⊙ ∂h′ (plus what flows through hGates).
 *
 * @example
 * const h1 = gruCell(linear(x, wIh, bIh), linear(h, wHh, bHh), h); // [N, H]
 */
export function gruCell(xGates: Tensor, hGates: Tensor, h: Tensor): Tensor {
  const op = 'gruCell';
  if (h.ndim !== 2) throw new ShapeError(op, `h must be [N, H], got [${h.shape.join(', ')}]`);
  const [N, H] = h.shape as [number, number];
  expectShape(op, 'xGates', xGates, [N, 3 * H]);
  expectShape(op, 'hGates', hGates, [N, 3 * H]);
  const NH = N * H;
  const { forward, backward } = gruKernels();
  const saved = runGateKernel(forward, { output: [H, N, 4], constants: { H }, args: [xGates.data, hGates.data, h.data] });
  const out = new Tensor(saved.subarray(0, NH), [N, H]);
  return Tensor.record(out, 'gruCell', [xGates, hGates, h], (g, needs) => {
    const grads = runGateKernel(backward, { output: [3 * H, N, 3], constants: { H, NH }, args: [g.data, saved, hGates.data, h.data] });
    const part = (k: number): Tensor => new Tensor(grads.subarray(k * 3 * NH, (k + 1) * 3 * NH), [N, 3 * H]);
    return [needs[0] ? part(0) : null, needs[1] ? part(1) : null, needs[2] ? new Tensor(grads.subarray(6 * NH, 7 * NH), [N, H]) : null];
  });
}
