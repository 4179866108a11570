/**
 * Character data for char-lstm: the vocabulary, the 90% / 10% split, and the batches of truncated
 * backpropagation through time (B parallel streams read in chunks, the state carried between
 * chunks), as in Karpathy's char-rnn and Zaremba et al.'s PTB setup.
 */
import { Tensor, type Generator } from '@eole/core';

/** The characters of a text, sorted, and the maps between characters and ids. */
export class CharVocabulary {
  readonly chars: string[];
  private readonly ids: Map<string, number>;

  constructor(chars: Iterable<string>) {
    this.chars = [...new Set(chars)].sort();
    this.ids = new Map(this.chars.map((c, i) => [c, i]));
  }

  /** The vocabulary of every character (code point) in `text`. */
  static of(text: string): CharVocabulary {
    return new CharVocabulary(Array.from(text));
  }

  get size(): number {
    return this.chars.length;
  }

  /** The ids of `text`; a character outside the vocabulary is an error naming it and its position. */
  encode(text: string): Int32Array {
    const chars = Array.from(text);
    const out = new Int32Array(chars.length);
    chars.forEach((c, i) => {
      const id = this.ids.get(c);
      if (id === undefined) throw new Error(`character ${JSON.stringify(c)} at position ${i} is not in the vocabulary of ${this.size} characters`);
      out[i] = id;
    });
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    return Array.from(ids, (i) => this.chars[i] ?? '?').join('');
  }
}

/** The first 90% of the ids for training, the last 10% for validation. */
export function splitText(ids: Int32Array, trainFraction = 0.9): { train: Int32Array; validation: Int32Array } {
  const cut = Math.floor(ids.length * trainFraction);
  return { train: ids.subarray(0, cut), validation: ids.subarray(cut) };
}

/** One chunk of truncated BPTT: inputs and next-character targets, [B, T] each (ids as floats). */
export interface Chunk {
  x: Tensor;
  y: Tensor;
}

/**
 * The text cut into `batch` contiguous streams of equal length, read `seq` characters at a time:
 * chunk k holds characters [k·seq, (k+1)·seq) of every stream as inputs and the characters one
 * further as targets, so the state after chunk k is the right start for chunk k + 1. `offset`
 * (in [0, seq)) shifts the chunk boundaries; a new epoch draws a fresh one.
 */
export class StreamBatches {
  readonly streamLength: number;
  readonly chunks: number;

  constructor(
    private readonly ids: Int32Array,
    readonly batch: number,
    readonly seq: number,
    readonly offset = 0,
  ) {
    this.streamLength = Math.floor(ids.length / batch);
    this.chunks = Math.max(0, Math.floor((this.streamLength - 1 - offset) / seq));
    if (this.chunks === 0) throw new RangeError(`the text (${ids.length} characters) is too short for ${batch} streams of chunks of ${seq}`);
  }

  /** Chunk k (0 ≤ k < chunks). */
  chunk(k: number): Chunk {
    const { batch: B, seq: T } = this;
    const x = new Float32Array(B * T);
    const y = new Float32Array(B * T);
    for (let b = 0; b < B; b++) {
      const start = b * this.streamLength + this.offset + k * T;
      for (let t = 0; t < T; t++) {
        x[b * T + t] = this.ids[start + t]!;
        y[b * T + t] = this.ids[start + t + 1]!;
      }
    }
    return { x: new Tensor(x, [B, T]), y: new Tensor(y, [B * T]) };
  }

  /** A seeded offset for the next epoch. */
  static drawOffset(rng: Generator, seq: number): number {
    return rng.int(seq);
  }
}
