import { formatShape, ShapeError, Tensor } from '@eole/core';
import { batchDims, checkBias, convParams, convShape, type ConvTransposeStride } from '../geometry/convGeometry.js';
import { convBackwardBias, convBackwardData, convBackwardWeight, convForwardPadded, padInput } from '../kernels/convKernels.js';

/**
 * Transposed 2-D convolution ("full convolution", "fractionally strided convolution") of a batch
 * x [N, Cin, H, W] with w [Cin, Cout, kH, kW] and an optional bias b [Cout], as
 * `torch.nn.functional.conv_transpose2d`: the adjoint of {@link conv2d}, each input pixel spreads a
 * kH×kW copy of the kernel, scaled by its value, onto the output:
 *
 *   y[n, o, i, j] = b[o] + Σ_c Σ_{h, w, a, e : i + padH = h·dH + a, j + padW = w·dW + e} x[n, c, h, w] · w[c, o, a, e]
 *
 * y is [N, Cout, OH, OW] with OH = (H − 1)·dH − 2·padH + kH + adjH, OW likewise. Its forward is
 * conv2d's ∂x, its ∂x is conv2d's forward and its ∂w is conv2d's ∂w with the roles of input and
 * gradient exchanged, so the same kernels run (Zeiler et al., "Deconvolutional networks", CVPR
 * 2010; Radford, Metz & Chintala, "Unsupervised representation learning with deep convolutional
 * generative adversarial networks" (DCGAN), ICLR 2016).
 *
 * @param op - name used in error messages (modules pass their Torch7 type name).
 *
 * @example
 * const z = Tensor.randn([8, 64, 4, 4], rng);
 * const w = Tensor.randn([64, 32, 4, 4], rng);
 * convTranspose2d(z, w, null, { dW: 2, dH: 2, padW: 1, padH: 1 }).shape; // [8, 32, 8, 8]
 */
export function convTranspose2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, stride: ConvTransposeStride = {}, op = 'convTranspose2d'): Tensor {
  const p = convParams(op, stride);
  if (weight.ndim !== 4) throw new ShapeError(op, `weight must be [in, out, kH, kW], got ${formatShape(weight.shape)}`);
  const [Cw, O, kH, kW] = weight.shape as [number, number, number, number];
  const [N, C, H, W] = batchDims(op, x, `[N, ${Cw}, H, W]`);
  if (C !== Cw) throw new ShapeError(op, `expected input [N, ${Cw}, H, W] for weight ${formatShape(weight.shape)}, got ${formatShape(x.shape)}`);
  checkBias(op, bias, O, weight);
  const OH = (H - 1) * p.dH - 2 * p.padH + kH + p.adjH;
  const OW = (W - 1) * p.dW - 2 * p.padW + kW + p.adjW;
  if (OH <= 0 || OW <= 0) {
    throw new ShapeError(op, `input ${formatShape(x.shape)} gives an empty output ${OH}x${OW} with kernel ${kW}x${kH}, stride ${p.dW},${p.dH}, padding ${p.padW},${p.padH}`);
  }
  // The convolution this one is the adjoint of: from y [N, O, OH, OW] back to x [N, C, H, W].
  const s = convShape(op, N, O, OH, OW, C, kH, kW, p);
  const y = new Tensor(convBackwardData(x.data, weight.data, bias ? bias.data : null, s, p), [N, O, OH, OW]);
  const w = weight.data;
  const parents = bias ? [x, weight, bias] : [x, weight];
  return Tensor.record(y, 'convTranspose2d', parents, (g, needs) => {
    const gp = needs[0] || needs[1] ? padInput(g.data, s, p) : null;
    return [
      needs[0] ? new Tensor(convForwardPadded(gp!, w, null, s, p), x.shape) : null,
      needs[1] ? new Tensor(convBackwardWeight(x.data, gp!, s, p).weight, weight.shape) : null,
      bias && needs[2] ? new Tensor(convBackwardBias(g.data, N, O, OH * OW), bias.shape) : null,
    ];
  });
}
