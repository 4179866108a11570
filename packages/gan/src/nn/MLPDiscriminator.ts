import { defaultGenerator, Dropout, LeakyReLU, Linear, Sequential, type Generator } from '@eole/core';

/** Options of {@link MLPDiscriminator}. */
export interface MLPDiscriminatorOptions {
  /** Units of the two hidden layers (default 256). */
  hidden?: number;
  /** Classes of a conditional discriminator: input [x, one-hot(y)] (default 0). */
  classes?: number;
  /** Input size (default 784). */
  inputs?: number;
  /** Dropout after each hidden layer, as the 2014 paper's maxout nets used (default 0.3; 0 for none). */
  dropout?: number;
  /** Generator of the initial weights. */
  rng?: Generator;
  /** Generator of the dropout masks (default: `rng`). */
  dropoutRng?: Generator;
}

/**
 * The fully connected discriminator of the 2014 GAN (Goodfellow et al., NIPS 2014), with LeakyReLU
 * instead of maxout units, returning one logit per sample (the losses apply the sigmoid):
 *
 *   [N, 784 + classes] → Linear(→ hidden) → LeakyReLU(0.2) → Dropout → Linear(→ hidden) → LeakyReLU(0.2) → Dropout → Linear(→ 1)
 *
 * @example
 * const d = MLPDiscriminator({ rng: new Generator(2) });
 * d.forward(Tensor.zeros([16, 784])).shape; // [16, 1]
 * MLPDiscriminator({ classes: 10 });         // input [N, 794]
 */
export function MLPDiscriminator(options: MLPDiscriminatorOptions = {}): Sequential {
  const hidden = options.hidden ?? 256;
  const rng = options.rng ?? defaultGenerator;
  const p = options.dropout ?? 0.3;
  const net = new Sequential(new Linear((options.inputs ?? 784) + (options.classes ?? 0), hidden, { rng }), new LeakyReLU(0.2));
  if (p > 0) net.add(new Dropout(p, { rng: options.dropoutRng ?? rng }));
  net.add(new Linear(hidden, hidden, { rng })).add(new LeakyReLU(0.2));
  if (p > 0) net.add(new Dropout(p, { rng: options.dropoutRng ?? rng }));
  return net.add(new Linear(hidden, 1, { rng }));
}
