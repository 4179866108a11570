import type { BabiStory } from './babi.js';

/** The word of id 0: padding, an empty memory slot, or an unknown word. */
export const NIL = '<nil>';

/**
 * A word ↔ id map whose id 0 is {@link NIL} (the padding id of `LookupTable` and `MemN2N`). Words
 * get ids 1, 2, … in sorted order, so the same corpus always gives the same ids, and the word list
 * is all a checkpoint needs to store.
 *
 * @example
 * const vocab = Vocabulary.fromStories(readBabi(trainFile));
 * vocab.id('kitchen');   // a positive integer
 * vocab.encode(['where', 'is', 'mary'], 6); // Float32Array of 6 ids, zero-padded
 */
export class Vocabulary {
  /** Words by id; `words[0]` is {@link NIL}. */
  readonly words: readonly string[];
  private readonly index: Map<string, number>;

  /** A vocabulary over `words` (duplicates and NIL dropped, sorted). */
  constructor(words: Iterable<string>) {
    const unique = [...new Set(words)].filter((w) => w !== NIL).sort();
    this.words = Object.freeze([NIL, ...unique]);
    this.index = new Map(this.words.map((w, i) => [w, i]));
  }

  /**
   * Every token of the stories' statements and questions, and every answer (as one token, so a
   * list answer such as 'apple,football' is one class).
   */
  static fromStories(...sets: readonly BabiStory[][]): Vocabulary {
    const words: string[] = [];
    for (const stories of sets) {
      for (const story of stories) {
        for (const s of story.sentences) words.push(...s);
        for (const q of story.questions) words.push(...q.question, q.answer);
      }
    }
    return new Vocabulary(words);
  }

  /** Number of ids, NIL included. */
  get size(): number {
    return this.words.length;
  }

  /** Whether `word` has an id of its own (NIL aside). */
  has(word: string): boolean {
    return this.index.has(word);
  }

  /** The id of `word`; 0 (NIL) for a word outside the vocabulary. */
  id(word: string): number {
    return this.index.get(word) ?? 0;
  }

  /** The word of `id`. */
  word(id: number): string {
    const w = this.words[id];
    if (w === undefined) throw new RangeError(`Vocabulary.word: id ${id} is out of range [0, ${this.size})`);
    return w;
  }

  /** The ids of `tokens`, zero-padded (or cut) to `length`. */
  encode(tokens: readonly string[], length = tokens.length): Float32Array {
    const out = new Float32Array(length);
    for (let i = 0; i < Math.min(length, tokens.length); i++) out[i] = this.id(tokens[i]!);
    return out;
  }
}
