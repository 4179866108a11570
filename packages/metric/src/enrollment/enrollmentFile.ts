import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '@eole/core';
import { SpeakerEnrollment } from './SpeakerEnrollment.js';

/**
 * Writes an enrollment's JSON form ({@link SpeakerEnrollment.toJSON}) to `path` atomically: a
 * reader sees the old file or the whole new one (Node only; a page keeps `toJSON()` where it likes).
 *
 * @example
 * saveEnrollment(book, 'runs/speaker-verify/enrolled.json');
 */
export function saveEnrollment(book: SpeakerEnrollment, path: string): void {
  writeFileAtomic(path, new TextEncoder().encode(`${JSON.stringify(book.toJSON())}\n`));
}

/**
 * Reads an enrollment written by {@link saveEnrollment}; errors name the file and the bad field.
 *
 * @example
 * const book = loadEnrollment('runs/speaker-verify/enrolled.json');
 * book.verify('ana', embedding).accepted;
 */
export function loadEnrollment(path: string): SpeakerEnrollment {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`loadEnrollment: could not read '${path}' as JSON: ${(e as Error).message}`, { cause: e });
  }
  return SpeakerEnrollment.fromJSON(json, `loadEnrollment('${path}')`);
}
