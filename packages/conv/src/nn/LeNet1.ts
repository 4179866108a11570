import { defaultGenerator, Linear, LogSoftMax, ReLU, Sequential, Tanh, View } from '@eole/core';
import { SpatialConvolution } from './SpatialConvolution.js';
import { SpatialAveragePooling } from './SpatialAveragePooling.js';
import { SpatialMaxPooling } from './SpatialMaxPooling.js';
import type { LeNetOptions } from './LeNet5.js';

/**
 * LeNet-1 (LeCun et al., "Backpropagation applied to handwritten zip code recognition", Neural
 * Computation 1989; the 1993 MNIST reading) for 28×28 digits given as [N, 784] or [N, 1, 28, 28]:
 *
 *   conv 1→4 5×5 → tanh → avg-pool 2×2 → conv 4→12 5×5 → tanh → avg-pool 2×2 → Linear(192→10)
 *   → LogSoftMax
 *
 * (about 3,000 weights; the original's 12 second-layer maps each saw a subset of the first-layer
 * maps, here all of them).
 *
 * @example
 * const net = LeNet1({ rng: new Generator(1) });
 */
export function LeNet1(options: LeNetOptions = {}): Sequential {
  const rng = options.rng ?? defaultGenerator;
  const act = () => (options.activation === 'relu' ? new ReLU() : new Tanh());
  const pool = () => (options.pooling === 'max' ? new SpatialMaxPooling(2, 2, 2, 2) : new SpatialAveragePooling(2, 2, 2, 2));
  return new Sequential(
    new View(1, 28, 28),
    new SpatialConvolution(1, 4, 5, 5, 1, 1, 0, 0, { rng }),
    act(),
    pool(),
    new SpatialConvolution(4, 12, 5, 5, 1, 1, 0, 0, { rng }),
    act(),
    pool(),
    new View(192),
    new Linear(192, options.classes ?? 10, { rng }),
    new LogSoftMax(),
  );
}
