import { defaultGenerator, Linear, ReLU, Sequential, Tanh, View, type Generator } from '@eole/core';
import { SpatialBatchNormalization, SpatialFullConvolution } from '@eole/conv';
import { normalInit } from './normalInit.js';

/** Options of {@link DCGANGenerator}. */
export interface DCGANGeneratorOptions {
  /** Size of the latent code z (default 64). */
  nz?: number;
  /** Planes of the last hidden layer; the first has 2·ngf (default 32). */
  ngf?: number;
  /** Classes of a conditional generator (Mirza & Osindero 2014): its input is [z, one-hot(y)] (default 0: unconditional). */
  classes?: number;
  /** Generator of the initial weights, N(0, 0.02) as in the DCGAN paper (default: the global one). */
  rng?: Generator;
}

/**
 * The DCGAN generator (Radford, Metz & Chintala, "Unsupervised representation learning with deep
 * convolutional generative adversarial networks", ICLR 2016) sized for 28×28 digits: a projection
 * of z to 2·ngf planes of 7×7, then two fractionally-strided convolutions that double the size,
 * batch normalization and ReLU between, tanh at the output:
 *
 *   [N, nz + classes] → Linear → View(2ngf, 7, 7) → BN → ReLU
 *   → SpatialFullConvolution(2ngf → ngf, 4×4, stride 2, pad 1) → BN → ReLU    (14×14)
 *   → SpatialFullConvolution(ngf → 1, 4×4, stride 2, pad 1) → Tanh             (28×28, values in (−1, 1))
 *
 * Weights are drawn from N(0, 0.02) (BN scales from N(1, 0.02)), biases start at 0, as the paper says;
 * the layers followed by batch normalization have no bias (BN's own shift replaces it), as in
 * the reference implementations.
 *
 * @example
 * const g = DCGANGenerator({ nz: 64, ngf: 32, rng: new Generator(1) });
 * g.forward(Tensor.randn([8, 64], rng)).shape; // [8, 1, 28, 28]
 * DCGANGenerator({ classes: 10 });              // input [N, 74]: z then the one-hot class
 */
export function DCGANGenerator(options: DCGANGeneratorOptions = {}): Sequential {
  const nz = options.nz ?? 64;
  const ngf = options.ngf ?? 32;
  const classes = options.classes ?? 0;
  const rng = options.rng ?? defaultGenerator;
  const net = new Sequential(
    new Linear(nz + classes, 2 * ngf * 7 * 7, { rng, bias: false }),
    new View(2 * ngf, 7, 7),
    new SpatialBatchNormalization(2 * ngf),
    new ReLU(),
    new SpatialFullConvolution(2 * ngf, ngf, 4, 4, 2, 2, 1, 1, 0, 0, { rng, bias: false }),
    new SpatialBatchNormalization(ngf),
    new ReLU(),
    new SpatialFullConvolution(ngf, 1, 4, 4, 2, 2, 1, 1, 0, 0, { rng }),
    new Tanh(),
  );
  return normalInit(net, rng);
}
