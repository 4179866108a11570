import { readFileSync } from 'node:fs';
import type { Module } from '../nn/Module.js';
import type { Tensor } from '../tensor/Tensor.js';
import { parseSafetensors, serializeSafetensors } from './safetensors.js';
import { writeFileAtomic } from './writeFileAtomic.js';

/**
 * Saves a module's parameters and buffers (its `stateDict()`, PyTorch names such as `0.weight`) to
 * a safetensors file, atomically (see {@link writeFileAtomic}), with optional string metadata.
 * PyTorch reads it back with `safetensors.torch.load_file(path)`.
 *
 * @example
 * saveModule('out/mlp.safetensors', mlp, { epoch: '10' });
 * loadModule('out/mlp.safetensors', freshMlp);
 */
export function saveModule(path: string, module: Module, metadata?: Record<string, string>): void {
  writeFileAtomic(path, serializeSafetensors(module.stateDict(), metadata));
}

/**
 * Loads a safetensors file into a module built with the same architecture, and returns the file's
 * metadata. Everything is checked before any value is copied, so a bad file leaves the module as it
 * was: the file itself (see {@link parseSafetensors}), then every name and shape against the
 * module's `stateDict()`; errors name the file, the tensor and both shapes, or the missing and
 * unexpected names.
 *
 * @example
 * const mlp = new Sequential(new Linear(784, 1000), new Tanh(), new Linear(1000, 10));
 * const { epoch } = loadModule('out/mlp.safetensors', mlp);
 */
export function loadModule(path: string, module: Module): Record<string, string> {
  let file: { tensors: Map<string, Tensor>; metadata: Record<string, string> };
  try {
    file = parseSafetensors(readFileSync(path));
  } catch (e) {
    throw new Error(`loadModule: '${path}': ${(e as Error).message}`, { cause: e });
  }
  const own = module.stateDict();
  const problems: string[] = [];
  const missing = [...own].filter(([name]) => !file.tensors.has(name));
  if (missing.length > 0) problems.push(`missing ${list(missing.map(([n, t]) => `'${n}' (expected shape [${t.shape.join(', ')}])`))}`);
  const extra = [...file.tensors.keys()].filter((name) => !own.has(name));
  if (extra.length > 0) problems.push(`unexpected ${list(extra.map((n) => `'${n.length <= 100 ? n : `${n.slice(0, 100)}…`}'`))}`);
  for (const [name, t] of own) {
    const src = file.tensors.get(name);
    if (src && (src.ndim !== t.ndim || src.shape.some((d, i) => d !== t.shape[i]))) {
      problems.push(`tensor '${name}' has shape [${src.shape.join(', ')}] in the file, the module expects [${t.shape.join(', ')}]`);
    }
  }
  if (problems.length > 0) throw new Error(`loadModule: '${path}' does not fit ${module.typeName()}: ${problems.join('; ')}`);
  module.loadStateDict(file.tensors, true);
  return file.metadata;
}

/** The first 20 items, comma-separated, and how many there are in all when there are more. */
function list(items: string[]): string {
  const shown = items.slice(0, 20).join(', ');
  return items.length <= 20 ? shown : `${shown}, … (${items.length} in all)`;
}
