/**
 * What `--eval` reads: a saved model (`<example>.safetensors`: the weights and the metadata that
 * rebuilds the model) or a training checkpoint (`checkpoint.safetensors`, written by core's
 * `saveTrainState` after every epoch: the model's tensors under `model.`, the optimizer's under
 * `optimizer.`), as a PyTorch user evaluates `torch.load(path)['model']` as readily as a saved
 * `state_dict`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadModule, parseSafetensors, type Module, type Tensor } from '@eole/core';

/** The `format` entry of a training checkpoint's metadata (core's `saveTrainState`). */
export const TRAINING_CHECKPOINT_FORMAT = 'eole-checkpoint-1';

/** The prefix of the model's tensors in a training checkpoint. */
export const MODEL_PREFIX = 'model.';

/** A model file read by {@link readSavedModel}. */
export interface SavedModel {
  /** The file. */
  path: string;
  /** `model`: a saved model; `checkpoint`: a training checkpoint. */
  kind: 'model' | 'checkpoint';
  /** The model's tensors (a checkpoint's `model.` tensors, the prefix removed). */
  tensors: Map<string, Tensor>;
  /**
   * How to rebuild the model: a saved model's metadata; for a training checkpoint, which holds only
   * the optimizer's, that of the saved model the run kit writes beside it with every checkpoint
   * (`<example>.safetensors`, {} when there is none) with the checkpoint's `epoch`.
   */
  metadata: Readonly<Record<string, string>>;
  /** The file the metadata came from (undefined: none found). */
  metadataFrom: string | undefined;
}

/**
 * Reads a saved model or a training checkpoint for `--eval` of the example `name`. Errors name the
 * file: one that is not safetensors, truncated, or a checkpoint without model tensors.
 *
 * @example
 * const saved = readSavedModel('runs/mnist-lenet/checkpoint.safetensors', 'mnist-lenet');
 * saved.metadata['activation']; // from runs/mnist-lenet/mnist-lenet.safetensors
 * loadSavedModel(saved, LeNet5({ activation: 'relu' }));
 */
export function readSavedModel(path: string, name: string): SavedModel {
  const file = readSafetensors(path);
  if (file.metadata['format'] !== TRAINING_CHECKPOINT_FORMAT) return { path, kind: 'model', tensors: file.tensors, metadata: file.metadata, metadataFrom: path };
  const tensors = new Map<string, Tensor>();
  for (const [key, t] of file.tensors) if (key.startsWith(MODEL_PREFIX)) tensors.set(key.slice(MODEL_PREFIX.length), t);
  if (tensors.size === 0) throw new Error(`readSavedModel: '${path}' is a training checkpoint without model tensors (no '${MODEL_PREFIX}' names)`);
  const beside = join(dirname(path), `${name}.safetensors`);
  const settings = existsSync(beside) ? { ...readSafetensors(beside).metadata } : undefined;
  const epoch = file.metadata['epoch'];
  const metadata = { ...settings, ...(epoch !== undefined ? { epoch } : {}) };
  return { path, kind: 'checkpoint', tensors, metadata, metadataFrom: settings ? beside : undefined };
}

/**
 * Throws a clear error unless the metadata of `saved` was written by the example `name` and holds
 * every one of `keys` (what rebuilds its model): for a saved model of another example, `'<path>' is
 * not a <name> checkpoint (...)`; for a training checkpoint without the saved model beside it, that
 * the file which says how to build the model is missing.
 *
 * @example
 * requireSettings(saved, 'mnist-drlim', ['dim']);
 */
export function requireSettings(saved: SavedModel, name: string, keys: readonly string[]): void {
  if (saved.kind === 'checkpoint' && saved.metadataFrom === undefined) {
    throw new Error(`${name}: '${saved.path}' is a training checkpoint; how to build its model is in the ${name}.safetensors saved beside it, and there is none in '${dirname(saved.path)}'`);
  }
  const file = saved.metadataFrom ?? saved.path;
  if (saved.metadata['example'] !== name) throw new Error(`${name}: '${file}' is not a ${name} checkpoint (its metadata says example '${saved.metadata['example'] ?? ''}')`);
  const missing = keys.filter((k) => saved.metadata[k] === undefined);
  if (missing.length > 0) throw new Error(`${name}: '${file}' is not a ${name} checkpoint (no ${missing.map((k) => `'${k}'`).join(', ')} in its metadata)`);
}

/**
 * Loads a {@link SavedModel} into `module`, built as its metadata says. A saved model goes through
 * core's `loadModule` (names and shapes checked first, errors name the file). A training
 * checkpoint's model may be the module itself or hold it (a Siamese pair holds its branch at
 * `0.net.`): the module's tensors are taken under the one prefix where all of them are; otherwise
 * the error names the file and what does not fit.
 *
 * @example
 * loadSavedModel(readSavedModel(flags.eval, 'mnist-drlim'), embeddingNet(config, new Generator(0)));
 */
export function loadSavedModel(saved: SavedModel, module: Module): void {
  if (saved.kind === 'model') {
    loadModule(saved.path, module);
    return;
  }
  const own = module.stateDict();
  const prefixes = candidatePrefixes(saved.tensors, [...own.keys()]);
  const prefix = prefixes.find((p) => [...own].every(([n, t]) => sameShape(saved.tensors.get(p + n)!, t))) ?? prefixes[0] ?? '';
  const dict = new Map<string, Tensor>();
  for (const [key, t] of saved.tensors) if (key.startsWith(prefix)) dict.set(key.slice(prefix.length), t);
  try {
    module.loadStateDict(prefix === '' ? saved.tensors : new Map([...own.keys()].map((n) => [n, dict.get(n)!])), true);
  } catch (e) {
    const where = prefix === '' ? '' : ` (its tensors under '${MODEL_PREFIX}${prefix}')`;
    throw new Error(`loadSavedModel: the model in the training checkpoint '${saved.path}'${where} does not fit ${module.typeName()}: ${(e as Error).message.replace(/^loadStateDict: /, '')}`, { cause: e });
  }
}

/** Prefixes p ('' first) such that every one of `names` is in `tensors` as p + name. */
function candidatePrefixes(tensors: Map<string, Tensor>, names: readonly string[]): string[] {
  const first = names[0];
  if (first === undefined) return [''];
  const found: string[] = [];
  for (const key of tensors.keys()) {
    if (!key.endsWith(first)) continue;
    const p = key.slice(0, key.length - first.length);
    if ((p === '' || p.endsWith('.')) && names.every((n) => tensors.has(p + n))) found.push(p);
  }
  return found.sort((a, b) => a.length - b.length);
}

function sameShape(a: Tensor, b: Tensor): boolean {
  return a.ndim === b.ndim && a.shape.every((d, i) => d === b.shape[i]);
}

function readSafetensors(path: string): ReturnType<typeof parseSafetensors> {
  if (!existsSync(path)) throw new Error(`readSavedModel: no file '${path}'`);
  try {
    return parseSafetensors(readFileSync(path));
  } catch (e) {
    throw new Error(`readSavedModel: '${path}': ${(e as Error).message}`, { cause: e });
  }
}
