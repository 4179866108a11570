import { Generator, Tensor } from '@eole/core';
import { distinct, type ModuleCase } from '@eole/core/testing';
import type { PoolWindow } from '../geometry/poolGeometry.js';
import { SpatialAveragePooling } from '../nn/SpatialAveragePooling.js';
import { SpatialLogSumExpPooling } from '../nn/SpatialLogSumExpPooling.js';
import { SpatialLPPooling } from '../nn/SpatialLPPooling.js';
import { SpatialMaxPooling } from '../nn/SpatialMaxPooling.js';

/** A pooling window of the tests: geometry's own {@link PoolWindow} (size, stride, padding, ceil mode). */
export type PoolWindowCase = PoolWindow;

/** A {@link PoolWindowCase}. */
export const win = (kW: number, kH: number, dW: number, dH: number, padW = 0, padH = 0, ceil = false): PoolWindowCase => ({ kW, kH, dW, dH, padW, padH, ceil });

/** Window configurations of the pooling tests: [description, window, input shape]. */
export const configs: [string, PoolWindowCase, number[]][] = [
  ['2x2 stride 2', win(2, 2, 2, 2), [2, 3, 8, 8]],
  ['3x3 stride 2 (stride < kernel, overlapping)', win(3, 3, 2, 2), [2, 2, 9, 7]],
  ['2x2 stride 3 (stride > kernel, gaps)', win(2, 2, 3, 3), [1, 2, 8, 11]],
  ['3x2 stride 1x2, padding 1,0', win(3, 2, 1, 2, 1, 0), [2, 2, 6, 7]],
  ['3x3 stride 2 padding 1, ceil', win(3, 3, 2, 2, 1, 1, true), [2, 2, 8, 8]],
  ['2x2 stride 2, ceil on odd sizes', win(2, 2, 2, 2, 0, 0, true), [1, 3, 7, 5]],
  ['2x2 stride 3 padding 1, ceil drops a window in the padding', win(2, 2, 3, 3, 1, 1, true), [1, 2, 5, 5]],
];

/** `SpatialMaxPooling` over a {@link PoolWindowCase}. */
export const maxPool = (w: PoolWindowCase) => {
  const m = new SpatialMaxPooling(w.kW, w.kH, w.dW, w.dH, w.padW, w.padH);
  return w.ceil ? m.ceil() : m;
};
/** `SpatialAveragePooling` over a {@link PoolWindowCase}. */
export const avgPool = (w: PoolWindowCase) => {
  const m = new SpatialAveragePooling(w.kW, w.kH, w.dW, w.dH, w.padW, w.padH);
  return w.ceil ? m.ceil() : m;
};

/**
 * Max, average (count_include_pad and exclude), Lp and log-sum-exp pooling over the window
 * configurations as {@link ModuleCase} rows: test/pooling.test.ts runs them with `testModules`;
 * the browser parity page runs them on WebGL against `cpu`.
 *
 * @example
 * testModules(test, CONV_POOLING_CASES);
 */
export const CONV_POOLING_CASES: Readonly<Record<string, ModuleCase>> = poolingCases();

function poolingCases(): Record<string, ModuleCase> {
  const poolCases: Record<string, ModuleCase> = {};
  for (const [name, w, shape] of configs) {
    // Distinct values (spaced 0.05) keep every window's maximum unique under finite differences.
    const input = (): Tensor => distinct(shape, new Generator(3));
    poolCases[`SpatialMaxPooling ${name}`] = { make: () => maxPool(w), shape, input, launches: 'some' };
    poolCases[`SpatialAveragePooling ${name}`] = { make: () => avgPool(w), shape, input, launches: 'some' };
    poolCases[`SpatialAveragePooling ${name}, count_exclude_pad`] = { make: () => avgPool(w).setCountExcludePad(), shape, input, launches: 'some' };
  }
  const lpInput = (): Tensor => Tensor.uniform([2, 2, 6, 6], new Generator(9), 0.2, 1.5);
  for (const p of [1, 2, 3]) {
    poolCases[`SpatialLPPooling(2, p = ${p}, 2x2)`] = { make: () => new SpatialLPPooling(2, p, 2, 2), shape: [2, 2, 6, 6], input: lpInput, launches: 'some' };
    poolCases[`SpatialLPPooling(2, p = ${p}, 3x3 stride 1)`] = { make: () => new SpatialLPPooling(2, p, 3, 3, 1, 1), shape: [2, 2, 6, 6], input: lpInput, launches: 'some' };
  }
  poolCases['SpatialLPPooling(2, p = 2, 3x3 stride 2) on [4, 2, 13, 13]'] = {
    make: () => new SpatialLPPooling(2, 2, 3, 3, 2, 2),
    shape: [4, 2, 13, 13],
    input: () => Tensor.randn([4, 2, 13, 13], new Generator(10)),
    launches: 'some',
    checks: ['parity', 'roundTrip'],
  };
  const lseInput = (): Tensor => Tensor.randn([2, 2, 7, 7], new Generator(13));
  poolCases['SpatialLogSumExpPooling(β = 2, 2x2)'] = { make: () => new SpatialLogSumExpPooling(2, 2, 2), shape: [2, 2, 7, 7], input: lseInput, launches: 'some' };
  poolCases['SpatialLogSumExpPooling(β = 0.7, 3x3 stride 2)'] = { make: () => new SpatialLogSumExpPooling(0.7, 3, 3, 2, 2), shape: [2, 2, 7, 7], input: lseInput, launches: 'some' };
  poolCases['SpatialLogSumExpPooling(β = 3, 3x2 stride 1x2)'] = { make: () => new SpatialLogSumExpPooling(3, 3, 2, 1, 2), shape: [2, 2, 7, 7], input: lseInput, launches: 'some' };
  poolCases["SpatialLogSumExpPooling(β = 2, 2x2, reduction 'mean')"] = { make: () => new SpatialLogSumExpPooling(2, 2, 2, 2, 2, { reduction: 'mean' }), shape: [2, 2, 7, 7], input: lseInput, launches: 'some' };
  poolCases["SpatialLogSumExpPooling(β = 0.7, 3x3 stride 2, reduction 'mean')"] = { make: () => new SpatialLogSumExpPooling(0.7, 3, 3, 2, 2, { reduction: 'mean' }), shape: [2, 2, 7, 7], input: lseInput, launches: 'some' };
  poolCases['SpatialLogSumExpPooling(β = 2, 3x3 stride 2) on [4, 3, 15, 15]'] = {
    make: () => new SpatialLogSumExpPooling(2, 3, 3, 2, 2),
    shape: [2, 3, 7, 7],
    parityShape: [4, 3, 15, 15],
    launches: 'some',
  };
  return poolCases;
}
