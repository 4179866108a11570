import { Generator, Linear, Sequential, Tanh, Tensor } from '@eole/core';
import type { ModuleCase } from '@eole/core/testing';
import { CosineDistance } from '../nn/CosineDistance.js';
import { PairwiseDistance } from '../nn/PairwiseDistance.js';
import { Siamese } from '../nn/Siamese.js';

/** A small net for the Siamese rows: Linear(dIn → 5), Tanh, Linear(5 → dOut). */
function smallNet(dIn: number, dOut: number, seed = 1): Sequential {
  const rng = new Generator(seed);
  return new Sequential(new Linear(dIn, 5, { rng }), new Tanh(), new Linear(5, dOut, { rng }));
}

/**
 * The metric modules (CosineDistance, PairwiseDistance for p = 1, 2, 3, ∞, a Siamese with shared
 * weights) as {@link ModuleCase} rows: test/modules.test.ts runs them with `testModules`; the
 * browser parity page runs them on WebGL against `cpu`. No Node-only import.
 *
 * @example
 * testModules(test, METRIC_MODULE_CASES);
 */
export const METRIC_MODULE_CASES: Readonly<Record<string, ModuleCase>> = metricCases();

function metricCases(): Record<string, ModuleCase> {
  const pairInput = (p: number) => (): Tensor => Tensor.randn([2, 6, 5], new Generator(10 + (p === Infinity ? 9 : p)));
  const cases: Record<string, ModuleCase> = {
    CosineDistance: { make: () => new CosineDistance(), shape: [2, 7, 4], input: () => Tensor.randn([2, 7, 4], new Generator(3)) },
    'Siamese(Linear, Tanh, Linear)': { make: () => new Siamese(smallNet(4, 2)), shape: [2, 3, 4], input: () => Tensor.randn([2, 3, 4], new Generator(6)), parityShape: [2, 64, 4] },
  };
  for (const p of [1, 2, 3, Infinity]) cases[`PairwiseDistance(p=${p})`] = { make: () => new PairwiseDistance(p), shape: [2, 6, 5], input: pairInput(p) };
  return cases;
}
