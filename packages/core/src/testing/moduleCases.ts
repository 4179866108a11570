import { Concat, Dropout, Ensemble, Generator, Identity, LeakyReLU, Linear, LogSoftMax, Parallel, ReLU, Sequential, Sigmoid, SoftMax, Tanh, Threshold, View } from '../portable.js';
import { awayFrom } from './inputs.js';
import type { ModuleCase } from './ModuleCase.js';

/** The generator of the Dropout row, re-seeded before every forward so that the mask is fixed. */
const dropRng = new Generator(0);
/**
 * Core's module table: every nn module of `@eole/core` as a {@link ModuleCase} row (small shapes for
 * the finite differences, `parityShape` large enough to use the kernels). core's Node test runs it
 * with {@link testModules}; the browser test runs every row on WebGL against `cpu` ({@link moduleParity}).
 *
 * @example
 * testModules(test, CORE_MODULE_CASES);
 */
export const CORE_MODULE_CASES: Readonly<Record<string, ModuleCase>> = {
  Linear: { make: (rng) => new Linear(5, 4, { rng }), shape: [3, 5], parityShape: [8, 33], parityMake: (rng) => new Linear(33, 17, { rng }) },
  'Linear without bias': { make: (rng) => new Linear(5, 4, { rng, bias: false }), shape: [3, 5] },
  'Linear on one sample': { make: (rng) => new Linear(5, 4, { rng }), shape: [5] },
  Sequential: {
    make: (rng) => new Sequential(new Linear(5, 6, { rng }), new Tanh(), new Linear(6, 3, { rng }), new LogSoftMax()),
    shape: [3, 5],
    parityShape: [8, 33],
    parityMake: (rng) => new Sequential(new Linear(33, 20, { rng }), new Tanh(), new Linear(20, 10, { rng }), new LogSoftMax()),
  },
  'Concat along features': {
    make: (rng) => new Concat(1, new Linear(5, 3, { rng }), new Identity(), new Sequential(new Linear(5, 2, { rng }), new Sigmoid())),
    shape: [3, 5],
    parityShape: [8, 33],
    parityMake: (rng) => new Concat(1, new Linear(33, 7, { rng }), new Identity(), new Sequential(new Linear(33, 5, { rng }), new Sigmoid())),
  },
  'Ensemble of classifiers (log-mean-exp)': {
    make: (rng) => new Ensemble([new Sequential(new Linear(5, 4, { rng }), new LogSoftMax()), new Sequential(new Linear(5, 4, { rng }), new Tanh(), new LogSoftMax()), new Sequential(new Linear(5, 4, { rng }), new LogSoftMax())]),
    shape: [3, 5],
    parityShape: [8, 33],
    parityMake: (rng) => new Ensemble([new Sequential(new Linear(33, 10, { rng }), new LogSoftMax()), new Sequential(new Linear(33, 10, { rng }), new LogSoftMax())]),
  },
  'Ensemble (mean)': { make: (rng) => new Ensemble([new Linear(5, 3, { rng }), new Sequential(new Linear(5, 3, { rng }), new Tanh())], 'mean'), shape: [3, 5] },
  'Concat along the batch (dim 0)': { make: (rng) => new Concat(0, new Linear(5, 3, { rng }), new Linear(5, 3, { rng })), shape: [2, 5] },
  'Parallel(1, 0)': { make: (rng) => new Parallel(1, 0, new Linear(4, 3, { rng }), new Linear(4, 2, { rng })), shape: [4, 2] },
  'Parallel(0, 1)': {
    make: (rng) => new Parallel(0, 1, new Linear(5, 3, { rng }), new Tanh()),
    shape: [2, 3, 5],
    parityShape: [2, 8, 33],
    parityMake: (rng) => new Parallel(0, 1, new Linear(33, 9, { rng }), new Tanh()),
  },
  Identity: { make: () => new Identity(), shape: [3, 4], parityShape: [8, 33] },
  'View(2, -1)': { make: () => new View(2, -1), shape: [3, 8], parityShape: [8, 32] },
  'View on one sample': { make: () => new View(4, 2), shape: [8] },
  Threshold: { make: () => new Threshold(), shape: [3, 4], parityShape: [8, 33], input: (s, rng) => awayFrom(s, rng, 1e-6) },
  'Threshold(0.5, -2)': { make: () => new Threshold(0.5, -2), shape: [3, 4], input: (s, rng) => awayFrom(s, rng, 0.5) },
  ReLU: { make: () => new ReLU(), shape: [3, 4], parityShape: [8, 33], input: (s, rng) => awayFrom(s, rng) },
  'LeakyReLU(0.2)': { make: () => new LeakyReLU(0.2), shape: [3, 4], parityShape: [8, 33], input: (s, rng) => awayFrom(s, rng) },
  Tanh: { make: () => new Tanh(), shape: [3, 4], parityShape: [8, 33] },
  Sigmoid: { make: () => new Sigmoid(), shape: [3, 4], parityShape: [8, 33] },
  SoftMax: { make: () => new SoftMax(), shape: [3, 4], parityShape: [8, 33] },
  LogSoftMax: { make: () => new LogSoftMax(), shape: [3, 4], parityShape: [8, 33] },
  'SoftMax on one sample': { make: () => new SoftMax(), shape: [6] },
  Dropout: {
    make: () => new Dropout(0.3, { rng: dropRng }),
    shape: [3, 4],
    parityShape: [8, 33],
    beforeForward: () => dropRng.manualSeed(5),
  },
  'Dropout (evaluate)': { make: () => new Dropout(0.3, { rng: new Generator(1) }).evaluate(), shape: [3, 4], parityShape: [8, 33] },
};
