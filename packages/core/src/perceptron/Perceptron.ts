import { noGrad } from '../autograd/gradMode.js';
import { kernels } from '../kernels/KernelRegistry.js';
import { Generator } from '../random/Generator.js';
import { Tensor } from '../tensor/Tensor.js';
import { fmt, ShapeError } from '../tensor/shape.js';

/** Options of {@link Perceptron}. */
export interface PerceptronOptions {
  /** Seed of the generator that orders the samples in each epoch (default 0). */
  seed?: number;
  /** Learning rate η of the rule (default 1, Rosenblatt's; any η > 0 learns the same line from zero weights). */
  lr?: number;
}

/** Options of {@link Perceptron.fit}. */
export interface PerceptronFitOptions {
  /** The most passes over the data (default 100). */
  maxEpochs?: number;
  /** Visit the samples in a fresh seeded random order each epoch (default true). */
  shuffle?: boolean;
}

/** Outcome of {@link Perceptron.fit}. */
export interface PerceptronFitResult {
  /** Whether an epoch went by without a mistake (the data were separated). */
  converged: boolean;
  /** Epochs run, the mistake-free one included. */
  epochs: number;
  /** Mistakes in the last epoch (0 when converged). */
  errors: number;
  /** Mistakes in each epoch. */
  history: number[];
}

/**
 * Rosenblatt's perceptron, with its own error-correction rule rather than gradient descent.
 * Output f(x) = sign(w·x + b) ∈ {−1, +1} (sign(0) = +1), the bias being a weight on a constant
 * input 1. Training visits the samples one at a time; on a mistake (y·(w·x + b) ≤ 0, where a point
 * on the boundary counts as a mistake, as in Novikoff's convergence proof):
 *
 *   w ← w + η·(y − f(x))·x = w + 2η·y·x,    b ← b + 2η·y
 *
 * and nothing changes on a correct answer. On linearly separable data it stops after finitely many
 * mistakes (Novikoff 1962); on data that are not (XOR) it never does.
 * F. Rosenblatt, "The Perceptron: a perceiving and recognizing automaton", Report 85-460-1,
 * Cornell Aeronautical Laboratory (1957); "The perceptron: a probabilistic model for information
 * storage and organization in the brain", Psychological Review 65(6) (1958).
 *
 * @example
 * const p = new Perceptron(2, { seed: 1 });
 * const { converged, epochs } = p.fit(Tensor.from([2, 1, -1, -2], [2, 2]), Tensor.from([1, -1]));
 * p.predict(Tensor.from([3, 3])).item(); // 1
 */
export class Perceptron {
  readonly inputSize: number;
  readonly lr: number;
  /** Weights then bias: [w₁ … w_d, b]. */
  private readonly w: Float32Array;
  private readonly rng: Generator;

  constructor(inputSize: number, options: PerceptronOptions = {}) {
    if (!Number.isInteger(inputSize) || inputSize <= 0) throw new RangeError(`Perceptron: inputSize must be a positive integer, got ${String(inputSize)}`);
    const { seed = 0, lr = 1 } = options;
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) throw new RangeError(`Perceptron: lr must be a finite number > 0, got ${String(lr)}`);
    this.inputSize = inputSize;
    this.lr = lr;
    this.w = new Float32Array(inputSize + 1);
    this.rng = new Generator(seed);
  }

  /** A copy of the weights w, shape [inputSize]. */
  get weight(): Tensor {
    return new Tensor(this.w.slice(0, this.inputSize), [this.inputSize]);
  }

  /** The bias b. */
  get bias(): number {
    return this.w[this.inputSize]!;
  }

  /** sign(x·w + b) for x [n, d] (a Tensor [n] of ±1) or x [d] (a 0-D Tensor), through the matmul kernel. */
  predict(x: Tensor): Tensor {
    const rows = this.checkInput('predict', x);
    const scores = noGrad(() => x.reshape([rows, this.inputSize]).matmul(this.weight).add(this.bias));
    const out = new Float32Array(rows);
    scores.data.forEach((s, i) => (out[i] = s >= 0 ? 1 : -1));
    return new Tensor(out, x.ndim === 1 ? [] : [rows]);
  }

  /**
   * Runs the perceptron rule over x [n, d] with labels y [n] of ±1 until an epoch makes no mistake or
   * `maxEpochs` have run. Continues from the current weights.
   */
  fit(x: Tensor, y: Tensor, options: PerceptronFitOptions = {}): PerceptronFitResult {
    const { maxEpochs = 100, shuffle = true } = options;
    if (!Number.isInteger(maxEpochs) || maxEpochs <= 0) throw new RangeError(`Perceptron.fit: maxEpochs must be a positive integer, got ${String(maxEpochs)}`);
    if (x.ndim !== 2) throw new ShapeError('Perceptron.fit', `x must be [n, ${this.inputSize}], got ${fmt(x.shape)}`);
    const n = this.checkInput('fit', x);
    if (!(y instanceof Tensor) || y.ndim !== 1 || y.shape[0] !== n) {
      throw new ShapeError('Perceptron.fit', `y must be [${n}] (one label per row of x), got ${y instanceof Tensor ? fmt(y.shape) : typeof y}`);
    }
    y.data.forEach((v, i) => {
      if (v !== 1 && v !== -1) throw new RangeError(`Perceptron.fit: labels must be +1 or -1, got y[${i}] = ${v}`);
    });
    const d = this.inputSize;
    const history: number[] = [];
    for (let epoch = 0; epoch < maxEpochs; epoch++) {
      const order = shuffle ? this.rng.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
      let mistakes = 0;
      // The rule is sequential by nature: each decision uses the weights the previous mistakes
      // left, so samples go one at a time; the dot product and the update are each one kernel.
      for (const i of order) {
        const row = x.data.subarray(i * d, (i + 1) * d);
        const label = y.data[i]!;
        if (label * this.score(row) <= 0) {
          this.w.set(this.update(row, 2 * this.lr * label));
          mistakes++;
        }
      }
      history.push(mistakes);
      if (mistakes === 0) return { converged: true, epochs: epoch + 1, errors: 0, history };
    }
    return { converged: false, epochs: maxEpochs, errors: history[history.length - 1]!, history };
  }

  /** w·x + b for one sample. */
  private score(row: Float32Array): number {
    const k = kernels.define('core.perceptron.score', () =>
      'function(x, w) { let s = w[this.constants.d]; for (let j = 0; j < this.constants.d; j++) { s += w[j] * x[j]; } return s; }',
    );
    return k.run({ output: [1], constants: { d: this.inputSize }, args: [row, this.w] })[0]!;
  }

  /** [w, b] + c·[x, 1]. */
  private update(row: Float32Array, c: number): Float32Array {
    const k = kernels.define('core.perceptron.update', () =>
      'function(w, x, c) { const j = this.thread.x; const xj = j < this.constants.d ? x[j] : 1; return w[j] + c * xj; }',
    );
    return k.run({ output: [this.inputSize + 1], constants: { d: this.inputSize }, args: [this.w, row, c] });
  }

  /** Checks x is [d] or [n, d] of finite values; returns n (1 for [d]). */
  private checkInput(where: string, x: Tensor): number {
    if (!(x instanceof Tensor)) throw new TypeError(`Perceptron.${where}: x must be a Tensor, got ${typeof x}`);
    const d = this.inputSize;
    if ((x.ndim !== 1 && x.ndim !== 2) || x.shape[x.ndim - 1] !== d) {
      throw new ShapeError(`Perceptron.${where}`, `x must be [${d}] or [n, ${d}], got ${fmt(x.shape)}`);
    }
    const bad = x.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new RangeError(`Perceptron.${where}: x must be finite, got ${x.data[bad]} at flat index ${bad}`);
    return x.ndim === 1 ? 1 : x.shape[0]!;
  }
}
