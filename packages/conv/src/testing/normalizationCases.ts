import { Generator, noGrad, Tensor } from '@eole/core';
import type { ModuleCase } from '@eole/core/testing';
import { gaussianKernel } from '../functional/gaussianKernel.js';
import { SpatialBatchNormalization } from '../nn/SpatialBatchNormalization.js';
import { SpatialContrastiveNormalization } from '../nn/SpatialContrastiveNormalization.js';
import { SpatialDivisiveNormalization } from '../nn/SpatialDivisiveNormalization.js';
import { SpatialDropout } from '../nn/SpatialDropout.js';
import { SpatialSubtractiveNormalization } from '../nn/SpatialSubtractiveNormalization.js';

const x6 = (): Tensor => Tensor.randn([2, 2, 7, 8], new Generator(6));
/** The gradient checks' input, or the larger one of the parity runs. */
const normInput = (s: number[]): Tensor => (s[0] === 4 ? Tensor.randn(s, new Generator(7)) : x6());
// An asymmetric kernel: the input gradient of the local mean correlates with the rotated kernel.
const skew = (): Tensor => Tensor.uniform([3, 5], new Generator(60), 0.1, 1);
const big: Partial<ModuleCase> = { parityShape: [4, 3, 16, 18], input: normInput, launches: 'some' };
/**
 * Subtractive, divisive and contrastive normalization (Gaussian and asymmetric kernels) as
 * {@link ModuleCase} rows: test/normalization.test.ts runs them with `testModules`; the browser
 * parity page runs them on WebGL against `cpu`.
 *
 * @example
 * testModules(test, CONV_LOCAL_NORMALIZATION_CASES);
 */
export const CONV_LOCAL_NORMALIZATION_CASES: Readonly<Record<string, ModuleCase>> = {
  'SpatialSubtractiveNormalization(2, gaussian 5x5)': { make: () => new SpatialSubtractiveNormalization(2, gaussianKernel(5)), shape: [2, 2, 7, 8], ...big, parityMake: () => new SpatialSubtractiveNormalization(3, gaussianKernel(9)) },
  'SpatialDivisiveNormalization(2, gaussian 5x5)': { make: () => new SpatialDivisiveNormalization(2, gaussianKernel(5)), shape: [2, 2, 7, 8], ...big, parityMake: () => new SpatialDivisiveNormalization(3, gaussianKernel(9)) },
  'SpatialContrastiveNormalization(2, gaussian 5x5)': { make: () => new SpatialContrastiveNormalization(2, gaussianKernel(5)), shape: [2, 2, 7, 8], ...big, parityMake: () => new SpatialContrastiveNormalization(3, gaussianKernel(7)) },
  'SpatialContrastiveNormalization(2, ones 3x3), one sample': { make: () => new SpatialContrastiveNormalization(2, Tensor.ones([3, 3])), shape: [2, 7, 8], input: () => x6().narrow(0, 0, 1).reshape([2, 7, 8]), launches: 'some' },
  'SpatialSubtractiveNormalization(2, asymmetric 3x5)': { make: () => new SpatialSubtractiveNormalization(2, skew()), shape: [2, 2, 7, 8], input: normInput, launches: 'some' },
  'SpatialDivisiveNormalization(2, asymmetric 3x5)': { make: () => new SpatialDivisiveNormalization(2, skew()), shape: [2, 2, 7, 8], input: normInput, launches: 'some' },
};

// ---- batch normalization as rows: training mode, evaluate mode (running statistics), affine = false

/** The gradient checks' input, or the larger one of the parity runs. */
const bnInput = (s: number[]): Tensor => (s[0] === 8 ? Tensor.randn([8, 6, 10, 10], new Generator(19)) : Tensor.randn([3, 2, 4, 5], new Generator(18)).mul(2).add(1));
/** Two channels with set affine parameters. */
const bn2 = (): SpatialBatchNormalization => {
  const bn = new SpatialBatchNormalization(2);
  bn.weight!.data.set([1.3, -0.7]);
  bn.bias!.data.set([0.2, 0.5]);
  return bn;
};
/** Six channels for the parity runs. */
const bn6 = (): SpatialBatchNormalization => {
  const m = new SpatialBatchNormalization(6);
  m.weight!.data.set([1, 2, 3, -1, 0.5, 0.1]);
  return m;
};
/** After one training forward: running statistics away from their initial 0 and 1. */
const warmed = (bn: SpatialBatchNormalization, s: number[]): SpatialBatchNormalization => {
  noGrad(() => bn.forward(bnInput(s)));
  return bn;
};
/**
 * SpatialBatchNormalization in training mode, in evaluate mode (running statistics) and without
 * affine parameters, as {@link ModuleCase} rows (test/normalization.test.ts and the browser page).
 *
 * @example
 * testModules(test, CONV_BATCH_NORMALIZATION_CASES);
 */
export const CONV_BATCH_NORMALIZATION_CASES: Readonly<Record<string, ModuleCase>> = {
  'SpatialBatchNormalization (training)': { make: bn2, shape: [3, 2, 4, 5], parityShape: [8, 6, 10, 10], parityMake: bn6, input: bnInput, launches: 'some', trained: (m) => warmed(m as SpatialBatchNormalization, [3, 2, 4, 5]) },
  'SpatialBatchNormalization (evaluate)': {
    make: () => warmed(bn2(), [3, 2, 4, 5]).evaluate(),
    shape: [3, 2, 4, 5],
    parityShape: [8, 6, 10, 10],
    parityMake: () => bn6().evaluate(),
    input: bnInput,
    launches: 'some',
  },
  'SpatialBatchNormalization (affine = false)': { make: () => new SpatialBatchNormalization(2, 1e-5, 0.1, false), shape: [3, 2, 4, 5], input: bnInput, launches: 'some', trained: (m) => warmed(m as SpatialBatchNormalization, [3, 2, 4, 5]) },
};

/** The generator of the SpatialDropout row, re-seeded before every forward so that the mask is fixed. */
const dropRng = new Generator(0);
/**
 * SpatialDropout (whole feature maps dropped; the mask fixed by re-seeding) as a {@link ModuleCase} row.
 *
 * @example
 * testModules(test, CONV_DROPOUT_CASES);
 */
export const CONV_DROPOUT_CASES: Readonly<Record<string, ModuleCase>> = {
  'SpatialDropout(0.4)': {
    make: () => new SpatialDropout(0.4, { rng: dropRng }),
    shape: [2, 3, 4, 4],
    parityShape: [4, 8, 10, 10],
    beforeForward: () => dropRng.manualSeed(5),
    launches: 'some',
  },
};
