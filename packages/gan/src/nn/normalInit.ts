import type { Generator, Module, Tensor } from '@eole/core';
import { SpatialBatchNormalization } from '@eole/conv';

/**
 * DCGAN's initialisation (Radford, Metz & Chintala 2016, §4): every weight from N(0, std), batch
 * normalization scales from N(1, std), every bias 0. Draws in the order of `net.namedParameters()`,
 * so a seed gives the same net every time. Returns `net`.
 *
 * @example
 * normalInit(new Sequential(new Linear(64, 10)), new Generator(1)); // weights ~ N(0, 0.02), bias 0
 */
export function normalInit<M extends Module>(net: M, rng: Generator, std = 0.02): M {
  const scales = new Set<Tensor | null>();
  const walk = (m: Module): void => {
    if (m instanceof SpatialBatchNormalization) scales.add(m.weight);
    m.children().forEach(walk);
  };
  walk(net);
  for (const [name, p] of net.namedParameters()) {
    const d = p.data;
    if (name.endsWith('bias')) d.fill(0);
    else for (let i = 0; i < d.length; i++) d[i] = (scales.has(p) ? 1 : 0) + rng.normal(0, std);
  }
  return net;
}
