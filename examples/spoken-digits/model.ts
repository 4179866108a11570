/**
 * The spoken-digit model as a file: the acoustic ConvNet's weights in safetensors with metadata that
 * rebuilds it (architecture) and says what it reads (feature settings), so other programs (the
 * `digit-stream` example, `--eval`) load a trained checkpoint with one call.
 */
import { readFileSync } from 'node:fs';
import { Ensemble, Generator, loadModule, noGrad, parseSafetensors, saveModule, Tensor, type Module } from '@eole/core';
import {
  AcousticConvNet, acousticConvNetConfig, DIGIT_MFCC, DIGIT_SAMPLE_RATE, N_COEFFS, WINDOW_FRAMES, WINDOW_VARIANCE_FLOOR, type AcousticConvNetConfig, type MfccOptions,
} from '@eole/speech';

/** The example name written into every checkpoint's metadata. */
export const SPOKEN_DIGITS = 'spoken-digits';

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
  /** `window-cmvn`: each coefficient centred and scaled over its window by `windowInput` (variance floor below). */
  normalisation: 'window-cmvn';
  varianceFloor: number;
}

/**
 * The feature settings of this version of @eole/speech's `windowInput` and `digitFeatures`: what a
 * checkpoint trained here expects. A streaming recogniser computes `windowInput(digitFeatures(audio
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

/** The metadata that rebuilds the model (architecture, features) plus `extra` (split, seed, epoch…). */
export function modelMetadata(config: AcousticConvNetConfig, extra: Record<string, string> = {}, members = 1): Record<string, string> {
  return {
    example: SPOKEN_DIGITS,
    architecture: members === 1 ? 'AcousticConvNet' : 'Ensemble(AcousticConvNet)',
    members: String(members),
    classes: String(config.classes),
    planes: config.planes.join(','),
    hidden: String(config.hidden),
    dropout: String(config.dropout),
    features: JSON.stringify(SPOKEN_DIGIT_FEATURES),
    ...extra,
  };
}

/**
 * Saves the weights of a spoken-digit model (one `AcousticConvNet`, or an `Ensemble` of them) with
 * the metadata that rebuilds it (atomic write).
 */
export function saveSpokenDigitModel(path: string, model: Module, config: AcousticConvNetConfig, extra: Record<string, string> = {}): void {
  saveModule(path, model, modelMetadata(config, extra, model instanceof Ensemble ? model.length : 1));
}

/**
 * Loads a checkpoint written by the `spoken-digits` example: rebuilds the `AcousticConvNet` (or the
 * `Ensemble` of `--members` of them) from the metadata, loads the weights, switches to evaluate mode (no dropout). Throws a clear error for a
 * file of another example or one whose features differ from this version's {@link SPOKEN_DIGIT_FEATURES}.
 *
 * @example
 * const { model } = loadSpokenDigitModel('runs/spoken-digits/spoken-digits.safetensors');
 * model.forward(new Tensor(windowInput(digitFeatures(audio), start), [1, 1600])); // [1, 10] log-probabilities
 */
export function loadSpokenDigitModel(path: string): SpokenDigitModel {
  let metadata: Record<string, string>;
  try {
    metadata = parseSafetensors(readFileSync(path)).metadata;
  } catch (e) {
    throw new Error(`loadSpokenDigitModel: '${path}': ${(e as Error).message}`, { cause: e });
  }
  if (metadata['example'] !== SPOKEN_DIGITS || metadata['planes'] === undefined) {
    throw new Error(`loadSpokenDigitModel: '${path}' is not a ${SPOKEN_DIGITS} checkpoint (metadata example '${metadata['example'] ?? ''}')`);
  }
  const features = JSON.parse(metadata['features'] ?? 'null') as SpokenDigitFeatures | null;
  if (JSON.stringify(features) !== JSON.stringify(SPOKEN_DIGIT_FEATURES)) {
    throw new Error(`loadSpokenDigitModel: '${path}' was trained on features ${metadata['features']}, this version computes ${JSON.stringify(SPOKEN_DIGIT_FEATURES)}`);
  }
  const [p1, p2] = metadata['planes'].split(',').map(Number) as [number, number];
  const config = acousticConvNetConfig({ classes: Number(metadata['classes']), planes: [p1, p2], hidden: Number(metadata['hidden']), dropout: Number(metadata['dropout']) });
  const members = Number(metadata['members'] ?? '1');
  if (!Number.isInteger(members) || members < 1) throw new Error(`loadSpokenDigitModel: '${path}': metadata members must be a positive integer, got '${metadata['members']}'`);
  const nets = Array.from({ length: members }, () => AcousticConvNet({ ...config, rng: new Generator(0), dropoutRng: new Generator(0) }));
  const model = members === 1 ? nets[0]! : new Ensemble(nets);
  loadModule(path, model);
  model.evaluate();
  return { model, members, config, features: { ...SPOKEN_DIGIT_FEATURES }, metadata };
}

/** Log-probabilities [n, classes] of `n` windows (`x` holds n·1600 values), in evaluate mode, in batches of `size`. */
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
