import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '../tensor/Tensor.js';
import type { Module } from '../nn/Module.js';
import type { Optimizer, OptimizerStateDict } from '../optim/Optimizer.js';
import type { LRScheduler, LRSchedulerStateDict } from '../optim/LRScheduler.js';
import type { Generator, GeneratorState } from '../random/Generator.js';
import { parseSafetensors, serializeSafetensors } from '../io/safetensors.js';
import { writeFileAtomic } from '../io/writeFileAtomic.js';

/** Everything a run needs to continue exactly where it stopped. */
export interface TrainState {
  model: Module;
  optimizer: Optimizer;
  scheduler?: LRScheduler;
  /** Named generators whose state must survive (the shuffle order, dropout masks). */
  rngs?: Record<string, Generator>;
}

/** The checkpoint file name inside a run folder. */
export const CHECKPOINT_FILE = 'checkpoint.safetensors';

/**
 * Writes a full checkpoint to `<dir>/checkpoint.safetensors`, atomically (a crash mid-write leaves
 * the previous file whole): the model's tensors as `model.<name>`, the optimizer's float buffers
 * as `optimizer.<param>.<key>` (exact float32, so a resumed run continues bit for bit), and in the
 * metadata the epoch, the optimizer's scalars and options, the scheduler and the generator states.
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
    format: 'eole-checkpoint-1',
    epoch: String(epoch),
    optimizer: JSON.stringify({ ...opt, state: scalars }),
    scheduler: JSON.stringify(state.scheduler?.stateDict() ?? null),
    rngs: JSON.stringify(rngs),
  };
  const path = join(dir, CHECKPOINT_FILE);
  writeFileAtomic(path, serializeSafetensors(tensors, metadata));
  return path;
}

/**
 * Restores a checkpoint written by {@link saveTrainState} into the live objects and returns the
 * epoch it was taken after (0 when `dir` holds none). Model names and shapes are checked before
 * anything changes; a file of another format gives a clear error.
 */
export function loadTrainState(dir: string, state: TrainState): number {
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path)) return 0;
  const file = parseSafetensors(readFileSync(path));
  const meta = file.metadata;
  if (meta['format'] !== 'eole-checkpoint-1') throw new Error(`resume: '${path}' is not an Eole checkpoint (metadata.format is ${meta['format'] ?? 'missing'})`);
  const model = new Map<string, Tensor>();
  for (const [name, t] of file.tensors) if (name.startsWith('model.')) model.set(name.slice(6), t);
  state.model.loadStateDict(model);
  const opt = JSON.parse(meta['optimizer'] ?? 'null') as OptimizerStateDict;
  opt.state = opt.state.map((entry, i) => {
    if (!entry) return null;
    const full: Record<string, number | number[]> = { ...entry };
    for (const [name, t] of file.tensors) {
      const prefix = `optimizer.${i}.`;
      if (name.startsWith(prefix)) full[name.slice(prefix.length)] = Array.from(t.data);
    }
    return full;
  });
  state.optimizer.loadStateDict(opt);
  const scheduler = JSON.parse(meta['scheduler'] ?? 'null') as LRSchedulerStateDict | null;
  if (scheduler && state.scheduler) state.scheduler.loadStateDict(scheduler);
  const rngs = JSON.parse(meta['rngs'] ?? '{}') as Record<string, GeneratorState>;
  for (const [name, g] of Object.entries(state.rngs ?? {})) {
    const saved = rngs[name];
    if (!saved) throw new Error(`resume: '${path}' has no state for generator '${name}'`);
    g.setState(saved);
  }
  return Number(meta['epoch']);
}
