import type { Tensor } from '@eole/core';
import { Recurrent, type RecurrentOptions, type StepState } from './Recurrent.js';
import type { HiddenState } from './GRU.js';

/** Options of {@link RNN}. */
export interface RNNOptions extends RecurrentOptions {
  /** The nonlinearity φ (default `tanh`). */
  nonlinearity?: 'tanh' | 'relu';
}

/**
 * The simple recurrent net unrolled over time (Elman, Cognitive Science 1990), as
 * `torch.nn.RNN`: for each layer and step t,
 *
 *   h_t = φ(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh),   φ = tanh or ReLU
 *
 * Input [T, N, in], output [T, N, H] (with `batchFirst: true`: [N, T, in] and [N, T, H]), state
 * { h } [L, N, H]. Parameters `weight_ih_l{k}` [H, in],
 * `weight_hh_l{k}` [H, H], biases [H], uniform in ±1/√H. See {@link Recurrent} for lengths,
 * stacking and dropout.
 *
 * @example
 * const rnn = new RNN(8, 16, { numLayers: 2, rng: new Generator(1) });
 * const y = rnn.forward(x); // x [T, N, 8] → [T, N, 16]
 */
export class RNN extends Recurrent<HiddenState> {
  protected readonly foldsHiddenBias = true;
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super('RNN', 1, false, inputSize, hiddenSize, options);
    const nonlinearity = options.nonlinearity ?? 'tanh';
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw new RangeError(`RNN: nonlinearity must be 'tanh' or 'relu', got '${String(nonlinearity)}'`);
    this.nonlinearity = nonlinearity;
  }

  protected cellStep(xg: Tensor, hg: Tensor): StepState {
    const pre = xg.add(hg);
    return { h: this.nonlinearity === 'tanh' ? pre.tanh() : pre.relu(), c: null };
  }

  override toString(): string {
    return super.toString().replace(/\)$/, this.nonlinearity === 'relu' ? ', relu)' : ')');
  }
}
