import { linear, Tensor } from '@eole/core';
import { cellInputRows, checkCellState, type RecurrentCellOptions } from './cellOptions.js';
import { RecurrentCell } from './RecurrentCell.js';
import { gruCell } from '../functional/gruCell.js';

/**
 * One step of the gated recurrent unit (Cho et al., EMNLP 2014), as `torch.nn.GRUCell`:
 *
 *   r = σ(x·W_irᵀ + b_ir + h·W_hrᵀ + b_hr)
 *   z = σ(x·W_izᵀ + b_iz + h·W_hzᵀ + b_hz)
 *   n = tanh(x·W_inᵀ + b_in + r ⊙ (h·W_hnᵀ + b_hn))
 *   h′ = (1 − z) ⊙ n + z ⊙ h
 *
 * W_ih [3H, in] and W_hh [3H, H] hold the gates in PyTorch's order r, z, n under PyTorch's names;
 * every weight and bias starts uniform in ±1/√H. The gate math after the two matmuls is one fused
 * gpu.js kernel and one autograd node ({@link gruCell}). `forward(x)` is a step from the zero state.
 *
 * @example
 * const cell = new GRUCell(10, 20, { rng: new Generator(1) });
 * let h = cell.step(x0);     // [N, 20]
 * h = cell.step(x1, h);
 */
export class GRUCell extends RecurrentCell {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentCellOptions = {}) {
    super(inputSize, hiddenSize, 3, options);
    const H = hiddenSize;
  }

  /** One step: the new hidden state [N, H] from x [N, in] and h [N, H] (default zeros). */
  step(x: Tensor, h?: Tensor): Tensor {
    const N = cellInputRows(this.typeName(), x, this.inputSize);
    if (h) checkCellState(this.typeName(), 'h', h, N, this.hiddenSize);
    const prev = h ?? Tensor.zeros([N, this.hiddenSize]);
    return gruCell(linear(x, this.weight_ih, this.bias_ih), linear(prev, this.weight_hh, this.bias_hh), prev);
  }

  protected updateOutput(input: Tensor): Tensor {
    return this.step(input);
  }

  override toString(): string {
    return `nn.GRUCell(${this.inputSize} -> ${this.hiddenSize}${this.bias_ih ? '' : ', without bias'})`;
  }
}
