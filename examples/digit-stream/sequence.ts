/**
 * Long test recordings for the digit stream: held-out spoken digits concatenated with stretches of
 * low seeded noise between them, written as 16-bit PCM WAV with the true digit sequence beside it
 * (scored with @eole/speech's `digitErrors`).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Generator } from '@eole/core';
import { DIGIT_SAMPLE_RATE, encodeWav, loadUtterance, noiseFloor, type DigitUtterance } from '@eole/speech';

/** Where each utterance sits in a {@link DigitSequence}. */
export interface SequencePart {
  digit: number;
  file: string;
  /** Start and end of the utterance in seconds. */
  start: number;
  end: number;
}

/** A long recording of digits with silence between them. */
export interface DigitSequence {
  samples: Float32Array;
  sampleRate: number;
  /** The spoken digits in order (the truth). */
  digits: number[];
  parts: SequencePart[];
}

/** Options of {@link concatenateUtterances}. */
export interface SequenceOptions {
  /** Generator of the gap lengths and the noise. */
  rng: Generator;
  /** Silence between two utterances: uniform in [min, max] ms (default [300, 700]). */
  gapMs?: readonly [number, number];
  /** Silence before the first and after the last utterance in ms (default 500). */
  edgeMs?: number;
  /**
   * RMS of the Gaussian noise that fills the silences (default 1e-4, −80 dBFS: low noise, so a
   * silence is quieter than any recording's own background). 0: each half of a silence at the
   * background level (`noiseFloor`) of the recording beside it instead, as the model's training
   * windows are padded; the background then jumps from one recording to the next (by up to 30 dB
   * in FSDD).
   */
  noiseRms?: number;
}

/**
 * `count` utterances drawn from `pool` with `rng`: a digit uniformly from those present, then one of
 * its recordings uniformly (so speakers and repetitions vary). With `count` 0, every utterance of
 * the pool once, in a random order.
 *
 * @example
 * const picks = pickUtterances(readDigitFolder(dir).filter((u) => u.index < 5), 8, new Generator(1));
 */
export function pickUtterances(pool: readonly DigitUtterance[], count: number, rng: Generator): DigitUtterance[] {
  if (pool.length === 0) throw new Error('pickUtterances: the pool of utterances is empty');
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`pickUtterances: count must be a non-negative integer, got ${count}`);
  if (count === 0) return Array.from(rng.permutation(pool.length), (i) => pool[i]!);
  const byDigit = new Map<number, DigitUtterance[]>();
  for (const u of pool) byDigit.set(u.digit, [...(byDigit.get(u.digit) ?? []), u]);
  const digits = [...byDigit.keys()].sort((a, b) => a - b);
  return Array.from({ length: count }, () => {
    const list = byDigit.get(digits[rng.int(digits.length)]!)!;
    return list[rng.int(list.length)]!;
  });
}

/**
 * Reads the utterances (at 8 kHz) and lays them end to end with noise-filled silences.
 *
 * @example
 * const seq = concatenateUtterances(picks, { rng: new Generator(1) });
 * seq.digits; // [4, 7, 1, …]
 */
export function concatenateUtterances(list: readonly DigitUtterance[], options: SequenceOptions): DigitSequence {
  const [gapMin, gapMax] = options.gapMs ?? [300, 700];
  const edgeMs = options.edgeMs ?? 500;
  const fixed = options.noiseRms ?? 1e-4;
  if (!(gapMin >= 0 && gapMax >= gapMin)) throw new RangeError(`concatenateUtterances: gapMs must be [min, max] with 0 <= min <= max, got [${gapMin}, ${gapMax}]`);
  if (!(edgeMs >= 0) || !(fixed >= 0)) throw new RangeError(`concatenateUtterances: edgeMs and noiseRms must be >= 0, got ${edgeMs} and ${fixed}`);
  const sr = DIGIT_SAMPLE_RATE;
  const ms = (v: number): number => Math.round((v * sr) / 1000);
  const signals = list.map((u) => loadUtterance(u.path, sr));
  const floors = signals.map((x) => (fixed > 0 ? fixed : noiseFloor(x, sr)));
  const pieces: Float32Array[] = [];
  const parts: SequencePart[] = [];
  let at = 0;
  const silence = (n: number, rms: number): void => {
    const s = new Float32Array(n);
    for (let i = 0; i < n; i++) s[i] = rms * options.rng.normal();
    pieces.push(s);
    at += n;
  };
  silence(ms(edgeMs), floors[0] ?? 1e-4);
  list.forEach((u, i) => {
    if (i > 0) {
      const n = ms(gapMin + options.rng.uniform() * (gapMax - gapMin));
      silence(n >> 1, floors[i - 1]!);
      silence(n - (n >> 1), floors[i]!);
    }
    const x = signals[i]!;
    pieces.push(x);
    parts.push({ digit: u.digit, file: u.file, start: at / sr, end: (at + x.length) / sr });
    at += x.length;
  });
  silence(ms(edgeMs), floors[floors.length - 1] ?? 1e-4);
  const samples = new Float32Array(at);
  let o = 0;
  for (const p of pieces) {
    samples.set(p, o);
    o += p.length;
  }
  return { samples, sampleRate: sr, digits: list.map((u) => u.digit), parts };
}

/** The truth file written beside a test WAV: `<wav>.json`. */
export function truthPath(wav: string): string {
  return `${wav}.json`;
}

/** Writes the sequence as a 16-bit PCM WAV and its truth (digits and parts) as `<path>.json`. */
export function writeSequence(path: string, seq: DigitSequence): void {
  writeFileSync(path, encodeWav(seq.samples, seq.sampleRate));
  writeFileSync(truthPath(path), `${JSON.stringify({ digits: seq.digits, parts: seq.parts }, null, 1)}\n`);
}

/** The true digits of a WAV written by {@link writeSequence}, or null when there is no truth file. */
export function readTruth(wav: string): number[] | null {
  const path = truthPath(wav);
  if (!existsSync(path)) return null;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { digits?: unknown };
  if (!Array.isArray(parsed.digits) || !parsed.digits.every((d) => Number.isInteger(d))) throw new Error(`readTruth: '${path}' has no 'digits' array of integers`);
  return parsed.digits as number[];
}
