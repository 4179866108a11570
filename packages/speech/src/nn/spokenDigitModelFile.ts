import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Ensemble, Generator, loadModule, parseSafetensors, saveModule, type Module, type Tensor } from '@eole/core';
import { AcousticConvNet, acousticConvNetConfig, type AcousticConvNetConfig } from './AcousticConvNet.js';
import {
  SPOKEN_DIGIT_FEATURES, SPOKEN_DIGIT_MODEL, SPOKEN_DIGIT_NORMALISATIONS, spokenDigitMetadata, type SpokenDigitFeatures, type SpokenDigitModel, type SpokenDigitNormalisation,
} from './spokenDigitModel.js';

/**
 * Saves the weights of a spoken-digit model (one `AcousticConvNet`, or an `Ensemble` of them) with
 * the metadata that rebuilds it (atomic write); {@link loadSpokenDigitModel} reads it back.
 *
 * @example
 * saveSpokenDigitModel('runs/digits/spoken-digits.safetensors', net, acousticConvNetConfig(), { seed: '1' });
 */
export function saveSpokenDigitModel(path: string, model: Module, config: AcousticConvNetConfig, extra: Record<string, string> = {}, normalisation: SpokenDigitNormalisation = 'window-cmvn'): void {
  saveModule(path, model, spokenDigitMetadata(config, extra, model instanceof Ensemble ? model.length : 1, normalisation));
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
  const normalisation = features?.normalisation ?? 'window-cmvn';
  if (!SPOKEN_DIGIT_NORMALISATIONS.includes(normalisation) || JSON.stringify(features) !== JSON.stringify({ ...SPOKEN_DIGIT_FEATURES, normalisation })) {
    throw new Error(`loadSpokenDigitModel: '${path}' was trained on features ${metadata['features']}, this version computes ${JSON.stringify(SPOKEN_DIGIT_FEATURES)} (normalisation ${SPOKEN_DIGIT_NORMALISATIONS.join(' or ')})`);
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
  return { model, members, config, features: { ...SPOKEN_DIGIT_FEATURES, normalisation }, metadata };
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
