/**
 * `@eole/gan/testing`: the package's module case tables ({@link ModuleCase} rows), shared by its
 * Node tests (`testModules`: gradcheck, backward = autograd, cpu/webasm parity, threads, round
 * trip) and the browser parity page (every row on WebGL against `cpu`). No Node-only import.
 *
 * @example
 * import { GAN_MODULE_CASES } from '@eole/gan/testing';
 * import { moduleParity } from '@eole/core/testing';
 * Object.entries(GAN_MODULE_CASES).map(([name, c]) => moduleParity(name, c, 'webgl2', 'cpu', 1e-4));
 *
 * @packageDocumentation
 */
import type { ModuleCase } from '@eole/core/testing';
import { GAN_LAPGAN_CASES, GAN_NETS_CASES, GAN_VIDEO_PREDICTION_CASES } from './moduleCases.js';

export { GAN_LAPGAN_CASES, GAN_NETS_CASES, GAN_VIDEO_PREDICTION_CASES, linearRegime, smallG } from './moduleCases.js';

/**
 * Every row of the package's tables: the GAN and DCGAN nets, LAPGAN, video prediction.
 *
 * @example
 * Object.keys(GAN_MODULE_CASES).length; // 22 rows
 */
export const GAN_MODULE_CASES: Readonly<Record<string, ModuleCase>> = { ...GAN_NETS_CASES, ...GAN_LAPGAN_CASES, ...GAN_VIDEO_PREDICTION_CASES };
