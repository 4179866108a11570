import { Sequential, Tanh, Tensor, type Generator } from '@eole/core';
import type { ModuleCase } from '@eole/core/testing';
import { LeNet5 } from '../nn/LeNet5.js';
import { MultiscaleConvNet } from '../nn/MultiscaleConvNet.js';
import { SpatialConvolution } from '../nn/SpatialConvolution.js';
import { SpatialLogSoftMax } from '../nn/SpatialLogSoftMax.js';
import { SpatialUpSamplingNearest } from '../nn/SpatialUpSamplingNearest.js';

// The paper's smooth net (tanh, average pooling): finite differences would straddle ReLU and max
// kinks somewhere among 60,000 weights; those modules have their own gradchecks.
/**
 * LeNet-5 as {@link ModuleCase} rows: test/lenet.test.ts runs them with `testModules` (gradcheck,
 * backward = autograd, cpu/webasm parity, threads, round trip); the browser parity page runs them
 * on WebGL against `cpu`.
 *
 * @example
 * testModules(test, CONV_LENET_CASES);
 */
export const CONV_LENET_CASES: Readonly<Record<string, ModuleCase>> = {
  'LeNet-5 (tanh, average pooling)': {
    make: (rng) => LeNet5({ rng }),
    shape: [2, 784],
    input: (s, rng) => Tensor.uniform(s, rng),
    grad: { maxPerInput: 12 },
  },
};

const features = (rng: Generator): Sequential => new Sequential(new SpatialConvolution(1, 2, 3, 3, 1, 1, 1, 1, { rng }), new Tanh());
const classifier = (planes: number, rng: Generator): Sequential => new Sequential(new SpatialConvolution(planes, 3, 1, 1, 1, 1, 0, 0, { rng }), new SpatialLogSoftMax());

/**
 * MultiscaleConvNet (Farabet et al. 2013) as {@link ModuleCase} rows: test/multiscaleConvNet.test.ts runs them with `testModules` (gradcheck,
 * backward = autograd, cpu/webasm parity, threads, round trip); the browser parity page runs them
 * on WebGL against `cpu`.
 *
 * @example
 * testModules(test, CONV_MULTISCALE_CASES);
 */
export const CONV_MULTISCALE_CASES: Readonly<Record<string, ModuleCase>> = {
  'MultiscaleConvNet (3 Laplacian scales)': { make: (rng) => new MultiscaleConvNet(features(rng), classifier(6, rng), { scales: 3 }), shape: [2, 1, 8, 8] },
  'MultiscaleConvNet (2 Gaussian scales)': { make: (rng) => new MultiscaleConvNet(features(rng), classifier(4, rng), { scales: 2, laplacian: false }), shape: [1, 1, 4, 6] },
  'MultiscaleConvNet (3 scales, a 3×3 classifier: the concatenated map)': {
    make: (rng) => new MultiscaleConvNet(features(rng), new Sequential(new SpatialConvolution(6, 3, 3, 3, 1, 1, 1, 1, { rng }), new SpatialLogSoftMax()), { scales: 3 }),
    shape: [1, 1, 8, 8],
  },
};

/**
 * SpatialUpSamplingNearest as {@link ModuleCase} rows: test/upsampling.test.ts runs them with `testModules` (gradcheck,
 * backward = autograd, cpu/webasm parity, threads, round trip); the browser parity page runs them
 * on WebGL against `cpu`.
 *
 * @example
 * testModules(test, CONV_UPSAMPLING_CASES);
 */
export const CONV_UPSAMPLING_CASES: Readonly<Record<string, ModuleCase>> = {
  'SpatialUpSamplingNearest(2)': { make: () => new SpatialUpSamplingNearest(2), shape: [2, 3, 4, 5], parityShape: [8, 4, 7, 7] },
  'SpatialUpSamplingNearest(3) on one sample': { make: () => new SpatialUpSamplingNearest(3), shape: [2, 3, 3], parityShape: [4, 9, 9] },
};

/**
 * SpatialLogSoftMax (the per-pixel classifier of a fully convolutional net) as {@link ModuleCase} rows: test/fullyConvolutional.test.ts runs them with `testModules` (gradcheck,
 * backward = autograd, cpu/webasm parity, threads, round trip); the browser parity page runs them
 * on WebGL against `cpu`.
 *
 * @example
 * testModules(test, CONV_FULLY_CONVOLUTIONAL_CASES);
 */
export const CONV_FULLY_CONVOLUTIONAL_CASES: Readonly<Record<string, ModuleCase>> = {
  SpatialLogSoftMax: { make: () => new SpatialLogSoftMax(), shape: [2, 3, 4, 5] },
  'SpatialLogSoftMax on one sample': { make: () => new SpatialLogSoftMax(), shape: [3, 4, 5] },
};
