import { defaultGenerator, Module, Tensor } from '@eole/core';
import { checkSize, initBound, type RecurrentCellOptions } from './cellOptions.js';

/**
 * What {@link RNNCell}, {@link LSTMCell} and {@link GRUCell} share: PyTorch's parameters
 * `weight_ih` [G·H, in], `weight_hh` [G·H, H], `bias_ih` and `bias_hh` [G·H] for G gates, drawn in
 * that order uniform in ±1/√H, under PyTorch's names so a state dict loads in PyTorch.
 */
export abstract class RecurrentCell extends Module {
  readonly weight_ih: Tensor;
  readonly weight_hh: Tensor;
  readonly bias_ih: Tensor | null;
  readonly bias_hh: Tensor | null;

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    gates: number,
    options: RecurrentCellOptions = {},
  ) {
    super();
    checkSize(new.target.name, 'inputSize', inputSize);
    checkSize(new.target.name, 'hiddenSize', hiddenSize);
    const rng = options.rng ?? defaultGenerator;
    const rows = gates * hiddenSize;
    const k = initBound(hiddenSize);
    this.weight_ih = this.registerParameter('weight_ih', Tensor.uniform([rows, inputSize], rng, -k, k));
    this.weight_hh = this.registerParameter('weight_hh', Tensor.uniform([rows, hiddenSize], rng, -k, k));
    const bias = options.bias !== false;
    this.bias_ih = bias ? this.registerParameter('bias_ih', Tensor.uniform([rows], rng, -k, k)) : null;
    this.bias_hh = bias ? this.registerParameter('bias_hh', Tensor.uniform([rows], rng, -k, k)) : null;
  }
}
