import { defaultGenerator, LeakyReLU, Linear, Sequential, View, type Generator } from '@eole/core';
import { SpatialBatchNormalization, SpatialConvolution } from '@eole/conv';
import { MinibatchStdDev } from './MinibatchStdDev.js';
import { normalInit } from './normalInit.js';

/** Options of {@link DCGANDiscriminator}. */
export interface DCGANDiscriminatorOptions {
  /** Planes of the first layer; the second has 2·ndf (default 32). */
  ndf?: number;
  /** Classes of a conditional discriminator: its input has 1 + classes planes, the image then one constant plane per class (default 0). */
  classes?: number;
  /** Insert a {@link MinibatchStdDev} plane before the last layer (Karras et al. 2018), against mode collapse (default false). */
  minibatchStd?: boolean;
  /** Generator of the initial weights, N(0, 0.02) (default: the global one). */
  rng?: Generator;
}

/**
 * The DCGAN discriminator (Radford, Metz & Chintala, ICLR 2016) sized for 28×28 digits: strided
 * convolutions instead of pooling, LeakyReLU(0.2), batch normalization on the hidden layer (not on
 * the input layer; the layer before it has no bias), one logit out (the losses apply the sigmoid):
 *
 *   [N, 1 + classes, 28, 28] → SpatialConvolution(→ ndf, 4×4, stride 2, pad 1) → LeakyReLU(0.2)   (14×14)
 *   → SpatialConvolution(ndf → 2ndf, 4×4, stride 2, pad 1) → BN → LeakyReLU(0.2)                  (7×7)
 *   [→ MinibatchStdDev, one plane more] → View(2ndf·49) → Linear(→ 1)                             (logit)
 *
 * @example
 * const d = DCGANDiscriminator({ ndf: 32, rng: new Generator(2) });
 * d.forward(Tensor.zeros([8, 1, 28, 28])).shape; // [8, 1]
 * DCGANDiscriminator({ classes: 10 });            // input [N, 11, 28, 28] (see labelPlanes)
 */
export function DCGANDiscriminator(options: DCGANDiscriminatorOptions = {}): Sequential {
  const ndf = options.ndf ?? 32;
  const classes = options.classes ?? 0;
  const rng = options.rng ?? defaultGenerator;
  const planes = 2 * ndf + (options.minibatchStd ? 1 : 0);
  const net = new Sequential(
    new SpatialConvolution(1 + classes, ndf, 4, 4, 2, 2, 1, 1, { rng }),
    new LeakyReLU(0.2),
    new SpatialConvolution(ndf, 2 * ndf, 4, 4, 2, 2, 1, 1, { rng, bias: false }),
    new SpatialBatchNormalization(2 * ndf),
    new LeakyReLU(0.2),
  );
  if (options.minibatchStd) net.add(new MinibatchStdDev());
  net.add(new View(planes * 7 * 7)).add(new Linear(planes * 7 * 7, 1, { rng }));
  return normalInit(net, rng);
}
