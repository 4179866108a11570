import { defaultGenerator, Module, Tensor } from '@eole/core';
import { convTranspose2d } from '../functional/convTranspose2d.js';
import { asBatch4, checkPositive, convParams } from '../geometry/convGeometry.js';
import type { SpatialConvolutionOptions } from './SpatialConvolution.js';

/**
 * Torch7's `nn.SpatialFullConvolution(nInputPlane, nOutputPlane, kW, kH, dW, dH, padW, padH, adjW,
 * adjH)`, the transposed convolution (PyTorch's `ConvTranspose2d`): the adjoint of a
 * {@link SpatialConvolution} with the same kernel, stride and padding, so it maps a
 * [N, nInputPlane, H, W] input to a larger [N, nOutputPlane, OH, OW] output with
 *
 *   OH = (H − 1)·dH − 2·padH + kH + adjH,   OW = (W − 1)·dW − 2·padW + kW + adjW,
 *   y[n, o, i, j] = b[o] + Σ_c Σ_{h, w, a, e : i + padH = h·dH + a, j + padW = w·dW + e} x[n, c, h, w] · w[c, o, a, e].
 *
 * Weight [nInputPlane, nOutputPlane, kH, kW] (the Torch7 and PyTorch layout), bias [nOutputPlane],
 * initialised uniform in ±1/√(kW·kH·nInputPlane) as Torch7's `reset`; 0 ≤ adj < stride picks one of
 * the output sizes that a strided convolution maps back to the input size. The upsampling layer of
 * DCGAN (Radford, Metz & Chintala, ICLR 2016); Zeiler et al., "Deconvolutional networks" (CVPR 2010).
 *
 * @example
 * const up = new SpatialFullConvolution(64, 32, 4, 4, 2, 2, 1, 1, 0, 0, { rng: new Generator(1) });
 * up.forward(Tensor.zeros([8, 64, 4, 4])).shape; // [8, 32, 8, 8]
 * up.toString();                                 // nn.SpatialFullConvolution(64 -> 32, 4x4, 2,2, 1,1)
 */
export class SpatialFullConvolution extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(
    readonly nInputPlane: number,
    readonly nOutputPlane: number,
    readonly kW: number,
    readonly kH: number,
    readonly dW = 1,
    readonly dH = 1,
    readonly padW = 0,
    readonly padH = 0,
    readonly adjW = 0,
    readonly adjH = 0,
    options: SpatialConvolutionOptions = {},
  ) {
    super();
    checkPositive('SpatialFullConvolution', { nInputPlane, nOutputPlane, kW, kH });
    convParams('SpatialFullConvolution', { dW, dH, padW, padH, adjW, adjH });
    const rng = options.rng ?? defaultGenerator;
    const bound = 1 / Math.sqrt(kW * kH * nInputPlane);
    this.weight = this.registerParameter('weight', Tensor.uniform([nInputPlane, nOutputPlane, kH, kW], rng, -bound, bound));
    this.bias = options.bias === false ? null : this.registerParameter('bias', Tensor.uniform([nOutputPlane], rng, -bound, bound));
  }

  protected updateOutput(input: Tensor): Tensor {
    const expect = `[N, ${this.nInputPlane}, H, W] or [${this.nInputPlane}, H, W]`;
    const { x, unbatch } = asBatch4(this.typeName(), input, expect);
    const stride = { dW: this.dW, dH: this.dH, padW: this.padW, padH: this.padH, adjW: this.adjW, adjH: this.adjH };
    return unbatch(convTranspose2d(x, this.weight, this.bias, stride, this.typeName()));
  }

  override toString(): string {
    let s = `${this.typeName()}(${this.nInputPlane} -> ${this.nOutputPlane}, ${this.kW}x${this.kH}`;
    if (this.dW !== 1 || this.dH !== 1 || this.padW !== 0 || this.padH !== 0) s += `, ${this.dW},${this.dH}`;
    if (this.padW !== 0 || this.padH !== 0) s += `, ${this.padW},${this.padH}`;
    if (this.adjW !== 0 || this.adjH !== 0) s += `, ${this.adjW},${this.adjH}`;
    return `${s})${this.bias ? '' : ' without bias'}`;
  }
}
