/**
 * A spoken-digit model as a file: the weights of an {@link AcousticConvNet} (or an `Ensemble` of
 * them) in safetensors, with metadata that rebuilds it (architecture) and says what it reads
 * (feature settings), so any program (a streaming recogniser, an evaluation) loads a trained
 * checkpoint with one call. The `spoken-digits` example writes these files.
 */
import { noGrad, Tensor, type Module } from '@eole/core';
import { DIGIT_MFCC, DIGIT_SAMPLE_RATE, N_COEFFS, WINDOW_FRAMES, WINDOW_VARIANCE_FLOOR } from '../data/digitWindows.js';
import type { MfccOptions } from '../frontend/mfcc.js';
import type { AcousticConvNetConfig } from './AcousticConvNet.js';

/** The `example` entry of a spoken-digit model file's metadata (the program that wrote the format). */
export const SPOKEN_DIGIT_MODEL = 'spoken-digits';

/** How a spoken-digit model's windows are normalised (see {@link SpokenDigitFeatures.normalisation}). */
export type SpokenDigitNormalisation = 'window-cmvn' | 'speaker-cmvn';

/** The normalisations a spoken-digit model file may name. */
export const SPOKEN_DIGIT_NORMALISATIONS: readonly SpokenDigitNormalisation[] = Object.freeze(['window-cmvn', 'speaker-cmvn'] as const);

/** What the model reads: its audio rate, MFCC settings, window and normalisation. */
export interface SpokenDigitFeatures {
  /** Audio is resampled to this rate first (Hz). */
  sampleRate: number;
  /** The `mfcc(signal, sampleRate, mfcc)` options. */
  mfcc: Readonly<MfccOptions>;
  /** Frames per window (the image width). */
  windowFrames: number;
  /** Coefficients per frame (the image height). */
  coefficients: number;
  /**
   * `window-cmvn`: each coefficient centred and scaled over its window by `windowInput` (variance
   * floor below); `speaker-cmvn`: by the cepstral statistics of the speaker over all its
   * utterances (`cepstralStatistics`, the same floor; `windowInput(features, start, out, stats)`).
   */
  normalisation: SpokenDigitNormalisation;
  varianceFloor: number;
}

/**
 * The feature settings of this version of @eole/speech's `windowInput` and `digitFeatures` with the
 * per-window normalisation (`normalisation` may also be `speaker-cmvn`): what a model file written
 * by this version expects. A streaming recogniser computes `windowInput(digitFeatures(audio
 * at sampleRate), start)` for every start and feeds it to the model.
 */
export const SPOKEN_DIGIT_FEATURES: Readonly<SpokenDigitFeatures> = Object.freeze({
  sampleRate: DIGIT_SAMPLE_RATE,
  mfcc: DIGIT_MFCC,
  windowFrames: WINDOW_FRAMES,
  coefficients: N_COEFFS,
  normalisation: 'window-cmvn',
  varianceFloor: WINDOW_VARIANCE_FLOOR,
});

/** A loaded spoken-digit model, in evaluate mode. */
export interface SpokenDigitModel {
  /** One `AcousticConvNet`, or an `Ensemble` of `members` of them (log-probabilities averaged in probability). */
  model: Module;
  /** How many acoustic ConvNets the model averages (1: a single net). */
  members: number;
  config: AcousticConvNetConfig;
  features: SpokenDigitFeatures;
  /** Every metadata entry of the file (split, seed, epoch, …). */
  metadata: Record<string, string>;
}

/**
 * The metadata that rebuilds a spoken-digit model (architecture, members, features) plus `extra`
 * (split, seed, epoch…), as {@link saveSpokenDigitModel} writes it.
 *
 * @example
 * saveModule(path, net, spokenDigitMetadata(config, { seed: '1' })); // what saveSpokenDigitModel does
 */
export function spokenDigitMetadata(config: AcousticConvNetConfig, extra: Record<string, string> = {}, members = 1, normalisation: SpokenDigitNormalisation = 'window-cmvn'): Record<string, string> {
  return {
    example: SPOKEN_DIGIT_MODEL,
    architecture: members === 1 ? 'AcousticConvNet' : 'Ensemble(AcousticConvNet)',
    members: String(members),
    classes: String(config.classes),
    planes: config.planes.join(','),
    hidden: String(config.hidden),
    dropout: String(config.dropout),
    features: JSON.stringify({ ...SPOKEN_DIGIT_FEATURES, normalisation }),
    ...extra,
  };
}

/**
 * Log-probabilities [n, classes] of `n` feature windows (`x` holds n·1600 values, each a
 * `windowInput`), in evaluate mode and without the graph, in batches of `size`; the model's
 * training mode is restored afterwards.
 *
 * @example
 * const logProbs = classifyWindows(model, windows, count); // argmax of each row of 10: the digit
 */
export function classifyWindows(model: Module, x: Float32Array, n: number, size = 200): Float32Array {
  const inputSize = WINDOW_FRAMES * N_COEFFS;
  if (x.length !== n * inputSize) throw new Error(`classifyWindows: x must hold ${n}·${inputSize} values, got ${x.length}`);
  const wasTraining = model.training;
  model.evaluate();
  let out: Float32Array | null = null;
  let classes = 0;
  noGrad(() => {
    for (let s = 0; s < n; s += size) {
      const m = Math.min(size, n - s);
      const y = model.forward(new Tensor(x.subarray(s * inputSize, (s + m) * inputSize), [m, inputSize]));
      classes = y.shape[1]!;
      out ??= new Float32Array(n * classes);
      out.set(y.data, s * classes);
    }
  });
  if (wasTraining) model.train();
  return out ?? new Float32Array(0);
}
