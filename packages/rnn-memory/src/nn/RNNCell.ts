import { linear, Tensor } from '@eole/core';
import { cellInputRows, checkCellState, type RecurrentCellOptions } from './cellOptions.js';
import { RecurrentCell } from './RecurrentCell.js';

/** Options of {@link RNNCell}. */
export interface RNNCellOptions extends RecurrentCellOptions {
  /** The nonlinearity φ (default `tanh`). */
  nonlinearity?: 'tanh' | 'relu';
}

/**
 * One step of the simple recurrent net (Elman, "Finding structure in time", Cognitive Science
 * 1990), as `torch.nn.RNNCell`:
 *
 *   h′ = φ(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh),   φ = tanh or ReLU
 *
 * with W_ih [H, in], W_hh [H, H] (PyTorch names and layout, so a state dict loads in PyTorch),
 * every weight and bias initialised uniform in ±1/√H. `step(x, h)` advances a state; `forward(x)`
 * is a step from the zero state.
 *
 * @example
 * const cell = new RNNCell(10, 20, { rng: new Generator(1) });
 * let h = cell.step(x0);          // x0 [N, 10] → h [N, 20]
 * h = cell.step(x1, h);
 */
export class RNNCell extends RecurrentCell {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    super(inputSize, hiddenSize, 1, options);
    const nonlinearity = options.nonlinearity ?? 'tanh';
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw new RangeError(`RNNCell: nonlinearity must be 'tanh' or 'relu', got '${String(nonlinearity)}'`);
    this.nonlinearity = nonlinearity;
  }

  /** One step: the new hidden state [N, H] from x [N, in] and h [N, H] (default zeros). */
  step(x: Tensor, h?: Tensor): Tensor {
    const N = cellInputRows(this.typeName(), x, this.inputSize);
    if (h) checkCellState(this.typeName(), 'h', h, N, this.hiddenSize);
    const prev = h ?? Tensor.zeros([N, this.hiddenSize]);
    const total = linear(x, this.weight_ih, this.bias_ih).add(linear(prev, this.weight_hh, this.bias_hh));
    return this.nonlinearity === 'tanh' ? total.tanh() : total.relu();
  }

  protected updateOutput(input: Tensor): Tensor {
    return this.step(input);
  }

  override toString(): string {
    return `nn.RNNCell(${this.inputSize} -> ${this.hiddenSize}, ${this.nonlinearity}${this.bias_ih ? '' : ', without bias'})`;
  }
}
