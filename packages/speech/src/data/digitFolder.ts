import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeWav, WAV_LIMITS } from '../frontend/wav.js';
import { resample } from '../frontend/resample.js';
import { parseDigitFileName, type DigitUtterance } from './digitFileName.js';


/**
 * Lists the WAV files of `dir` named `{digit}_{speaker}_{index}.wav` (other files are ignored),
 * sorted by speaker, then digit, then index, so every run sees the same order. Throws a clear error
 * when the folder is missing or holds no such file.
 *
 * @example
 * const all = readDigitFolder('../shared/data/fsdd/recordings'); // 2,000 utterances
 * const test = all.filter((u) => u.index < 5);                  // the standard test split
 */
export function readDigitFolder(dir: string): DigitUtterance[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`readDigitFolder: '${dir}' is not a folder`);
  const out: DigitUtterance[] = [];
  for (const file of readdirSync(dir)) {
    const parsed = parseDigitFileName(file);
    if (parsed) out.push({ path: join(dir, file), file, ...parsed });
  }
  if (out.length === 0) throw new Error(`readDigitFolder: no WAV file named {digit}_{speaker}_{index}.wav (e.g. 7_jackson_32.wav) in '${dir}'`);
  return out.sort((a, b) => (a.speaker < b.speaker ? -1 : a.speaker > b.speaker ? 1 : a.digit - b.digit || a.index - b.index));
}

/** Options of {@link loadUtterance}. */
export interface LoadUtteranceOptions {
  /**
   * The most samples the utterance may hold after resampling (default 2^26: 256 MiB of float32,
   * 2.3 hours at 8 kHz); a longer one is an error naming the file, not a runaway allocation.
   */
  maxSamples?: number;
}

/**
 * Reads one utterance: decodes the WAV file ({@link decodeWav}: any PCM or float format, channels
 * mixed to mono) and, when its rate differs from `sampleRate`, resamples it through the band-limited
 * {@link resample} (a low-pass at the lower Nyquist frequency). Samples are in [−1, 1].
 *
 * Every error names the file: one {@link decodeWav} rejects (a header field out of range, such as a
 * sample rate outside [1 kHz, 768 kHz], or a NaN float sample), or a resampled length over
 * `options.maxSamples`. Both rates lie in [1 kHz, 768 kHz] ({@link WAV_LIMITS}), so the resampling
 * ratio is bounded too.
 *
 * @example
 * const x = loadUtterance('recordings/7_jackson_32.wav'); // Float32Array at 8 kHz
 */
export function loadUtterance(path: string, sampleRate = 8000, options: LoadUtteranceOptions = {}): Float32Array {
  const { minSampleRate: lo, maxSampleRate: hi } = WAV_LIMITS;
  if (!(sampleRate >= lo && sampleRate <= hi)) throw new RangeError(`loadUtterance: sampleRate must be a positive number of Hz in [${lo}, ${hi}], got ${sampleRate}`);
  const maxSamples = options.maxSamples ?? 2 ** 26;
  if (!(maxSamples >= 0)) throw new RangeError(`loadUtterance: options.maxSamples must be >= 0, got ${maxSamples}`);
  try {
    const wav = decodeWav(readFileSync(path));
    if (wav.sampleRate === sampleRate && wav.samples.length > maxSamples) {
      throw new RangeError(`${wav.samples.length} samples, more than options.maxSamples = ${maxSamples}`);
    }
    return wav.sampleRate === sampleRate ? wav.samples : resample(wav.samples, wav.sampleRate, sampleRate, { maxLength: maxSamples });
  } catch (e) {
    throw new Error(`loadUtterance: '${path}': ${(e as Error).message}`, { cause: e });
  }
}
