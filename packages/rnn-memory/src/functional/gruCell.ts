import { formatShape, ShapeError, Tensor } from '@eole/core';
import { gruCellBackward, gruCellForward } from '../kernels/gruCellKernels.js';
import { expectShape } from './expectShape.js';

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
  if (h.ndim !== 2) throw new ShapeError(op, `h must be [N, H], got ${formatShape(h.shape)}`);
  const [N, H] = h.shape as [number, number];
  expectShape(op, 'xGates', xGates, [N, 3 * H]);
  expectShape(op, 'hGates', hGates, [N, 3 * H]);
  const NH = N * H;
  const saved = gruCellForward(xGates.data, hGates.data, h.data, N, H);
  const out = new Tensor(saved.subarray(0, NH), [N, H]);
  return Tensor.record(out, 'gruCell', [xGates, hGates, h], (g, needs) => {
    const grads = gruCellBackward(g.data, saved, hGates.data, h.data, N, H);
    const part = (k: number): Tensor => new Tensor(grads.subarray(k * 3 * NH, (k + 1) * 3 * NH), [N, 3 * H]);
    return [needs[0] ? part(0) : null, needs[1] ? part(1) : null, needs[2] ? new Tensor(grads.subarray(6 * NH, 7 * NH), [N, H]) : null];
  });
}
