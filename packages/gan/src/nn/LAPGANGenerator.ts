import { defaultGenerator, Linear, ReLU, Sequential, Tanh, View, type Generator } from '@eole/core';
import { SpatialBatchNormalization, SpatialConvolution } from '@eole/conv';
import { normalInit } from './normalInit.js';

/** Options of {@link LAPGANGenerator}. */
export interface LAPGANGeneratorOptions {
  /** Side of the level's image (28, 14 or 7 for a 3-level pyramid of digits). */
  size: number;
  /** The coarsest level, generated from noise alone (default false: a band-pass level conditioned on u(I_{k+1})). */
  coarsest?: boolean;
  /** Coarsest level: size of its latent code z (default 32). */
  nz?: number;
  /** Planes of the hidden convolutions (the coarsest level's projection has 2·ngf) (default 32). */
  ngf?: number;
  /** Classes of a class-conditional LAPGAN: one-hot after z (coarsest) or one constant plane per class (default 0). */
  classes?: number;
  /** Generator of the initial weights (default: the global one). */
  rng?: Generator;
}

/**
 * One level's generator G_k of LAPGAN (Denton, Chintala, Szlam & Fergus, "Deep generative image
 * models using a Laplacian pyramid of adversarial networks", NIPS 2015). Batch normalization and
 * ReLU between layers (no bias before a batch normalization, as DCGAN's reference code), N(0, 0.02)
 * weights.
 *
 * The coarsest level (`coarsest: true`) makes the low-pass image Ĩ_K from noise alone, a small
 * DCGAN generator without up-sampling (a projection of z to s×s planes, two 3×3 convolutions, tanh
 * output in (−1, 1)); the paper's is fully connected, which on 7×7 digits still drew shapeless
 * blobs after 3 epochs where this one draws strokes:
 *
 *   [N, nz + classes] → Linear(→ 2ngf·s²) → View(2ngf, s, s) → BN → ReLU
 *   → SpatialConvolution(2ngf → ngf, 3×3, pad 1) → BN → ReLU → SpatialConvolution(ngf → 1, 3×3, pad 1) → Tanh
 *
 * Every finer level makes the band-pass image h̃_k from one noise plane z_k and the up-sampled
 * coarser image l_k = u(Ĩ_{k+1}), so Ĩ_k = l_k + G_k(z_k, l_k); the paper's 3-layer ConvNet, with a
 * linear output (residuals are signed):
 *
 *   [N, 2 + classes, s, s] (z_k, l_k, class planes) → SpatialConvolution(→ ngf, 5×5, pad 2) → BN → ReLU
 *   → SpatialConvolution(ngf → ngf, 5×5, pad 2) → BN → ReLU → SpatialConvolution(ngf → 1, 5×5, pad 2)
 *
 * @example
 * const g2 = LAPGANGenerator({ size: 7, coarsest: true, rng }); // [N, 32] → [N, 1, 7, 7]
 * const g0 = LAPGANGenerator({ size: 28, rng });                // [N, 2, 28, 28] → [N, 1, 28, 28]
 * g0.forward(concat([zPlane, pyramidUp(i1)], 1));                 // h̃_0
 */
export function LAPGANGenerator(options: LAPGANGeneratorOptions): Sequential {
  const { size } = options;
  const classes = options.classes ?? 0;
  const rng = options.rng ?? defaultGenerator;
  const nz = options.nz ?? 32;
  const ngf = options.ngf ?? 32;
  checkSizes('LAPGANGenerator', { size, classes, nz, ngf });
  const net = options.coarsest
    ? new Sequential(
        new Linear(nz + classes, 2 * ngf * size * size, { rng, bias: false }),
        new View(2 * ngf, size, size),
        new SpatialBatchNormalization(2 * ngf),
        new ReLU(),
        new SpatialConvolution(2 * ngf, ngf, 3, 3, 1, 1, 1, 1, { rng, bias: false }),
        new SpatialBatchNormalization(ngf),
        new ReLU(),
        new SpatialConvolution(ngf, 1, 3, 3, 1, 1, 1, 1, { rng }),
        new Tanh(),
      )
    : new Sequential(
        new SpatialConvolution(2 + classes, ngf, 5, 5, 1, 1, 2, 2, { rng, bias: false }),
        new SpatialBatchNormalization(ngf),
        new ReLU(),
        new SpatialConvolution(ngf, ngf, 5, 5, 1, 1, 2, 2, { rng, bias: false }),
        new SpatialBatchNormalization(ngf),
        new ReLU(),
        new SpatialConvolution(ngf, 1, 5, 5, 1, 1, 2, 2, { rng }),
      );
  return normalInit(net, rng);
}

/** Throws a RangeError naming the first option that is not a positive integer (classes may be 0). */
export function checkSizes(op: string, values: Record<string, number>): void {
  for (const [name, v] of Object.entries(values)) {
    const min = name === 'classes' ? 0 : 1;
    if (!Number.isInteger(v) || v < min) throw new RangeError(`${op}: ${name} must be an integer ≥ ${min}, got ${String(v)}`);
  }
}
