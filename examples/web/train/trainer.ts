// LeNet-5 training in the page: one step at a time, so the page can redraw between steps.
import { Adam, ClassNLLCriterion, Generator, noGrad, Tensor, type Sequential } from '@eole/core';
import { LeNet5, SpatialConvolution } from '@eole/conv';
import { PIXELS, type Digits } from './digits.js';

/** The recipe of examples/mnist-lenet: ReLU, max pooling, Adam 2e-3, batches of 32. */
export const RECIPE = { batch: 32, lr: 2e-3, activation: 'relu', pooling: 'max' } as const;

/** What one training step reports. */
export interface StepReport {
  /** Mean negative log-likelihood of the batch. */
  loss: number;
  /** Fraction of the batch classified right (before the update). */
  accuracy: number;
}

/** Rows `rows` of `digits` as a batch: [n, 784] pixels and [n] labels. */
export function batchOf(digits: Digits, rows: ArrayLike<number>): { x: Tensor; y: Tensor } {
  const x = new Float32Array(rows.length * PIXELS);
  const y = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    x.set(digits.images.subarray(r * PIXELS, (r + 1) * PIXELS), i * PIXELS);
    y[i] = digits.labels[r]!;
  }
  return { x: Tensor.from(x, [rows.length, PIXELS]), y: Tensor.from(y) };
}

/** Index of the largest value of each row of an [n, c] array. */
export function argmaxRows(values: Float32Array, c: number): number[] {
  const out: number[] = [];
  for (let r = 0; r * c < values.length; r++) {
    let best = 0;
    for (let k = 1; k < c; k++) if (values[r * c + k]! > values[r * c + best]!) best = k;
    out.push(best);
  }
  return out;
}

/**
 * LeNet-5 (conv's `LeNet5`) learning digits with Adam, a seeded shuffle of the training set per
 * epoch, and `step()` doing one batch: forward, loss, backward, update.
 *
 * @example
 * const trainer = new LeNetTrainer(train, 1);
 * for (let i = 0; i < 300; i++) trainer.step();
 * trainer.accuracy(test); // ≈ 0.9
 */
export class LeNetTrainer {
  /** The network being trained. */
  readonly net: Sequential;
  /** Its first convolution (C1), whose six 5×5 filters the page draws. */
  readonly c1: SpatialConvolution;
  /** Training steps done. */
  steps = 0;
  private readonly optimizer: Adam;
  private readonly criterion = new ClassNLLCriterion();
  private readonly rng: Generator;
  private order: Int32Array = new Int32Array(0);
  private cursor = 0;

  constructor(
    private readonly data: Digits,
    seed: number,
    readonly batch: number = RECIPE.batch,
  ) {
    this.rng = new Generator(seed + 1);
    this.net = LeNet5({ rng: new Generator(seed), activation: RECIPE.activation, pooling: RECIPE.pooling });
    this.optimizer = new Adam(this.net.parameters(), { lr: RECIPE.lr });
    const c1 = this.net.get(1);
    if (!(c1 instanceof SpatialConvolution)) throw new Error('LeNetTrainer: LeNet5 no longer starts with a View and a SpatialConvolution');
    this.c1 = c1;
  }

  /** One batch of training; returns its loss and accuracy. */
  step(): StepReport {
    const { x, y } = batchOf(this.data, this.nextRows());
    this.net.train();
    this.optimizer.zeroGrad();
    const out = this.net.forward(x);
    const loss = this.criterion.forward(out, y);
    loss.backward();
    this.optimizer.step();
    this.steps++;
    const predicted = argmaxRows(out.data, 10);
    const right = predicted.filter((p, i) => p === y.data[i]).length;
    return { loss: loss.item(), accuracy: right / predicted.length };
  }

  /** Class log-probabilities [n, 10] of `x` ([n, 784]), without recording gradients. */
  scores(x: Tensor): Tensor {
    this.net.evaluate();
    return noGrad(() => this.net.forward(x));
  }

  /** Fraction of `digits` (the first `limit` of them) classified right, in chunks of 250. */
  accuracy(digits: Digits, limit = digits.count): number {
    const n = Math.min(limit, digits.count);
    let right = 0;
    for (let first = 0; first < n; first += 250) {
      const rows = Array.from({ length: Math.min(250, n - first) }, (_, i) => first + i);
      const { x, y } = batchOf(digits, rows);
      argmaxRows(this.scores(x).data, 10).forEach((p, i) => (right += p === y.data[i] ? 1 : 0));
    }
    return right / n;
  }

  private nextRows(): Int32Array {
    if (this.cursor + this.batch > this.order.length) {
      this.order = this.rng.permutation(this.data.count);
      this.cursor = 0;
    }
    this.cursor += this.batch;
    return this.order.subarray(this.cursor - this.batch, this.cursor);
  }
}
