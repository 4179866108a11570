import { formatShape, ShapeError, Tensor } from '@eole/core';
import { lstmCellBackward, lstmCellForward } from '../kernels/lstmCellKernels.js';
import { expectShape } from './expectShape.js';

/**
 * The LSTM cell's gate math as one autograd node with a hand-written backward (Hochreiter &
 * Schmidhuber, "Long short-term memory", Neural Computation 1997; the forget gate of Gers,
 * Schmidhuber & Cummins, "Learning to forget", Neural Computation 2000). Given the gate
 * pre-activations a = xGates + hGates [N, 4H] (in PyTorch's i, f, g, o column blocks: xGates =
 * x·W_ihᵀ + b_ih, hGates = h·W_hhᵀ + b_hh) and the previous cell state c [N, H]:
 *
 *   i = σ(a_i),  f = σ(a_f),  g = tanh(a_g),  o = σ(a_o)
 *   c′ = f ⊙ c + i ⊙ g,   h′ = o ⊙ tanh(c′)
 *
 * Returns the new state stacked as [2, N, H]: h′ = out[0], c′ = out[1]. Forward is one gpu.js
 * kernel through core's registry and backward another (∂c̃ = ∂c′ + ∂h′ ⊙ o ⊙ (1 − tanh² c′),
 * ∂a_i = ∂c̃ ⊙ g ⊙ i(1 − i), ∂a_f = ∂c̃ ⊙ c ⊙ f(1 − f), ∂a_g = ∂c̃ ⊙ i ⊙ (1 − g²),
 * ∂a_o = ∂h′ ⊙ tanh c′ ⊙ o(1 − o), ∂c = ∂c̃ ⊙ f).
 *
 * @example
 * const hc = lstmCell(linear(x, wIh, bIh), linear(h, wHh, bHh), c); // [2, N, H]
 * const [h1, c1] = unbind(hc);
 */
export function lstmCell(xGates: Tensor, hGates: Tensor, c: Tensor): Tensor {
  const op = 'lstmCell';
  if (c.ndim !== 2) throw new ShapeError(op, `c must be [N, H], got ${formatShape(c.shape)}`);
  const [N, H] = c.shape as [number, number];
  expectShape(op, 'xGates', xGates, [N, 4 * H]);
  expectShape(op, 'hGates', hGates, [N, 4 * H]);
  const NH = N * H;
  const saved = lstmCellForward(xGates.data, hGates.data, c.data, N, H);
  const out = new Tensor(saved.subarray(0, 2 * NH), [2, N, H]);
  return Tensor.record(out, 'lstmCell', [xGates, hGates, c], (g, needs) => {
    const grads = lstmCellBackward(g.data, saved, c.data, N, H);
    const dGates = new Tensor(grads.subarray(0, 4 * NH), [N, 4 * H]);
    return [needs[0] ? dGates : null, needs[1] ? dGates : null, needs[2] ? new Tensor(grads.subarray(4 * NH, 5 * NH), [N, H]) : null];
  });
}
