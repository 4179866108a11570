import type { Tensor } from '@eole/core';

/**
 * mean σ(l) over discriminator logits l, in float64 without building a graph: the D(x) and D(G(z))
 * figures a GAN's training reports (the probability D gives a batch of being real).
 *
 * @example
 * sigmoidMean(Tensor.zeros([8])); // 0.5
 */
export function sigmoidMean(logits: Tensor): number {
  let s = 0;
  for (const l of logits.data) s += 1 / (1 + Math.exp(-l));
  return s / logits.size;
}
