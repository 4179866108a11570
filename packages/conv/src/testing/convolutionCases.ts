import { Generator } from '@eole/core';
import type { ModuleCase } from '@eole/core/testing';
import { SpatialConvolution } from '../nn/SpatialConvolution.js';
import { SpatialConvolutionReLU } from '../nn/SpatialConvolutionReLU.js';
import { SpatialFullConvolution } from '../nn/SpatialFullConvolution.js';
import { SpatialZeroPadding } from '../nn/SpatialZeroPadding.js';

interface Geometry {
  dW: number;
  dH: number;
  padW: number;
  padH: number;
}

const conv = (c: number, o: number, kW: number, kH: number, g: Geometry, seed = 1, bias = true): SpatialConvolution =>
  new SpatialConvolution(c, o, kW, kH, g.dW, g.dH, g.padW, g.padH, { rng: new Generator(seed), bias });

const full = (c: number, o: number, kW: number, kH: number, g: Geometry & { adjW: number; adjH: number }, seed = 1): SpatialFullConvolution =>
  new SpatialFullConvolution(c, o, kW, kH, g.dW, g.dH, g.padW, g.padH, g.adjW, g.adjH, { rng: new Generator(seed) });

// Each row: a small module for the finite differences, a larger one (LeNet sizes) for the parity run.
/**
 * SpatialConvolution, SpatialFullConvolution and SpatialZeroPadding as {@link ModuleCase} rows: test/conv.test.ts runs them with `testModules` (gradcheck,
 * backward = autograd, cpu/webasm parity, threads, round trip); the browser parity page runs them
 * on WebGL against `cpu`.
 *
 * @example
 * testModules(test, CONV_CONVOLUTION_CASES);
 */
export const CONV_CONVOLUTION_CASES: Readonly<Record<string, ModuleCase>> = {
  'SpatialConvolution(2 -> 3, 3x2, 2,1, 1,1)': {
    make: () => conv(2, 3, 3, 2, { dW: 2, dH: 1, padW: 1, padH: 1 }, 11),
    shape: [2, 2, 5, 6],
    parityMake: () => conv(4, 6, 3, 3, { dW: 2, dH: 2, padW: 1, padH: 1 }, 14),
    parityShape: [3, 4, 12, 12],
  },
  'SpatialConvolution(3 -> 5, 2x2, 1,2, 0,1)': {
    make: () => conv(3, 5, 2, 2, { dW: 1, dH: 2, padW: 0, padH: 1 }, 12),
    shape: [2, 3, 4, 5],
    parityMake: () => conv(1, 6, 5, 5, { dW: 1, dH: 1, padW: 2, padH: 2 }, 15),
    parityShape: [4, 1, 16, 16],
  },
  'SpatialConvolution(1 -> 2, 3x3) without bias': {
    make: () => conv(1, 2, 3, 3, { dW: 1, dH: 1, padW: 0, padH: 0 }, 13, false),
    shape: [1, 1, 5, 5],
    parityMake: () => conv(6, 16, 5, 5, { dW: 1, dH: 1, padW: 0, padH: 0 }, 16),
    parityShape: [2, 6, 10, 10],
  },
  'SpatialConvolution(3 -> 4, 3x2, 2,2)': {
    make: () => conv(3, 4, 3, 2, { dW: 2, dH: 2, padW: 0, padH: 0 }, 14),
    shape: [2, 3, 2, 3],
    parityMake: () => conv(16, 120, 5, 5, { dW: 1, dH: 1, padW: 0, padH: 0 }, 17),
    parityShape: [4, 16, 5, 5],
  },
  'SpatialFullConvolution(2 -> 3, 3x3, 2,2, 1,1, 1,0)': {
    make: () => full(2, 3, 3, 3, { dW: 2, dH: 2, padW: 1, padH: 1, adjW: 1, adjH: 0 }, 11),
    shape: [2, 2, 3, 4],
    parityMake: () => full(6, 4, 4, 4, { dW: 2, dH: 2, padW: 1, padH: 1, adjW: 0, adjH: 0 }, 14),
    parityShape: [3, 6, 8, 8],
  },
  'SpatialFullConvolution(3 -> 2, 2x3, 1,2, 0,1, 0,1)': {
    make: () => full(3, 2, 2, 3, { dW: 1, dH: 2, padW: 0, padH: 1, adjW: 0, adjH: 1 }, 12),
    shape: [2, 3, 3, 3],
    parityMake: () => full(3, 5, 3, 3, { dW: 1, dH: 1, padW: 1, padH: 1, adjW: 0, adjH: 0 }, 15),
    parityShape: [2, 3, 10, 10],
  },
  'SpatialZeroPadding(l=1, r=-1, t=2, b=-1)': {
    make: () => new SpatialZeroPadding(1, -1, 2, -1),
    shape: [2, 2, 4, 5],
    parityMake: () => new SpatialZeroPadding(3, -2, -1, 2),
    parityShape: [3, 4, 10, 12],
  },
};

/**
 * SpatialConvolutionReLU (convolution and ReLU fused in one kernel) as {@link ModuleCase} rows: test/fusion.test.ts runs them with `testModules` (gradcheck,
 * backward = autograd, cpu/webasm parity, threads, round trip); the browser parity page runs them
 * on WebGL against `cpu`.
 *
 * @example
 * testModules(test, CONV_FUSION_CASES);
 */
export const CONV_FUSION_CASES: Readonly<Record<string, ModuleCase>> = {
  'SpatialConvolutionReLU (3→5, 3×3, pad 1)': {
    make: (rng) => new SpatialConvolutionReLU(new SpatialConvolution(3, 5, 3, 3, 1, 1, 1, 1, { rng })),
    shape: [2, 3, 5, 5],
    parityShape: [4, 3, 12, 12],
  },
  'SpatialConvolutionReLU (2→4, 5×5, stride 2, no bias)': {
    make: (rng) => new SpatialConvolutionReLU(new SpatialConvolution(2, 4, 5, 5, 2, 2, 0, 0, { rng, bias: false })),
    shape: [2, 2, 9, 9],
    parityShape: [3, 2, 15, 15],
  },
};
