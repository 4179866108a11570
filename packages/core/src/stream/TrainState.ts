import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '../tensor/Tensor.js';
import type { Module } from '../nn/Module.js';
import type { Optimizer, OptimizerStateDict } from '../optim/Optimizer.js';
import type { LRScheduler, LRSchedulerStateDict } from '../optim/LRScheduler.js';
import type { AveragedModel } from '../optim/AveragedModel.js';
import type { Generator, GeneratorState } from '../random/Generator.js';
import { parseSafetensors, serializeSafetensors } from '../io/safetensors.js';
import { writeFileAtomic } from '../io/writeFileAtomic.js';
import { previewValue } from '../tensor/describeValue.js';

/** Everything a run needs to continue exactly where it stopped. */
export interface TrainState {
  model: Module;
  optimizer: Optimizer;
  scheduler?: LRScheduler;
  /** Named generators whose state must survive (the shuffle order, dropout masks). */
  rngs?: Record<string, Generator>;
  /** An average of the model's weights over training, saved as `average.<name>` (see {@link AveragedModel}). */
  average?: AveragedModel;
}

/** The checkpoint file name inside a run folder. */
export const CHECKPOINT_FILE = 'checkpoint.safetensors';

/** The `format` metadata of a checkpoint. */
const FORMAT = 'eole-checkpoint-1';

/**
 * Writes a full checkpoint to `<dir>/checkpoint.safetensors`, atomically (a crash mid-write leaves
 * the previous file whole): the model's tensors as `model.<name>`, the optimizer's float buffers
 * as `optimizer.<param>.<key>` (exact float32, so a resumed run continues bit for bit), and in the
 * metadata the epoch, the optimizer's scalars and options, the scheduler and the generator states;
 * with `state.average`, the averaged weights as `average.<name>` and their count.
 */
export function saveTrainState(dir: string, state: TrainState, epoch: number): string {
  const tensors = new Map<string, Tensor>();
  for (const [name, t] of state.model.stateDict()) tensors.set(`model.${name}`, t);
  const opt = state.optimizer.stateDict();
  const scalars = opt.state.map((entry, i) => {
    if (!entry) return null;
    const kept: Record<string, number> = {};
    for (const [key, value] of Object.entries(entry)) {
      if (Array.isArray(value)) tensors.set(`optimizer.${i}.${key}`, Tensor.from(value));
      else kept[key] = value;
    }
    return kept;
  });
  const rngs = Object.fromEntries(Object.entries(state.rngs ?? {}).map(([k, g]) => [k, g.getState()]));
  const metadata = {
    format: FORMAT,
    epoch: String(epoch),
    optimizer: JSON.stringify({ ...opt, state: scalars }),
    scheduler: JSON.stringify(state.scheduler?.stateDict() ?? null),
    rngs: JSON.stringify(rngs),
    ...(state.average ? { average: JSON.stringify(state.average.stateDict()) } : {}),
  };
  if (state.average) for (const [name, t] of state.average.average.stateDict()) tensors.set(`average.${name}`, t);
  const path = join(dir, CHECKPOINT_FILE);
  writeFileAtomic(path, serializeSafetensors(tensors, metadata));
  return path;
}

/**
 * Restores a checkpoint written by {@link saveTrainState} into the live objects and returns the
 * epoch it was taken after (0 when `dir` holds none).
 *
 * Everything in the file is checked before anything changes, and a failure while restoring puts
 * every object back as it was: the safetensors file itself, its `format`, the epoch (a
 * non-negative integer), the JSON of the optimizer, scheduler and generator states (their shapes
 * and types), then the model's names and shapes. Every error names the file and the field, e.g.
 * `resume: 'runs/mlp/checkpoint.safetensors': metadata.epoch must be a non-negative integer, got "-1"`.
 *
 * @example
 * const epoch = loadTrainState('runs/mlp', { model, optimizer, scheduler, rngs: { shuffle } });
 * train({ ..., startEpoch: epoch + 1 });
 */
export function loadTrainState(dir: string, state: TrainState): number {
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path)) return 0;
  const where = `resume: '${path}'`;
  const fail = (message: string): never => {
    throw new Error(`${where}: ${message}`);
  };
  let file: { tensors: Map<string, Tensor>; metadata: Record<string, string> };
  try {
    file = parseSafetensors(readFileSync(path));
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`, { cause: e });
  }
  const meta = file.metadata;
  if (meta['format'] !== FORMAT) throw new Error(`${where} is not an Eole checkpoint (metadata.format is ${meta['format'] === undefined ? 'missing' : previewValue(meta['format'])})`);
  const epoch = parseEpoch(meta['epoch'], fail);
  const optimizer = parseOptimizer(readJson(meta, 'optimizer', fail), state.optimizer.stateDict().state.length, fail);
  const scheduler = readJson(meta, 'scheduler', fail);
  if (scheduler !== null && !isObject(scheduler)) fail(`metadata.scheduler must be a JSON object or null, got ${previewValue(scheduler)}`);
  const rngs = readJson(meta, 'rngs', fail);
  if (!isObject(rngs)) return fail(`metadata.rngs must be a JSON object of generator states, got ${previewValue(rngs)}`);
  const generators = Object.entries(state.rngs ?? {}).map(([name, g]) => [g, parseGeneratorState(name, rngs[name], fail)] as const);

  const model = new Map<string, Tensor>();
  for (const [name, t] of file.tensors) if (name.startsWith('model.')) model.set(name.slice(6), t);
  optimizer.state = optimizer.state.map((entry, i) => {
    if (!entry) return null;
    const full: Record<string, number | number[]> = { ...entry };
    const prefix = `optimizer.${i}.`;
    for (const [name, t] of file.tensors) if (name.startsWith(prefix)) full[name.slice(prefix.length)] = Array.from(t.data);
    return full;
  });

  const averaged = state.average ? readAverage(file, meta, fail) : null;

  const undo = snapshot(state);
  try {
    state.model.loadStateDict(model);
    if (state.average) {
      // A checkpoint written without an average restarts it from the restored model.
      state.average.average.loadStateDict(averaged?.tensors ?? model);
      state.average.loadStateDict({ count: averaged?.count ?? 0 });
    }
    state.optimizer.loadStateDict(optimizer);
    if (scheduler && state.scheduler) state.scheduler.loadStateDict(scheduler as unknown as LRSchedulerStateDict);
    for (const [g, saved] of generators) g.setState(saved);
  } catch (e) {
    undo();
    throw new Error(`${where}: ${(e as Error).message}`, { cause: e });
  }
  return epoch;
}

type Fail = (message: string) => never;

/** The averaged weights and their count in a checkpoint (null when it holds none). */
function readAverage(file: { tensors: Map<string, Tensor> }, meta: Record<string, string>, fail: Fail): { tensors: Map<string, Tensor>; count: number } | null {
  if (meta['average'] === undefined) return null;
  const saved = readJson(meta, 'average', fail);
  const count = isObject(saved) ? saved['count'] : undefined;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) return fail(`metadata.average must be {"count": a non-negative integer}, got ${previewValue(saved)}`);
  const tensors = new Map<string, Tensor>();
  for (const [name, t] of file.tensors) if (name.startsWith('average.')) tensors.set(name.slice(8), t);
  return { tensors, count };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The epoch as saved: the decimal digits of a non-negative safe integer. */
function parseEpoch(text: string | undefined, fail: Fail): number {
  if (text === undefined) return fail('metadata.epoch is missing');
  const epoch = Number(text);
  if (!/^(0|[1-9][0-9]*)$/.test(text) || !Number.isSafeInteger(epoch)) return fail(`metadata.epoch must be a non-negative integer, got ${previewValue(text)}`);
  return epoch;
}

/** A metadata field holding JSON, parsed (missing: an error). */
function readJson(meta: Record<string, string>, key: string, fail: Fail): unknown {
  const text = meta[key];
  if (text === undefined) return fail(`metadata.${key} is missing`);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    return fail(`metadata.${key} is not valid JSON (${(e as Error).message})`);
  }
}

/** The optimizer's saved dict, checked for shape and types (its values are checked by `loadStateDict`). */
function parseOptimizer(value: unknown, params: number, fail: Fail): OptimizerStateDict {
  const field = 'metadata.optimizer';
  if (!isObject(value)) return fail(`${field} must be a JSON object, got ${previewValue(value)}`);
  if (typeof value['type'] !== 'string') fail(`${field}.type must be a string, got ${previewValue(value['type'])}`);
  if (typeof value['lr'] !== 'number' || !Number.isFinite(value['lr']) || value['lr'] < 0) fail(`${field}.lr must be a finite number >= 0, got ${previewValue(value['lr'])}`);
  if (value['options'] !== undefined && !isObject(value['options'])) fail(`${field}.options must be an object, got ${previewValue(value['options'])}`);
  const state = value['state'];
  if (!Array.isArray(state)) return fail(`${field}.state must be an array, got ${previewValue(state)}`);
  if (state.length !== params) fail(`${field}.state has ${state.length} entries, the optimizer has ${params} parameters`);
  state.forEach((entry: unknown, i) => {
    if (entry === null) return;
    if (!isObject(entry)) return fail(`${field}.state[${i}] must be an object or null, got ${previewValue(entry)}`);
    for (const [k, v] of Object.entries(entry)) if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${field}.state[${i}].${k} must be a finite number, got ${previewValue(v)}`);
  });
  return value as unknown as OptimizerStateDict;
}

/** A generator's saved state: four 32-bit unsigned integers and a spare normal draw (or null). */
function parseGeneratorState(name: string, value: unknown, fail: Fail): GeneratorState {
  const field = `metadata.rngs.${name}`;
  if (value === undefined) return fail(`has no state for generator '${name}' (${field} is missing)`);
  if (!isObject(value)) return fail(`${field} must be an object {s, spare}, got ${previewValue(value)}`);
  const { s, spare } = value;
  if (!Array.isArray(s) || s.length !== 4 || !s.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32)) fail(`${field}.s must be an array of 4 unsigned 32-bit integers, got ${previewValue(s)}`);
  if (spare !== null && (typeof spare !== 'number' || !Number.isFinite(spare))) fail(`${field}.spare must be a finite number or null, got ${previewValue(spare)}`);
  return { s: s as number[], spare: spare as number | null };
}

/** Captures the live state's values; the returned function puts them back. */
function snapshot(state: TrainState): () => void {
  const tensors = [...state.model.stateDict().values()].map((t) => [t, t.data.slice()] as const);
  const optimizer = state.optimizer.stateDict();
  const scheduler = state.scheduler?.stateDict();
  const rngs = Object.values(state.rngs ?? {}).map((g) => [g, g.getState()] as const);
  const averaged = state.average ? [...state.average.average.stateDict().values()].map((t) => [t, t.data.slice()] as const) : [];
  const count = state.average?.stateDict();
  return () => {
    for (const [t, data] of tensors) t.data.set(data);
    for (const [t, data] of averaged) t.data.set(data);
    if (count) state.average!.loadStateDict(count);
    state.optimizer.loadStateDict(optimizer);
    if (scheduler) state.scheduler!.loadStateDict(scheduler);
    for (const [g, saved] of rngs) g.setState(saved);
  };
}
