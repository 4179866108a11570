import { Generator, Linear, ReLU, Sequential, View } from '@eole/core';
import { SpatialConvolution, SpatialMaxPooling } from '@eole/conv';

/** The shape of {@link embeddingNet}: its two convolutions' widths, the hidden layer and the embedding size. */
export interface EmbeddingNetConfig {
  /** Output units: the embedding's dimension (2 for the DrLIM figure). */
  dim: number;
  /** Feature maps of the first and second convolution. */
  channels: readonly [number, number];
  /** Units of the fully connected layer before the embedding. */
  hidden: number;
}

/**
 * The embedding ConvNet G_W of DrLIM (Hadsell, Chopra & LeCun, CVPR 2006), a LeNet-style stack
 * for 28×28 digits given as [N, 784] or [N, 1, 28, 28]:
 *
 *   conv 1→c1 5×5 (padding 2) → ReLU → max pool 2×2 → conv c1→c2 5×5 → ReLU → max pool 2×2
 *   → Linear(c2·5·5 → hidden) → ReLU → Linear(hidden → dim),
 *
 * with no output non-linearity (the contrastive loss acts on raw distances).
 *
 * @example
 * const net = embeddingNet({ dim: 2, channels: [8, 16], hidden: 128 }, new Generator(1));
 * net.forward(Tensor.zeros([5, 784])).shape; // [5, 2]
 */
export function embeddingNet(config: EmbeddingNetConfig, rng: Generator): Sequential {
  const [c1, c2] = config.channels;
  return new Sequential(
    new View(1, 28, 28),
    new SpatialConvolution(1, c1, 5, 5, 1, 1, 2, 2, { rng }),
    new ReLU(),
    new SpatialMaxPooling(2, 2, 2, 2),
    new SpatialConvolution(c1, c2, 5, 5, 1, 1, 0, 0, { rng }),
    new ReLU(),
    new SpatialMaxPooling(2, 2, 2, 2),
    new View(c2 * 5 * 5),
    new Linear(c2 * 5 * 5, config.hidden, { rng }),
    new ReLU(),
    new Linear(config.hidden, config.dim, { rng }),
  );
}
