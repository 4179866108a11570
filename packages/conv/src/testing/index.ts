/**
 * `@eole/conv/testing`: conv's module case tables, one {@link ModuleCase} row per configuration,
 * shared by the Node tests (`testModules(test, CONV_POOLING_CASES)`: gradcheck, backward =
 * autograd, cpu/webasm parity, threads, round trip) and the browser parity page (every row on
 * WebGL against `cpu`). No Node-only import, so a page bundles it.
 *
 * @example
 * import { CONV_MODULE_CASES } from '@eole/conv/testing';
 * import { moduleParity } from '@eole/core/testing';
 * Object.entries(CONV_MODULE_CASES).map(([name, c]) => moduleParity(name, c, 'webgl2', 'cpu', 1e-4));
 *
 * @packageDocumentation
 */
import type { ModuleCase } from '@eole/core/testing';
import { CONV_CONVOLUTION_CASES, CONV_FUSION_CASES } from './convolutionCases.js';
import { CONV_FULLY_CONVOLUTIONAL_CASES, CONV_LENET_CASES, CONV_MULTISCALE_CASES, CONV_UPSAMPLING_CASES } from './netCases.js';
import { CONV_BATCH_NORMALIZATION_CASES, CONV_DROPOUT_CASES, CONV_LOCAL_NORMALIZATION_CASES } from './normalizationCases.js';
import { CONV_POOLING_CASES } from './poolingCases.js';

export { CONV_CONVOLUTION_CASES, CONV_FUSION_CASES } from './convolutionCases.js';
export { CONV_FULLY_CONVOLUTIONAL_CASES, CONV_LENET_CASES, CONV_MULTISCALE_CASES, CONV_UPSAMPLING_CASES } from './netCases.js';
export { CONV_BATCH_NORMALIZATION_CASES, CONV_DROPOUT_CASES, CONV_LOCAL_NORMALIZATION_CASES } from './normalizationCases.js';
export { avgPool, configs as POOL_WINDOWS, CONV_POOLING_CASES, maxPool, win, type PoolWindowCase } from './poolingCases.js';

/**
 * Every row of conv's tables in one record (convolution, fusion, pooling, normalization, dropout,
 * upsampling, LeNet-5, MultiscaleConvNet, SpatialLogSoftMax).
 *
 * @example
 * Object.keys(CONV_MODULE_CASES).length; // about 60 rows
 */
export const CONV_MODULE_CASES: Readonly<Record<string, ModuleCase>> = {
  ...CONV_CONVOLUTION_CASES,
  ...CONV_FUSION_CASES,
  ...CONV_POOLING_CASES,
  ...CONV_LOCAL_NORMALIZATION_CASES,
  ...CONV_BATCH_NORMALIZATION_CASES,
  ...CONV_DROPOUT_CASES,
  ...CONV_UPSAMPLING_CASES,
  ...CONV_LENET_CASES,
  ...CONV_MULTISCALE_CASES,
  ...CONV_FULLY_CONVOLUTIONAL_CASES,
};
