import { Criterion, formatShape, ShapeError, Tensor } from '@eole/core';
import { gatherPairs } from '../mining/gather.js';
import { minePairs, type PairMining } from '../mining/batchPairs.js';
import { ContrastiveCriterion } from './ContrastiveCriterion.js';
import { PairwiseDistance } from './PairwiseDistance.js';

/**
 * DrLIM on the pairs of one batch, with the batch embedded once: the criterion takes the embeddings
 * E [B, D] of a batch and its labels [B], picks pairs (i, j) of its rows ({@link minePairs}), and
 * returns the contrastive loss (Hadsell, Chopra & LeCun, "Dimensionality reduction by learning an
 * invariant mapping", CVPR 2006, eq. 4)
 *
 *   L = (1/P) Σ_(i,j) (1 − Y)·½·‖Eᵢ − Eⱼ‖² + Y·½·max(0, m − ‖Eᵢ − Eⱼ‖)²,   Y = 1 for different labels.
 *
 * This is the Siamese architecture (Chopra, Hadsell & LeCun, CVPR 2005) with its branches gathered
 * from one forward pass: both members of a pair are rows of the same net's output, so the gradients
 * of the two branches accumulate into the one set of weights, and every item of the batch takes part
 * in several pairs for one forward and backward pass. Hard mining reads the embeddings themselves
 * (detached). `mining` is read at every forward, so a run may switch it between epochs.
 *
 * @example
 * const crit = new BatchContrastiveCriterion({ mining: 'random', pairs: 256, rng: new Generator(2) }, 1);
 * crit.forward(net.forward(batch.x), batch.y).backward();
 */
export class BatchContrastiveCriterion extends Criterion {
  private readonly distance = new PairwiseDistance();
  private readonly contrastive: ContrastiveCriterion;

  constructor(
    readonly mining: PairMining,
    readonly margin = 1,
  ) {
    super();
    this.contrastive = new ContrastiveCriterion(margin);
  }

  protected updateOutput(embeddings: Tensor, labels: Tensor): Tensor {
    if (embeddings.ndim !== 2 || labels.size !== embeddings.shape[0]) {
      throw new ShapeError(this.typeName(), `expected embeddings [B, D] and labels [B], got ${formatShape(embeddings.shape)} and ${formatShape(labels.shape)}`);
    }
    const pairs = minePairs(labels, () => embeddings.detach(), this.mining);
    const distances = this.distance.forward(gatherPairs(embeddings, pairs));
    return this.contrastive.forward(distances, new Tensor(pairs.target, [pairs.target.length]));
  }

  override toString(): string {
    return `${this.typeName()}(margin=${this.margin}, mining=${this.mining.mining})`;
  }
}
