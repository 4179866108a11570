import { Generator, defaultGenerator, Linear, LogSoftMax, ReLU, Sequential, Tanh, View, Dropout, type Module } from '@eole/core';
import { SpatialConvolution } from './SpatialConvolution.js';
import { SpatialMaxPooling } from './SpatialMaxPooling.js';
import { SpatialAveragePooling } from './SpatialAveragePooling.js';

/** Options of {@link LeNet5} and {@link LeNet1}. */
export interface LeNetOptions {
  /** Generator of the initial weights (default: the global one). */
  rng?: Generator;
  /** Non-linearity: `tanh` as in the paper (default), or `relu`. */
  activation?: 'tanh' | 'relu';
  /** Subsampling: `average` as in the paper (default), or `max`. */
  pooling?: 'average' | 'max';
  /** Dropout before the last two layers (0, the default, for none); draws from `dropoutRng`. */
  dropout?: number;
  dropoutRng?: Generator;
  /** Number of classes (default 10). */
  classes?: number;
}

function activation(kind: LeNetOptions['activation']): Module {
  return kind === 'relu' ? new ReLU() : new Tanh();
}

function pool(kind: LeNetOptions['pooling']): Module {
  return kind === 'max' ? new SpatialMaxPooling(2, 2, 2, 2) : new SpatialAveragePooling(2, 2, 2, 2);
}

/**
 * LeNet-5 (LeCun, Bottou, Bengio & Haffner, "Gradient-based learning applied to document
 * recognition", Proc. IEEE 1998) for 28×28 digits given as [N, 784] or [N, 1, 28, 28]:
 *
 *   C1 conv 1→6 5×5 (padding 2, the paper's 32×32 input) → S2 pool 2×2 → C3 conv 6→16 5×5
 *   → S4 pool 2×2 → C5 conv 16→120 5×5 → F6 Linear(120→84) → Linear(84→classes) → LogSoftMax,
 *
 * with a non-linearity after C1, C3, C5 and F6. C3 connects every S2 map (the paper's sparse
 * table was a compute-saving device of 1998), and the RBF output layer is a linear layer with
 * log-softmax, as in every modern reading of the paper.
 *
 * @example
 * const net = LeNet5({ rng: new Generator(1), activation: 'relu', pooling: 'max' });
 * net.forward(Tensor.zeros([32, 784])).shape; // [32, 10]
 */
export function LeNet5(options: LeNetOptions = {}): Sequential {
  const rng = options.rng ?? defaultGenerator;
  const net = new Sequential(
    new View(1, 28, 28),
    new SpatialConvolution(1, 6, 5, 5, 1, 1, 2, 2, { rng }),
    activation(options.activation),
    pool(options.pooling),
    new SpatialConvolution(6, 16, 5, 5, 1, 1, 0, 0, { rng }),
    activation(options.activation),
    pool(options.pooling),
    new SpatialConvolution(16, 120, 5, 5, 1, 1, 0, 0, { rng }),
    activation(options.activation),
    new View(120),
  );
  if (options.dropout) net.add(new Dropout(options.dropout, { rng: options.dropoutRng ?? defaultGenerator }));
  net.add(new Linear(120, 84, { rng })).add(activation(options.activation));
  if (options.dropout) net.add(new Dropout(options.dropout, { rng: options.dropoutRng ?? defaultGenerator }));
  return net.add(new Linear(84, options.classes ?? 10, { rng })).add(new LogSoftMax());
}
