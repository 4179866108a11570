import { unbind, type Tensor } from '@eole/core';
import { Recurrent, type RecurrentOptions, type StepState } from './Recurrent.js';
import type { LSTMState } from './LSTMCell.js';
import { lstmCell } from '../functional/lstmCell.js';

/**
 * A long short-term memory layer unrolled over time (Hochreiter & Schmidhuber 1997, with the forget
 * gate of Gers, Schmidhuber & Cummins 2000), as `torch.nn.LSTM`: for each layer and step t,
 *
 *   [a_i a_f a_g a_o] = x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh
 *   c_t = σ(a_f) ⊙ c_{t−1} + σ(a_i) ⊙ tanh(a_g),   h_t = σ(a_o) ⊙ tanh(c_t)
 *
 * Input [T, N, in], output h_t of the last layer [T, N, H], time-major as PyTorch's default; with
 * `batchFirst: true` (PyTorch's `batch_first=True`) input [N, T, in] and output [N, T, H]. The
 * state { h, c } is [L, N, H] each in both layouts.
 * Parameters `weight_ih_l{k}` [4H, in], `weight_hh_l{k}` [4H, H], `bias_ih_l{k}`, `bias_hh_l{k}`
 * [4H] (gates i, f, g, o), uniform in ±1/√H as in PyTorch. The gate math of each step is one fused
 * gpu.js kernel ({@link lstmCell}). See {@link Recurrent} for lengths, stacking and dropout.
 *
 * @example
 * const lstm = new LSTM(65, 128, { numLayers: 2, dropout: 0.2, rng: new Generator(1) });
 * const y = lstm.forward(x);                                        // x [T, N, 65] → [T, N, 128]
 * new LSTM(65, 128, { batchFirst: true }).forward(xb);              // xb [N, T, 65] → [N, T, 128]
 * const { output, state } = lstm.forwardWithState(x2, { initial: detachState(lstm.finalState!) });
 */
export class LSTM extends Recurrent<LSTMState> {
  protected readonly foldsHiddenBias = true;

  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('LSTM', 4, true, inputSize, hiddenSize, options);
  }

  protected cellStep(xg: Tensor, hg: Tensor, prev: StepState): StepState {
    const [h, c] = unbind(lstmCell(xg, hg, prev.c!)) as [Tensor, Tensor];
    return { h, c };
  }
}
