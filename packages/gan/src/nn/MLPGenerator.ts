import { defaultGenerator, Linear, ReLU, Sequential, Tanh, type Generator } from '@eole/core';

/** Options of {@link MLPGenerator}. */
export interface MLPGeneratorOptions {
  /** Size of the latent code z (default 64). */
  nz?: number;
  /** Units of the two hidden layers (default 256). */
  hidden?: number;
  /** Classes of a conditional generator: input [z, one-hot(y)] (default 0). */
  classes?: number;
  /** Output size (default 784, a 28×28 digit as a row). */
  outputs?: number;
  rng?: Generator;
}

/**
 * The fully connected generator of Goodfellow et al., "Generative adversarial nets" (NIPS 2014),
 * for digits as rows: z ~ N(0, I) through two ReLU layers to a tanh output in (−1, 1):
 *
 *   [N, nz + classes] → Linear(→ hidden) → ReLU → Linear(→ hidden) → ReLU → Linear(→ 784) → Tanh
 *
 * @example
 * const g = MLPGenerator({ nz: 64, rng: new Generator(1) });
 * g.forward(Tensor.randn([16, 64], rng)).shape; // [16, 784]
 * g.toString();                                 // nn.Sequential { ... }
 */
export function MLPGenerator(options: MLPGeneratorOptions = {}): Sequential {
  const nz = options.nz ?? 64;
  const hidden = options.hidden ?? 256;
  const rng = options.rng ?? defaultGenerator;
  return new Sequential(
    new Linear(nz + (options.classes ?? 0), hidden, { rng }),
    new ReLU(),
    new Linear(hidden, hidden, { rng }),
    new ReLU(),
    new Linear(hidden, options.outputs ?? 784, { rng }),
    new Tanh(),
  );
}
