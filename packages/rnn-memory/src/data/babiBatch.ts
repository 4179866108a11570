import { Tensor } from '@eole/core';
import type { BabiQuestion, BabiStory } from './babi.js';
import type { Vocabulary } from './Vocabulary.js';

/** One question with its story: a training or test sample. */
export interface BabiItem {
  story: BabiStory;
  question: BabiQuestion;
}

/**
 * Every question of `stories`, in file order, each with its story.
 *
 * @example
 * babiItems(readBabi(file)).length; // 1000 for a 1k task file
 */
export function babiItems(stories: readonly BabiStory[]): BabiItem[] {
  return stories.flatMap((story) => story.questions.map((question) => ({ story, question })));
}

/**
 * The longest sentence or question of the stories, in tokens: the L of {@link babiBatch}.
 *
 * @example
 * sentenceLength(readBabi(file)); // 6 for task 1
 */
export function sentenceLength(stories: readonly BabiStory[]): number {
  let L = 1;
  for (const s of stories) {
    for (const t of s.sentences) L = Math.max(L, t.length);
    for (const q of s.questions) L = Math.max(L, q.question.length);
  }
  return L;
}

/**
 * The slots of one item (the G component of a memory network: what is written where): the
 * `memorySize` most recent sentences before the question, newest in slot 0, each as `length` word
 * ids (zero-padded), then the question; older sentences fall out of the memory.
 */
export function writeMemory(item: BabiItem, vocab: Vocabulary, memorySize: number, length: number, into: Float32Array, offset = 0): void {
  const { story, question } = item;
  const recent = question.memory.slice(-memorySize).reverse();
  recent.forEach((s, slot) => into.set(vocab.encode(story.sentences[s]!, length), offset + slot * length));
  into.set(vocab.encode(question.question, length), offset + memorySize * length);
}

/**
 * A batch for {@link MemN2N}: x [N, memorySize + 1, length] (memory slots, newest first, then the
 * question; see {@link writeMemory}) and y [N] the answer ids (0 for an answer outside the vocabulary,
 * which the model can then never get right).
 *
 * @example
 * const { x, y } = babiBatch(items.slice(0, 32), vocab, 50, sentenceLength(stories));
 */
export function babiBatch(items: readonly BabiItem[], vocab: Vocabulary, memorySize: number, length: number): { x: Tensor; y: Tensor } {
  const stride = (memorySize + 1) * length;
  const x = new Float32Array(items.length * stride);
  const y = new Float32Array(items.length);
  items.forEach((item, n) => {
    writeMemory(item, vocab, memorySize, length, x, n * stride);
    y[n] = vocab.id(item.question.answer);
  });
  return { x: new Tensor(x, [items.length, memorySize + 1, length]), y: new Tensor(y, [items.length]) };
}
