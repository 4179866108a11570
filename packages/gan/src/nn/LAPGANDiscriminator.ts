import { defaultGenerator, LeakyReLU, Linear, Sequential, View, type Generator } from '@eole/core';
import { SpatialBatchNormalization, SpatialConvolution } from '@eole/conv';
import { checkSizes } from './LAPGANGenerator.js';
import { normalInit } from './normalInit.js';

/** Options of {@link LAPGANDiscriminator}. */
export interface LAPGANDiscriminatorOptions {
  /** Side of the level's image (28, 14 or 7 for a 3-level pyramid of digits). */
  size: number;
  /** The coarsest level: judges the low-pass image I_K alone (default false: judges [h_k, l_k]). */
  coarsest?: boolean;
  /** Planes of the first convolution; the second has 2·ndf (default 32). */
  ndf?: number;
  /** Classes of a class-conditional LAPGAN: one constant plane per class after the images (default 0). */
  classes?: number;
  /** Generator of the initial weights (default: the global one). */
  rng?: Generator;
}

/**
 * One level's discriminator D_k of LAPGAN (Denton, Chintala, Szlam & Fergus, NIPS 2015), one logit
 * per sample (the losses apply the sigmoid), a DCGAN-style ConvNet (LeakyReLU(0.2), batch
 * normalization on the hidden layer, no bias before it, N(0, 0.02) weights).
 *
 * A band-pass level judges the detail h_k (real, or G_k's) together with its condition, the
 * up-sampled coarser image l_k, with strided convolutions (o₁ = ⌊s/2⌋, o₂ = ⌊o₁/2⌋):
 *
 *   [N, 2 + classes, s, s] (h_k, l_k, class planes) → SpatialConvolution(→ ndf, 4×4, stride 2, pad 1) → LeakyReLU(0.2)
 *   → SpatialConvolution(ndf → 2ndf, 4×4, stride 2, pad 1) → BN → LeakyReLU(0.2) → View → Linear(2ndf·o₂² → 1)
 *
 * The coarsest level judges the low-pass image alone, its first convolution 3×3 without stride
 * (a 7×7 image has little room for two strided ones). The paper's coarsest discriminator is fully
 * connected; on 7×7 digits an MLP with dropout stayed near chance and let the generator collapse
 * to the mean digit for epochs, which this ConvNet does not:
 *
 *   [N, 1 + classes, s, s] → SpatialConvolution(→ ndf, 3×3, pad 1) → LeakyReLU(0.2)
 *   → SpatialConvolution(ndf → 2ndf, 4×4, stride 2, pad 1) → BN → LeakyReLU(0.2) → View → Linear(2ndf·⌊s/2⌋² → 1)
 *
 * @example
 * const d0 = LAPGANDiscriminator({ size: 28, rng });           // [N, 2, 28, 28] → [N, 1]
 * d0.forward(concat([h0, pyramidUp(i1)], 1));                    // logits
 * LAPGANDiscriminator({ size: 7, coarsest: true, classes: 10 }); // [N, 11, 7, 7] → [N, 1]
 */
export function LAPGANDiscriminator(options: LAPGANDiscriminatorOptions): Sequential {
  const { size } = options;
  const classes = options.classes ?? 0;
  const rng = options.rng ?? defaultGenerator;
  checkSizes('LAPGANDiscriminator', { size, classes, ndf: options.ndf ?? 32 });
  const coarsest = options.coarsest ?? false;
  if (size < (coarsest ? 2 : 4)) throw new RangeError(`LAPGANDiscriminator: size must be ≥ ${coarsest ? '2 for the coarsest level' : '4 for a band-pass level (two stride-2 convolutions)'}, got ${size}`);
  const ndf = options.ndf ?? 32;
  const o = coarsest ? Math.floor(size / 2) : Math.floor(Math.floor(size / 2) / 2);
  const net = new Sequential(
    coarsest ? new SpatialConvolution(1 + classes, ndf, 3, 3, 1, 1, 1, 1, { rng }) : new SpatialConvolution(2 + classes, ndf, 4, 4, 2, 2, 1, 1, { rng }),
    new LeakyReLU(0.2),
    new SpatialConvolution(ndf, 2 * ndf, 4, 4, 2, 2, 1, 1, { rng, bias: false }),
    new SpatialBatchNormalization(2 * ndf),
    new LeakyReLU(0.2),
    new View(2 * ndf * o * o),
    new Linear(2 * ndf * o * o, 1, { rng }),
  );
  return normalInit(net, rng);
}
