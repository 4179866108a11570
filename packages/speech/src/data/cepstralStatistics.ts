import { formatShape, type Tensor } from '@eole/core';
import { MfccStream } from '../stream/MfccStream.js';
import { DIGIT_MFCC, DIGIT_SAMPLE_RATE, N_COEFFS, WINDOW_FRAMES, WINDOW_VARIANCE_FLOOR } from './digitWindows.js';

/**
 * Fixed per-coefficient normalisation of MFCC frames, y_c = (x_c − mean_c)·scale_c: a speaker's (or
 * a recording session's) cepstral mean and variance, as {@link cepstralStatistics} computes them.
 */
export interface CepstralStatistics {
  /** μ_c, one per coefficient. */
  mean: Float32Array;
  /** 1/√(σ_c² + ε), one per coefficient. */
  scale: Float32Array;
}

/**
 * Cepstral mean and variance normalisation statistics over many frames (CMVN, Viikki & Laurila
 * 1998; per speaker as in Kaldi's `compute-cmvn-stats --spk2utt`): for every coefficient c the mean
 * μ_c and variance σ_c² over all the frames of `blocks` (each [frames, coefficients] row-major, a
 * `Float32Array` or a Tensor), and the scale 1/√(σ_c² + ε) with the soft variance floor ε
 * ({@link WINDOW_VARIANCE_FLOOR} by default). Computed over every utterance of one speaker, it
 * removes the speaker's average spectrum and recording channel (a fixed microphone response is a
 * constant cepstral shift) while keeping each word's own average spectrum, which a per-window mean
 * removes with the channel. Needs no labels: at test time it is computed over the new speaker's
 * own recordings.
 *
 * @example
 * const stats = cepstralStatistics(utterances.map((u) => digitFeatures(loadUtterance(u.path))));
 * const x = windowInput(features, start, undefined, stats);
 */
export function cepstralStatistics(blocks: Iterable<Float32Array | Tensor>, coefficients = N_COEFFS, floor = WINDOW_VARIANCE_FLOOR): CepstralStatistics {
  if (!Number.isInteger(coefficients) || coefficients < 1) throw new RangeError(`cepstralStatistics: coefficients must be a positive integer, got ${coefficients}`);
  if (!(floor >= 0)) throw new RangeError(`cepstralStatistics: floor must be ≥ 0, got ${floor}`);
  const sum = new Float64Array(coefficients);
  const sq = new Float64Array(coefficients);
  let frames = 0;
  let k = 0;
  for (const block of blocks) {
    let data: Float32Array;
    if (block instanceof Float32Array) data = block;
    else {
      if (block.shape.length !== 2 || block.shape[1] !== coefficients) throw new Error(`cepstralStatistics: blocks[${k}] must be [frames, ${coefficients}], got shape ${formatShape(block.shape)}`);
      data = block.data as Float32Array;
    }
    if (data.length % coefficients !== 0) throw new Error(`cepstralStatistics: blocks[${k}] must hold whole frames of ${coefficients} coefficients, got ${data.length} values`);
    for (let i = 0; i < data.length; i += coefficients) {
      for (let c = 0; c < coefficients; c++) {
        const v = data[i + c]!;
        sum[c] += v;
        sq[c] += v * v;
      }
    }
    frames += data.length / coefficients;
    k++;
  }
  if (frames === 0) throw new Error('cepstralStatistics: blocks must hold at least one frame, got none');
  const mean = new Float32Array(coefficients);
  const scale = new Float32Array(coefficients);
  for (let c = 0; c < coefficients; c++) {
    const m = sum[c]! / frames;
    mean[c] = m;
    scale[c] = 1 / Math.sqrt(Math.max(0, sq[c]! / frames - m * m) + floor);
  }
  return { mean, scale };
}

/** Options of {@link recordingStatistics}. */
export interface RecordingStatisticsOptions {
  /** A frame counts as speech when its energy is at least this many dB above the recording's noise floor (default 10). */
  marginDb?: number;
  /** The variance floor ε (default {@link WINDOW_VARIANCE_FLOOR}). */
  floor?: number;
}

/**
 * Cepstral statistics of the speech in one recording (e.g. a stream of digits by one speaker, or an
 * enrollment recording), for a model normalised by speaker statistics: the spoken-digit MFCC frames
 * ({@link DIGIT_MFCC}) whose raw energy is at least `marginDb` above the recording's noise floor
 * (the 10th percentile of the frame energies), or every frame when fewer than a window's worth
 * ({@link WINDOW_FRAMES}) pass; then {@link cepstralStatistics}. Leaving the silences out keeps
 * the statistics of a recording with long pauses close to those of its speech.
 *
 * @example
 * const stats = recordingStatistics(samples); // then windowInput(features, start, out, stats)
 */
export function recordingStatistics(signal: Float32Array | Float64Array, sampleRate = DIGIT_SAMPLE_RATE, options: RecordingStatisticsOptions = {}): CepstralStatistics {
  const marginDb = options.marginDb ?? 10;
  if (!Number.isFinite(marginDb)) throw new RangeError(`recordingStatistics: marginDb must be a finite number of dB, got ${marginDb}`);
  const frames = new MfccStream(sampleRate, DIGIT_MFCC).push(signal);
  if (frames.length === 0) throw new Error(`recordingStatistics: signal must hold at least one ${DIGIT_MFCC.winMs} ms frame (${Math.round((DIGIT_MFCC.winMs! * sampleRate) / 1000)} samples at ${sampleRate} Hz), got ${signal.length} samples`);
  const energies = frames.map((f) => f.energyDb).sort((a, b) => a - b);
  const gate = energies[Math.floor(energies.length * 0.1)]! + marginDb;
  const speech = frames.filter((f) => f.energyDb >= gate);
  return cepstralStatistics((speech.length >= WINDOW_FRAMES ? speech : frames).map((f) => f.coeffs), N_COEFFS, options.floor ?? WINDOW_VARIANCE_FLOOR);
}
