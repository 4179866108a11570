import { noGrad, Tensor, type Batch, type Generator, type Module } from '@eole/core';
import { checkCount } from '../validation/check.js';
import { gatherPairs } from './gather.js';
import type { Labels } from './labelGroups.js';
import { hardPairs, randomPairs, type Pairs } from './pairs.js';

/**
 * How the pairs of a batch are chosen: at random ({@link randomPairs}), the hardest ones
 * ({@link hardPairs}: every item's farthest positive and closest negative in the batch), or both
 * (`mixed`: the random pairs followed by the hard ones).
 */
export type PairMiningStrategy = 'random' | 'hard' | 'mixed';

/**
 * How {@link minePairs} picks the pairs of one batch. Mutable: a training run may switch `mining`
 * between epochs (random pairs first, hard ones later), and whoever holds the object sees it.
 */
export interface PairMining {
  mining: PairMiningStrategy;
  /** Random pairs per batch (hard mining makes up to two per item). */
  pairs: number;
  /** Share of similar pairs (same label) among the random pairs (default 0.5). */
  positiveFraction?: number;
  /** Draws the random pairs. */
  rng: Generator;
}

function concatenate<T extends Int32Array | Float32Array>(a: T, b: T, make: (n: number) => T): T {
  const out = make(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * In-batch pair mining: the pairs of one labelled batch, by `options.mining` — {@link randomPairs}
 * (`pairs` of them, `positiveFraction` similar, from `rng`), {@link hardPairs} on the batch's current
 * embeddings (computed by `embeddings()` without the graph, only when needed), or both, random pairs
 * first. Targets follow DrLIM: 0 for a similar pair, 1 for a dissimilar one.
 *
 * @example
 * const mining: PairMining = { mining: 'mixed', pairs: 128, rng: new Generator(2) };
 * const pairs = minePairs(batch.y, () => net.forward(batch.x), mining);
 * new ContrastiveCriterion(1).forward(new PairwiseDistance().forward(gatherPairs(net.forward(batch.x), pairs)), Tensor.from(pairs.target));
 */
export function minePairs(labels: Labels, embeddings: () => Tensor, options: PairMining): Pairs {
  checkCount('minePairs', 'pairs', options.pairs);
  const random = (): Pairs => randomPairs(labels, options.pairs, options.rng, { positiveFraction: options.positiveFraction ?? 0.5 });
  switch (options.mining) {
    case 'random':
      return random();
    case 'hard':
      return hardPairs(noGrad(embeddings), labels);
    case 'mixed': {
      const hard = hardPairs(noGrad(embeddings), labels);
      const r = random();
      return {
        first: concatenate(r.first, hard.first, (n) => new Int32Array(n)),
        second: concatenate(r.second, hard.second, (n) => new Int32Array(n)),
        target: concatenate(r.target, hard.target, (n) => new Float32Array(n)),
      };
    }
    default:
      throw new RangeError(`minePairs: mining must be 'random', 'hard' or 'mixed', got '${String(options.mining)}'`);
  }
}

/**
 * The Siamese form of a labelled batch { x [N, ...], y [N] }: pairs mined among its items
 * ({@link minePairs}; hard mining embeds `batch.x` with `net` first, without the graph) as inputs
 * [2, P, ...] (first members, then second members; {@link gatherPairs}) and DrLIM targets Y [P], for
 * `Sequential(Siamese(net), PairwiseDistance())` and {@link ContrastiveCriterion}. The batch declares
 * `samples: P`, so core's `train` counts P pairs (not the 2 of `x.shape[0]`) in its events.
 *
 * @example
 * const model = new Sequential(new Siamese(net), new PairwiseDistance());
 * const pair = siameseBatch(batch, net, { mining: 'random', pairs: 64, rng });
 * new ContrastiveCriterion(1).forward(model.forward(pair.x), pair.y).backward();
 */
export function siameseBatch(batch: Batch, net: Module, options: PairMining): Batch {
  const pairs = minePairs(batch.y, () => net.forward(batch.x), options);
  const p = pairs.target.length;
  return { x: noGrad(() => gatherPairs(batch.x, pairs)), y: new Tensor(pairs.target, [p]), samples: p };
}
