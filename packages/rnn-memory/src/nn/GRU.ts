import type { Tensor } from '@eole/core';
import { Recurrent, type RecurrentOptions, type StepState } from './Recurrent.js';
import { gruCell } from '../functional/gruCell.js';

/** The state of a GRU or simple RNN layer: h [L, N, H]. */
export interface HiddenState {
  h: Tensor;
}

/**
 * A gated recurrent unit layer unrolled over time (Cho et al., EMNLP 2014), as
 * `torch.nn.GRU`: for each layer and step t,
 *
 *   r = σ(x_t·W_irᵀ + b_ir + h_{t−1}·W_hrᵀ + b_hr),  z = σ(x_t·W_izᵀ + b_iz + h_{t−1}·W_hzᵀ + b_hz)
 *   n = tanh(x_t·W_inᵀ + b_in + r ⊙ (h_{t−1}·W_hnᵀ + b_hn)),  h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
 *
 * Input [T, N, in], output [T, N, H] (with `batchFirst: true`: [N, T, in] and [N, T, H]), state
 * { h } [L, N, H]. Parameters `weight_ih_l{k}` [3H, in],
 * `weight_hh_l{k}` [3H, H], biases [3H] (gates r, z, n), uniform in ±1/√H. The gate math of each
 * step is one fused gpu.js kernel ({@link gruCell}). See {@link Recurrent} for lengths, stacking
 * and dropout.
 *
 * @example
 * const gru = new GRU(16, 32, { rng: new Generator(1) });
 * const { output, state } = gru.forwardWithState(x, { lengths: [5, 3] }); // x [5, 2, 16] (T = 5, N = 2)
 */
export class GRU extends Recurrent<HiddenState> {
  protected readonly foldsHiddenBias = false;

  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('GRU', 3, false, inputSize, hiddenSize, options);
  }

  protected cellStep(xg: Tensor, hg: Tensor, prev: StepState): StepState {
    return { h: gruCell(xg, hg, prev.h), c: null };
  }
}
