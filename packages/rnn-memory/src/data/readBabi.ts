import { readFileSync } from 'node:fs';
import { parseBabi, type BabiStory } from './babi.js';

/**
 * Reads and parses a bAbI file (see {@link parseBabi}); errors name the path and the line.
 *
 * @example
 * const train = readBabi('../shared/data/babi/en/qa1_single-supporting-fact_train.txt');
 * train.length; // 200 stories
 */
export function readBabi(path: string): BabiStory[] {
  return parseBabi(readFileSync(path, 'utf8'), path);
}
