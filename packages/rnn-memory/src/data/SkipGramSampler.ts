import { Tensor, type Generator } from '@eole/core';
import { Vocabulary } from './Vocabulary.js';

/** Options of {@link SkipGramSampler}. */
export interface SkipGramOptions {
  /** Largest distance between a center word and a context word (default 5). */
  window?: number;
  /** Noise words per (center, context) pair (default 5). */
  negatives?: number;
  /** Subsampling threshold t (default 1e-3, word2vec's default; 0 keeps every word). */
  subsample?: number;
  /** Words seen fewer times are dropped from the corpus (default 5). */
  minCount?: number;
}

/**
 * The training pairs of skip-gram with negative sampling (Mikolov, Sutskever, Chen, Corrado & Dean,
 * "Distributed Representations of Words and Phrases and their Compositionality", NIPS 2013), drawn
 * from a tokenised corpus:
 *
 * - a vocabulary of the words seen at least `minCount` times (id 0 is NIL and never drawn);
 * - subsampling of frequent words: each occurrence of word w is kept with probability
 *   min(1, √(t / f(w))), f(w) its relative frequency (the paper's 1 − P(discard));
 * - for each kept center word, a window b drawn uniformly in 1…`window` (as word2vec does, so that
 *   near words count more) and the pairs (center, context) for the kept words within b positions;
 * - `negatives` noise words per pair from the unigram distribution raised to the 3/4 power,
 *   P_n(w) ∝ count(w)^0.75.
 *
 * Batches are id tensors [B, 2 + negatives]: center, context, noise words.
 *
 * @example
 * const sampler = new SkipGramSampler(tokens, { window: 5, negatives: 5 });
 * for (const ids of sampler.batches(512, rng)) net.forward(ids); // ids [512, 7]
 */
export class SkipGramSampler {
  readonly vocab: Vocabulary;
  /** Occurrences of each word id in the corpus (0 for NIL). */
  readonly counts: Float64Array;
  /** The corpus as word ids (−1 for the words below `minCount`). */
  readonly corpus: Int32Array;
  readonly window: number;
  readonly negatives: number;
  readonly subsample: number;
  private readonly noiseCdf: Float64Array;
  private readonly keep: Float64Array;

  constructor(tokens: readonly string[], options: SkipGramOptions = {}) {
    this.window = options.window ?? 5;
    this.negatives = options.negatives ?? 5;
    this.subsample = options.subsample ?? 1e-3;
    const minCount = options.minCount ?? 5;
    if (!Number.isInteger(this.window) || this.window < 1) throw new RangeError(`SkipGramSampler: window must be a positive integer, got ${this.window}`);
    if (!Number.isInteger(this.negatives) || this.negatives < 0) throw new RangeError(`SkipGramSampler: negatives must be an integer >= 0, got ${this.negatives}`);
    if (!(this.subsample >= 0)) throw new RangeError(`SkipGramSampler: subsample must be >= 0, got ${this.subsample}`);
    const raw = new Map<string, number>();
    for (const t of tokens) raw.set(t, (raw.get(t) ?? 0) + 1);
    this.vocab = new Vocabulary([...raw].filter(([, c]) => c >= minCount).map(([w]) => w));
    if (this.vocab.size < 2) throw new Error(`SkipGramSampler: no word occurs at least minCount = ${minCount} times in ${tokens.length} tokens`);
    this.counts = new Float64Array(this.vocab.size);
    this.corpus = new Int32Array(tokens.length);
    tokens.forEach((t, i) => {
      const id = this.vocab.has(t) ? this.vocab.id(t) : -1;
      this.corpus[i] = id;
      if (id > 0) this.counts[id]!++;
    });
    const total = this.counts.reduce((a, b) => a + b, 0);
    this.keep = this.counts.map((c) => (c === 0 || this.subsample === 0 ? 1 : Math.min(1, Math.sqrt(this.subsample / (c / total)))));
    this.noiseCdf = new Float64Array(this.vocab.size);
    let acc = 0;
    this.counts.forEach((c, id) => {
      acc += c ** 0.75;
      this.noiseCdf[id] = acc;
    });
  }

  /** The probability that an occurrence of `id` survives subsampling. */
  keepProbability(id: number): number {
    return this.keep[id] ?? 0;
  }

  /** One word id from the noise distribution P_n(w) ∝ count(w)^0.75. */
  noise(rng: Generator): number {
    const cdf = this.noiseCdf;
    const u = rng.uniform() * cdf[cdf.length - 1]!;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** The (center, context) pairs of one pass over the corpus, after subsampling, in corpus order. */
  pairs(rng: Generator): Int32Array {
    const kept: number[] = [];
    for (const id of this.corpus) if (id > 0 && rng.uniform() < this.keep[id]!) kept.push(id);
    const out: number[] = [];
    for (let i = 0; i < kept.length; i++) {
      const b = 1 + rng.int(this.window);
      for (let j = Math.max(0, i - b); j <= Math.min(kept.length - 1, i + b); j++) if (j !== i) out.push(kept[i]!, kept[j]!);
    }
    return Int32Array.from(out);
  }

  /**
   * One epoch of shuffled batches: ids [B, 2 + negatives] (center, context, noise words); the last
   * batch may be smaller.
   */
  *batches(size: number, rng: Generator): IterableIterator<Tensor> {
    const pairs = this.pairs(rng);
    const n = pairs.length / 2;
    const order = rng.permutation(n);
    const width = 2 + this.negatives;
    for (let start = 0; start < n; start += size) {
      const B = Math.min(size, n - start);
      const ids = new Float32Array(B * width);
      for (let b = 0; b < B; b++) {
        const p = order[start + b]!;
        ids[b * width] = pairs[2 * p]!;
        ids[b * width + 1] = pairs[2 * p + 1]!;
        for (let k = 0; k < this.negatives; k++) ids[b * width + 2 + k] = this.noise(rng);
      }
      yield new Tensor(ids, [B, width]);
    }
  }
}
