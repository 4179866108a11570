/**
 * A spoken-digit model as a file: the weights of an {@link AcousticConvNet} (or an `Ensemble` of
 * them) in safetensors, with metadata that rebuilds it (architecture) and says what it reads
 * (feature settings), so any program (a streaming recogniser, an evaluation) loads a trained
 * checkpoint with one call. The `spoken-digits` example writes these files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Ensemble, Generator, loadModule, noGrad, parseSafetensors, saveModule, Tensor, type Module } from '@eole/core';
import { DIGIT_MFCC, DIGIT_SAMPLE_RATE, N_COEFFS, WINDOW_FRAMES, WINDOW_VARIANCE_FLOOR } from '../data/digitWindows.js';
import type { MfccOptions } from '../frontend/mfcc.js';
import { AcousticConvNet, acousticConvNetConfig, type AcousticConvNetConfig } from './AcousticConvNet.js';

/** The `example` entry of a spoken-digit model file's metadata (the program that wrote the format). */
export const SPOKEN_DIGIT_MODEL = 'spoken-digits';

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
 * model file written by this version expects. A streaming recogniser computes `windowInput(digitFeatures(audio
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
export function spokenDigitMetadata(config: AcousticConvNetConfig, extra: Record<string, string> = {}, members = 1): Record<string, string> {
  return {
    example: SPOKEN_DIGIT_MODEL,
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
 * the metadata that rebuilds it (atomic write); {@link loadSpokenDigitModel} reads it back.
 *
 * @example
 * saveSpokenDigitModel('runs/digits/spoken-digits.safetensors', net, acousticConvNetConfig(), { seed: '1' });
 */
export function saveSpokenDigitModel(path: string, model: Module, config: AcousticConvNetConfig, extra: Record<string, string> = {}): void {
  saveModule(path, model, spokenDigitMetadata(config, extra, model instanceof Ensemble ? model.length : 1));
}

/**
 * Loads a spoken-digit model file (written by {@link saveSpokenDigitModel}, as the `spoken-digits`
 * example does): rebuilds the `AcousticConvNet` (or the `Ensemble` of its members) from the
 * metadata, loads the weights and switches to evaluate mode (no dropout). A training checkpoint
 * (`checkpoint.safetensors`, core's `saveTrainState`: the model's tensors under `model.`) loads too:
 * its model's tensors, rebuilt as the `spoken-digits.safetensors` saved beside it says. Throws a
 * clear error for a file of another program or one whose features differ from this version's
 * {@link SPOKEN_DIGIT_FEATURES}.
 *
 * @example
 * const { model } = loadSpokenDigitModel('runs/spoken-digits/spoken-digits.safetensors');
 * model.forward(new Tensor(windowInput(digitFeatures(audio), start), [1, 1600])); // [1, 10] log-probabilities
 * loadSpokenDigitModel('runs/spoken-digits/checkpoint.safetensors'); // the same net, from the training checkpoint
 */
export function loadSpokenDigitModel(path: string): SpokenDigitModel {
  const file = readModelFile(path);
  let metadata = file.metadata;
  let checkpointTensors: Map<string, Tensor> | undefined;
  if (metadata['format'] === TRAINING_CHECKPOINT_FORMAT) {
    const beside = join(dirname(path), `${SPOKEN_DIGIT_MODEL}.safetensors`);
    if (!existsSync(beside)) throw new Error(`loadSpokenDigitModel: '${path}' is a training checkpoint; how to build its model is in the ${SPOKEN_DIGIT_MODEL}.safetensors saved beside it, and there is none in '${dirname(path)}'`);
    metadata = { ...readModelFile(beside).metadata, ...(metadata['epoch'] !== undefined ? { epoch: metadata['epoch'] } : {}) };
    checkpointTensors = new Map([...file.tensors].filter(([name]) => name.startsWith('model.')).map(([name, t]) => [name.slice(6), t]));
  }
  if (metadata['example'] !== SPOKEN_DIGIT_MODEL || metadata['planes'] === undefined) {
    throw new Error(`loadSpokenDigitModel: '${path}' is not a ${SPOKEN_DIGIT_MODEL} checkpoint (metadata example '${metadata['example'] ?? ''}')`);
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
  if (checkpointTensors === undefined) loadModule(path, model);
  else {
    try {
      model.loadStateDict(checkpointTensors, true);
    } catch (e) {
      throw new Error(`loadSpokenDigitModel: the model in the training checkpoint '${path}' does not fit ${model.typeName()}: ${(e as Error).message.replace(/^loadStateDict: /, '')}`, { cause: e });
    }
  }
  model.evaluate();
  return { model, members, config, features: { ...SPOKEN_DIGIT_FEATURES }, metadata };
}

/** The `format` entry of a training checkpoint's metadata (core's `saveTrainState`). */
const TRAINING_CHECKPOINT_FORMAT = 'eole-checkpoint-1';

/** A safetensors file, or an error naming it. */
function readModelFile(path: string): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  try {
    return parseSafetensors(readFileSync(path));
  } catch (e) {
    throw new Error(`loadSpokenDigitModel: '${path}': ${(e as Error).message}`, { cause: e });
  }
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
