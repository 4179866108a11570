import type { ExecutionContext } from 'ava';
import { join } from 'node:path';
import { loadModule, noGrad, saveModule, type Module, type Tensor } from '../index.js';
import { tempDir } from './tempDir.js';
import { same } from './tolerance.js';

let folder: string | null = null;
let files = 0;

/** A fresh safetensors path in this process's temporary folder. */
function nextPath(): string {
  folder ??= tempDir('round-trip');
  return join(folder, `module-${files++}.safetensors`);
}

/**
 * Saves `trained` with saveModule, loads the file into `fresh` with loadModule, and asserts that
 * the state dicts hold the same names and values and that both modules, in evaluate mode, give
 * exactly the same output on `x`. Leaves both modules in evaluate mode.
 *
 * @example
 * checkRoundTrip(t, LeNet5({ rng: new Generator(5) }), LeNet5({ rng: new Generator(7) }), Tensor.uniform([4, 784], rng));
 */
export function checkRoundTrip(t: ExecutionContext, trained: Module, fresh: Module, x: Tensor): void {
  const path = nextPath();
  saveModule(path, trained);
  loadModule(path, fresh);
  const a = trained.stateDict();
  const b = fresh.stateDict();
  t.deepEqual([...b.keys()], [...a.keys()], 'same state dict names');
  for (const [name, ta] of a) same(t, b.get(name)?.data ?? [], ta.data, `${name} restored`);
  trained.evaluate();
  fresh.evaluate();
  same(t, noGrad(() => fresh.forward(x)).data, noGrad(() => trained.forward(x)).data, 'same evaluate-mode output');
}
