import { Criterion, noGrad, Tensor, type Batch, type Generator, type Module } from '@eole/core';
import { ContrastiveCriterion, gatherPairs, hardPairs, PairwiseDistance, randomPairs, type Pairs } from '@eole/metric';

/**
 * How the pairs of a batch are chosen: at random (half similar by default), the hardest ones, or
 * both (the random pairs followed by the hard ones).
 */
export type Mining = 'random' | 'hard' | 'mixed';

/** How {@link minePairs} picks the pairs of one batch. */
export interface PairMining {
  /** `random`; `hard`: every digit's hardest positive and hardest negative in the batch; `mixed`: both. */
  mining: Mining;
  /** Random pairs per batch (hard mining makes two per digit). */
  pairs: number;
  /** Share of similar pairs (same digit) among random pairs. */
  positiveFraction: number;
  rng: Generator;
}

/**
 * The pairs of one labelled batch: @eole/metric's {@link randomPairs}, its {@link hardPairs} on
 * the batch's current embeddings (computed without the graph), or both.
 */
export function minePairs(labels: Tensor, embeddings: () => Tensor, options: PairMining): Pairs {
  const random = (): Pairs => randomPairs(labels, options.pairs, options.rng, { positiveFraction: options.positiveFraction });
  if (options.mining === 'random') return random();
  const hard = hardPairs(noGrad(embeddings), labels);
  if (options.mining === 'hard') return hard;
  const r = random();
  const join = <T extends Int32Array | Float32Array>(a: T, b: T, make: (n: number) => T): T => {
    const out = make(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  };
  return {
    first: join(r.first, hard.first, (n) => new Int32Array(n)),
    second: join(r.second, hard.second, (n) => new Int32Array(n)),
    target: join(r.target, hard.target, (n) => new Float32Array(n)),
  };
}

/**
 * DrLIM on the pairs of one batch, with the batch embedded once: the criterion takes the embeddings
 * E [B, D] of a batch and its digit labels [B], picks pairs (i, j) of its rows ({@link minePairs}),
 * and returns the contrastive loss (Hadsell, Chopra & LeCun, CVPR 2006, eq. 4)
 *
 *   L = (1/P) Σ_(i,j) (1 − Y)·½·‖Eᵢ − Eⱼ‖² + Y·½·max(0, m − ‖Eᵢ − Eⱼ‖)²,   Y = 1 for different digits.
 *
 * This is the Siamese architecture with its branches gathered from one forward pass: both members
 * of a pair are rows of the same net's output, so the gradients of the two branches accumulate into
 * the one set of weights, and every digit of the batch takes part in several pairs for one forward
 * and backward pass.
 *
 * @example
 * const crit = new BatchContrastiveCriterion({ mining: 'random', pairs: 256, positiveFraction: 0.5, rng }, 1);
 * crit.forward(net.forward(batch.x), batch.y).backward();
 */
export class BatchContrastiveCriterion extends Criterion {
  private readonly distance = new PairwiseDistance();
  private readonly contrastive: ContrastiveCriterion;

  constructor(
    readonly mining: PairMining,
    readonly margin: number,
  ) {
    super();
    this.contrastive = new ContrastiveCriterion(margin);
  }

  protected updateOutput(embeddings: Tensor, labels: Tensor): Tensor {
    if (embeddings.ndim !== 2 || labels.size !== embeddings.shape[0]) {
      throw new RangeError(`${this.typeName()}: expected embeddings [B, D] and labels [B], got [${embeddings.shape.join(', ')}] and [${labels.shape.join(', ')}]`);
    }
    const pairs = minePairs(labels, () => embeddings.detach(), this.mining);
    const distances = this.distance.forward(gatherPairs(embeddings, pairs));
    return this.contrastive.forward(distances, new Tensor(pairs.target, [pairs.target.length]));
  }
}

/**
 * The Siamese form of a batch: its pairs as inputs [2, P, 784] (first members, then second
 * members) and targets Y [P], for `Sequential(Siamese(net), PairwiseDistance())` and
 * `ContrastiveCriterion`. Hard mining embeds the batch with `net` first.
 */
export function siameseBatch(batch: Batch, net: Module, options: PairMining): Batch {
  const pairs = minePairs(batch.y, () => net.forward(batch.x), options);
  return { x: noGrad(() => gatherPairs(batch.x, pairs)), y: new Tensor(pairs.target, [pairs.target.length]) };
}
