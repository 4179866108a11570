/**
 * The embedding ConvNet of speaker-verify: a 40 × 40 MFCC window (40 coefficients by 40 frames of
 * 10 ms, the input of the lecture's acoustic model) to a point of R^dim.
 */
import { Generator, Linear, ReLU, Sequential, View } from '@eole/core';
import { SpatialAveragePooling, SpatialConvolution, SpatialMaxPooling } from '@eole/conv';
import { StatisticsPooling } from '@eole/speech';

/** Options of {@link speakerEmbeddingNet}. */
export interface EmbeddingNetOptions {
  /** Size of the embedding (default 32). */
  dim?: number;
  /** Feature maps of the two convolutions (default 16 and 32). */
  channels?: readonly [number, number];
  /** Width of the hidden fully connected layer (default 128). */
  hidden?: number;
  /**
   * How the 6 time steps of the last maps are pooled: `mean` (their average, [c₂·6]) or `stats`
   * (@eole/speech's `StatisticsPooling`: mean and standard deviation of every map row over time,
   * [2·c₂·6], the x-vector pooling of Snyder et al., ICASSP 2018). Default `mean`.
   */
  pool?: 'mean' | 'stats';
  /** Generator of the initial weights. */
  rng: Generator;
}

/**
 * A small ConvNet from @eole/conv layers over one MFCC window, given as [N, 1600] (coefficient-major,
 * as `windowInput` of @eole/speech writes it) or [N, 1, 40, 40] (coefficients × frames):
 *
 *   conv 1→c₁ 9×9 → ReLU → max-pool 2×2 → conv c₁→c₂ 5×5 → ReLU → max-pool 2×2        [c₂, 6, 6]
 *   → average over the 6 time steps (a speaker is the same all along the window)        [c₂·6]
 *     (or, `pool: 'stats'`, their mean and standard deviation                          [2·c₂·6])
 *   → Linear(6·c₂ or 12·c₂ → hidden) → ReLU → Linear(hidden → dim)
 *
 * The first layer's 9×9 kernels are those of the acoustic model of the lecture (Abdel-Hamid et al.,
 * "Convolutional neural networks for speech recognition", IEEE TASLP 2014, convolve over both
 * frequency and time); the output is trained as G_W of a Siamese pair with the DrLIM loss.
 *
 * @example
 * const net = speakerEmbeddingNet({ rng: new Generator(1) });
 * net.forward(Tensor.zeros([8, 1600])).shape; // [8, 32]
 */
export function speakerEmbeddingNet(options: EmbeddingNetOptions): Sequential {
  const { rng } = options;
  const dim = options.dim ?? 32;
  const [c1, c2] = options.channels ?? [16, 32];
  const hidden = options.hidden ?? 128;
  const pooled = options.pool === 'stats' ? 12 * c2 : 6 * c2;
  const pooling = options.pool === 'stats' ? [new StatisticsPooling()] : [new SpatialAveragePooling(6, 1, 6, 1), new View(6 * c2)];
  return new Sequential(
    new View(1, 40, 40),
    new SpatialConvolution(1, c1, 9, 9, 1, 1, 0, 0, { rng }),
    new ReLU(),
    new SpatialMaxPooling(2, 2),
    new SpatialConvolution(c1, c2, 5, 5, 1, 1, 0, 0, { rng }),
    new ReLU(),
    new SpatialMaxPooling(2, 2),
    ...pooling,
    new Linear(pooled, hidden, { rng }),
    new ReLU(),
    new Linear(hidden, dim, { rng }),
  );
}
