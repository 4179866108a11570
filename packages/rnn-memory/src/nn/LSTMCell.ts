import { linear, Tensor, unbind } from '@eole/core';
import { cellInputRows, checkCellState, type RecurrentCellOptions } from './cellOptions.js';
import { RecurrentCell } from './RecurrentCell.js';
import { lstmCell } from '../functional/lstmCell.js';

/** Options of {@link LSTMCell}. */
export interface LSTMCellOptions extends RecurrentCellOptions {
  /**
   * Added to the forget gate's block of b_ih after the uniform initialisation (default 0, PyTorch's
   * initialisation); 1 is the choice of Jozefowicz, Zaremba & Sutskever (ICML 2015), so that the
   * cell remembers by default early in training.
   */
  forgetBias?: number;
}

/** The state of an LSTM: hidden state h and cell state c, [N, H] for a cell, [L, N, H] for a layer. */
export interface LSTMState {
  h: Tensor;
  c: Tensor;
}

/**
 * One step of the long short-term memory (Hochreiter & Schmidhuber, Neural Computation 1997) with
 * the forget gate of Gers, Schmidhuber & Cummins (2000), as `torch.nn.LSTMCell`:
 *
 *   [a_i a_f a_g a_o] = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh
 *   i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o)
 *   c′ = f ⊙ c + i ⊙ g,   h′ = o ⊙ tanh(c′)
 *
 * W_ih [4H, in] and W_hh [4H, H] hold the gates in PyTorch's order i, f, g, o under PyTorch's
 * names (`weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`), so a state dict loads in PyTorch; every
 * weight and bias starts uniform in ±1/√H. The gate math after the two matmuls is one fused gpu.js
 * kernel and one autograd node ({@link lstmCell}). `forward(x)` is a step from the zero state and
 * returns h′.
 *
 * @example
 * const cell = new LSTMCell(10, 20, { rng: new Generator(1) });
 * let s = cell.step(x0);       // { h: [N, 20], c: [N, 20] }
 * s = cell.step(x1, s);
 */
export class LSTMCell extends RecurrentCell {
  constructor(inputSize: number, hiddenSize: number, options: LSTMCellOptions = {}) {
    super(inputSize, hiddenSize, 4, options);
    const H = hiddenSize;
    const forgetBias = options.forgetBias ?? 0;
    if (!Number.isFinite(forgetBias)) throw new RangeError(`LSTMCell: forgetBias must be a finite number, got ${String(forgetBias)}`);
    if (forgetBias !== 0) {
      if (!this.bias_ih) throw new Error('LSTMCell: forgetBias needs the biases (bias: false was given)');
      for (let j = H; j < 2 * H; j++) this.bias_ih.data[j]! += forgetBias;
    }
  }

  /** One step from x [N, in] and the state { h, c } (default zeros) to the new state. */
  step(x: Tensor, state?: LSTMState): LSTMState {
    const owner = this.typeName();
    const N = cellInputRows(owner, x, this.inputSize);
    const H = this.hiddenSize;
    let h: Tensor;
    let c: Tensor;
    if (state) {
      checkCellState(owner, 'state.h', state.h, N, H);
      checkCellState(owner, 'state.c', state.c, N, H);
      ({ h, c } = state);
    } else {
      h = Tensor.zeros([N, H]);
      c = Tensor.zeros([N, H]);
    }
    const xGates = linear(x, this.weight_ih, this.bias_ih);
    const hGates = linear(h, this.weight_hh, this.bias_hh);
    const [h1, c1] = unbind(lstmCell(xGates, hGates, c)) as [Tensor, Tensor];
    return { h: h1, c: c1 };
  }

  protected updateOutput(input: Tensor): Tensor {
    return this.step(input).h;
  }

  override toString(): string {
    return `nn.LSTMCell(${this.inputSize} -> ${this.hiddenSize}${this.bias_ih ? '' : ', without bias'})`;
  }
}
