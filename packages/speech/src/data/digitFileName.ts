/** One recording of a spoken-digit folder (the Free Spoken Digit Dataset naming scheme). */
export interface DigitUtterance {
  /** Full path of the WAV file. */
  path: string;
  /** File name, e.g. `7_jackson_32.wav`. */
  file: string;
  /** The spoken digit, 0–9 (the label). */
  digit: number;
  /** Speaker name, e.g. `jackson`. */
  speaker: string;
  /** Repetition index (FSDD: 0–49; indices 0–4 are its standard test split). */
  index: number;
}

const NAME = /^(\d)_(.+)_(\d+)\.wav$/i;

/**
 * Parses a file name of the Free Spoken Digit Dataset scheme `{digit}_{speaker}_{index}.wav`
 * (Jackson et al., github.com/Jakobovski/free-spoken-digit-dataset), e.g. `7_jackson_32.wav`.
 * Returns null for any other name (the digit is one decimal digit, the index a whole number, the
 * extension `.wav` in any case; the speaker is everything between the first and last underscore).
 *
 * @example
 * parseDigitFileName('7_jackson_32.wav'); // { digit: 7, speaker: 'jackson', index: 32 }
 * parseDigitFileName('notes.txt');        // null
 */
export function parseDigitFileName(name: string): { digit: number; speaker: string; index: number } | null {
  const m = NAME.exec(name);
  if (!m) return null;
  return { digit: Number(m[1]), speaker: m[2]!, index: Number(m[3]) };
}
