import { formatShape, ShapeError, Tensor } from '@eole/core';
import { conv2d } from './conv2d.js';

const fmt = (shape: readonly number[]): string => `${formatShape(shape)}`;

/**
 * The averaging kernel of a local normalization, as a fresh [kH, kW] tensor summing to 1: Torch7's
 * default ones(9, 9) when absent; a 1-D kernel k stands for the separable k·kᵀ. Sizes must be odd.
 */
export function normalizationKernel(op: string, kernel: Tensor | undefined): Tensor {
  let k = kernel ?? Tensor.ones([9, 9]);
  if (k.ndim === 1) {
    const n = k.size;
    const outer = new Float32Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) outer[i * n + j] = k.data[i]! * k.data[j]!;
    k = new Tensor(outer, [n, n]);
  }
  if (k.ndim !== 2 || k.shape[0]! % 2 === 0 || k.shape[1]! % 2 === 0) {
    throw new ShapeError(op, `the averaging kernel must be 1-D or 2-D with odd sizes, got ${formatShape(kernel?.shape ?? k.shape)}`);
  }
  let total = 0;
  for (const v of k.data) total += v;
  if (!(Math.abs(total) > 0) || !Number.isFinite(total)) throw new RangeError(`${op}: the averaging kernel must have a finite non-zero sum, got ${total}`);
  return new Tensor(k.data.map((v) => v / total), k.shape);
}

/**
 * The kernel-weighted local mean of single-plane images x [N, 1, H, W]: a "same" correlation with
 * the fixed kernel [kH, kW] and zero padding (kH−1)/2, (kW−1)/2, through {@link conv2d} with the
 * kernel as a constant weight [1, 1, kH, kW] (the kernel does not require grad, so only ∂x is
 * computed). Torch7 composes `SpatialZeroPadding` and a fixed-weight `SpatialConvolution` the same way.
 */
export function localMean(x: Tensor, kernel: Tensor): Tensor {
  const [kH, kW] = kernel.shape as [number, number];
  return conv2d(x, kernel.reshape([1, 1, kH, kW]), null, { padH: (kH - 1) / 2, padW: (kW - 1) / 2 });
}

/** Checks a local-normalization input: [N, nInputPlane, H, W] or [nInputPlane, H, W]. */
export function checkPlanes(op: string, input: Tensor, x: Tensor, nInputPlane: number): void {
  if (x.shape[1] !== nInputPlane) {
    throw new ShapeError(op, `expected ${nInputPlane} input planes ([N, ${nInputPlane}, H, W] or [${nInputPlane}, H, W]), got ${formatShape(input.shape)}`);
  }
}

/** The kernel size in a module description, width first as Torch7 writes windows: `9x9`. */
export function describeKernel(kernel: Tensor): string {
  return `${kernel.shape[1]}x${kernel.shape[0]}`;
}
