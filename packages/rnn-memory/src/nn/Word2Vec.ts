import { defaultGenerator, formatShape, logSigmoid, Module, noGrad, ShapeError, Tensor, type Generator } from '@eole/core';
import { embedding } from '../functional/embedding.js';
import { LookupTable } from './LookupTable.js';

/** Options of {@link Word2Vec}. */
export interface Word2VecOptions {
  /** Generator of the initial input vectors (default: the global one). */
  rng?: Generator;
}

/** One neighbour of a word: its id and cosine similarity. */
export interface Neighbour {
  id: number;
  similarity: number;
}

/**
 * Skip-gram word vectors trained with negative sampling (Mikolov, Sutskever, Chen, Corrado & Dean,
 * "Distributed Representations of Words and Phrases and their Compositionality", NIPS 2013). Two
 * tables: the input (word) vectors v_w, `inputVectors`, initialised uniform in ±0.5/d as in word2vec, and the
 * output (context) vectors u_w, `outputVectors`, initialised at zero. For a center word c, a context word o
 * and noise words n₁…n_k, the model scores s₀ = v_c·u_o and s_j = v_c·u_nj; the loss
 * ({@link Word2Vec.loss}) is
 *
 *   −log σ(s₀) − Σ_j log σ(−s_j)
 *
 * so that real pairs score high and noise pairs low. Input: ids [B, 2 + k] (center, context, noise
 * words; see `SkipGramSampler`); output: scores [B, 1 + k]. Both tables are `LookupTable`s with a
 * scatter-add backward, so a step costs O(B·k·d) whatever the vocabulary.
 *
 * @example
 * const w2v = new Word2Vec(sampler.vocab.size, 100, { rng: new Generator(1) });
 * const loss = Word2Vec.loss(w2v.forward(ids));   // ids [B, 7]
 * w2v.nearest(sampler.vocab.id('king'), 5);      // the 5 closest words by cosine
 */
export class Word2Vec extends Module {
  /** The input (word) vectors v_w, registered as `input`. */
  readonly inputVectors: LookupTable;
  /** The output (context) vectors u_w, registered as `output`. */
  readonly outputVectors: LookupTable;

  constructor(
    readonly vocabSize: number,
    readonly dim: number,
    options: Word2VecOptions = {},
  ) {
    super();
    const rng = options.rng ?? defaultGenerator;
    this.inputVectors = this.registerModule('input', new LookupTable(vocabSize, dim, { rng }));
    this.outputVectors = this.registerModule('output', new LookupTable(vocabSize, dim, { rng }));
    const v = this.inputVectors.weight.data;
    for (let i = 0; i < v.length; i++) v[i] = (rng.uniform() - 0.5) / dim;
    this.outputVectors.weight.data.fill(0);
  }

  protected updateOutput(ids: Tensor): Tensor {
    if (ids.ndim !== 2 || ids.shape[1]! < 2) throw new ShapeError(this.typeName(), `expected ids [B, 2 + negatives] (center, context, noise words), got ${formatShape(ids.shape)}`);
    const [B, width] = ids.shape as [number, number];
    const center = new Float32Array(B);
    const others = new Float32Array(B * (width - 1));
    for (let b = 0; b < B; b++) {
      center[b] = ids.data[b * width]!;
      others.set(ids.data.subarray(b * width + 1, (b + 1) * width), b * (width - 1));
    }
    const v = embedding(this.inputVectors.weight, new Tensor(center, [B]), null, this.typeName()).reshape([B, this.dim, 1]);
    const u = embedding(this.outputVectors.weight, new Tensor(others, [B, width - 1]), null, this.typeName());
    return u.matmul(v).reshape([B, width - 1]);
  }

  /**
   * The negative-sampling loss of scores [B, 1 + k] (column 0 the real context, then the noise
   * words): −Σ_b [log σ(s_b0) + Σ_j log σ(−s_bj)], averaged over the batch unless `sizeAverage` is
   * false (word2vec's SGD takes one step per pair, the sum).
   */
  static loss(scores: Tensor, sizeAverage = true): Tensor {
    if (scores.ndim !== 2) throw new ShapeError('Word2Vec.loss', `expected scores [B, 1 + negatives], got ${formatShape(scores.shape)}`);
    const [B, width] = scores.shape as [number, number];
    const sign = new Float32Array(width).fill(-1);
    sign[0] = 1;
    const total = logSigmoid(scores.mul(new Tensor(sign, [1, width]))).sum().neg();
    return sizeAverage ? total.mul(1 / B) : total;
  }

  /**
   * The `k` words closest to word `id` by cosine similarity of the input vectors (the word itself
   * and id 0, NIL, excluded), most similar first.
   */
  nearest(id: number, k = 10): Neighbour[] {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) throw new RangeError(`Word2Vec.nearest: id ${id} is out of range [0, ${this.vocabSize})`);
    const sims = noGrad(() => {
      const w = this.inputVectors.weight.detach();
      const norms = w.mul(w).sum(1, true).sqrt().add(1e-8);
      const unit = w.div(norms);
      return unit.matmul(unit.narrow(0, id, 1).reshape([this.dim, 1])).data;
    });
    const ranked: Neighbour[] = [];
    for (let j = 1; j < this.vocabSize; j++) if (j !== id) ranked.push({ id: j, similarity: sims[j]! });
    return ranked.sort((a, b) => b.similarity - a.similarity).slice(0, k);
  }

  override toString(): string {
    return `${this.typeName()}(${this.vocabSize} words, d ${this.dim})`;
  }
}
