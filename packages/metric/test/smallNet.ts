import { Generator, Linear, Sequential, Tanh } from '@eole/core';

/** A small net for the Siamese tests: Linear(dIn → 5), Tanh, Linear(5 → dOut). */
export function smallNet(dIn: number, dOut: number, seed = 1): Sequential {
  const rng = new Generator(seed);
  return new Sequential(new Linear(dIn, 5, { rng }), new Tanh(), new Linear(5, dOut, { rng }));
}
