import { defaultGenerator, Module, Tensor, type Generator } from '@eole/core';
import { conv2d } from '../functional/conv2d.js';
import { asBatch4, checkPositive, convParams } from '../geometry/convGeometry.js';

/** Options of {@link SpatialConvolution} and {@link SpatialFullConvolution}. */
export interface SpatialConvolutionOptions {
  /** Add a bias (default true). */
  bias?: boolean;
  /** Generator of the initial weights (default: the global one). */
  rng?: Generator;
}

/**
 * Torch7's `nn.SpatialConvolution(nInputPlane, nOutputPlane, kW, kH, dW, dH, padW, padH)`: a bank
 * of nOutputPlane filters of kH×kW over nInputPlane planes, moved by dW, dH over x [N, C, H, W]
 * (or one sample [C, H, W]) zero-padded by padW, padH (padH defaults to padW, as in Torch7):
 *
 *   y[n, o, i, j] = b[o] + Σ_c Σ_{a<kH} Σ_{e<kW} x̃[n, c, i·dH + a, j·dW + e] · w[o, c, a, e],
 *
 * y is [N, nOutputPlane, ⌊(H + 2·padH − kH)/dH⌋ + 1, ⌊(W + 2·padW − kW)/dW⌋ + 1]. Weight
 * [nOutputPlane, nInputPlane, kH, kW] and bias [nOutputPlane] (the PyTorch layout, so checkpoints
 * load into `torch.nn.Conv2d`), initialised uniform in ±1/√(kW·kH·nInputPlane) as Torch7's `reset`.
 * The "Filter Bank" stage of LeCun's "Normalization → Filter Bank → Non-Linearity → Pooling"
 * (LeCun et al., "Gradient-based learning applied to document recognition", Proc. IEEE 1998).
 * Computed by {@link conv2d}: one autograd node with a hand-written backward.
 *
 * @example
 * const c1 = new SpatialConvolution(1, 6, 5, 5, 1, 1, 2, 2, { rng: new Generator(1) });
 * c1.forward(Tensor.zeros([32, 1, 28, 28])).shape; // [32, 6, 28, 28]
 * c1.toString();                                   // nn.SpatialConvolution(1 -> 6, 5x5, 1,1, 2,2)
 */
export class SpatialConvolution extends Module {
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
    readonly padH = padW,
    options: SpatialConvolutionOptions = {},
  ) {
    super();
    checkPositive('SpatialConvolution', { nInputPlane, nOutputPlane, kW, kH });
    convParams('SpatialConvolution', { dW, dH, padW, padH });
    const rng = options.rng ?? defaultGenerator;
    const bound = 1 / Math.sqrt(kW * kH * nInputPlane);
    this.weight = this.registerParameter('weight', Tensor.uniform([nOutputPlane, nInputPlane, kH, kW], rng, -bound, bound));
    this.bias = options.bias === false ? null : this.registerParameter('bias', Tensor.uniform([nOutputPlane], rng, -bound, bound));
  }

  protected updateOutput(input: Tensor): Tensor {
    const expect = `[N, ${this.nInputPlane}, H, W] or [${this.nInputPlane}, H, W]`;
    const { x, unbatch } = asBatch4(this.typeName(), input, expect);
    const stride = { dW: this.dW, dH: this.dH, padW: this.padW, padH: this.padH };
    return unbatch(conv2d(x, this.weight, this.bias, stride, this.typeName()));
  }

  override toString(): string {
    let s = `${this.typeName()}(${this.nInputPlane} -> ${this.nOutputPlane}, ${this.kW}x${this.kH}`;
    if (this.dW !== 1 || this.dH !== 1 || this.padW !== 0 || this.padH !== 0) s += `, ${this.dW},${this.dH}`;
    if (this.padW !== 0 || this.padH !== 0) s += `, ${this.padW},${this.padH}`;
    return `${s})${this.bias ? '' : ' without bias'}`;
  }
}
