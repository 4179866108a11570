import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { REPO_ROOT } from './report.js';

export { tf };

// Production mode: no debug checks, no "install tfjs-node" banner (it can only favour the peer).
tf.enableProdMode();

/** The tfjs backends the benchmarks compare against. */
export type PeerBackend = 'cpu' | 'wasm';

let wasmReady = false;
let gradientsReady = false;

/**
 * Registers tfjs's own gradient functions. `@tensorflow/tfjs-core`'s Node entry (CommonJS) ships
 * the ops without their gradients; the full `@tensorflow/tfjs` package registers them from
 * `dist/register_all_gradients.js`, an ES module with extensionless imports that Node cannot load.
 * We bundle that file with esbuild (already installed: tsx runs on it) and load it; it registers
 * into the process-wide tfjs registry (tfjs keeps its engine and registries on `globalThis`), so
 * the peer trains with its own autograd code, unchanged.
 */
export async function registerTfGradients(): Promise<void> {
  if (gradientsReady) return;
  const require = createRequire(import.meta.url);
  const entry = path.join(path.dirname(require.resolve('@tensorflow/tfjs-core/package.json')), 'dist', 'register_all_gradients.js');
  const outfile = path.join(REPO_ROOT, 'runs', 'bench', 'tfjs-gradients.cjs');
  const { buildSync } = await import('esbuild');
  buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'silent' });
  require(outfile);
  gradientsReady = true;
}

/**
 * Switches tfjs to `name`. The wasm backend loads its binaries from the installed package folder
 * (offline; no CDN): `setWasmPaths` with a file-system prefix works in Node.
 */
export async function useTfBackend(name: PeerBackend): Promise<void> {
  if (name === 'wasm' && !wasmReady) {
    const require = createRequire(import.meta.url);
    const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    setWasmPaths(dist);
    wasmReady = true;
  }
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`tfjs: could not switch to the '${name}' backend (got '${tf.getBackend()}')`);
  await tf.ready();
}

/** What tfjs reports about its wasm build here (SIMD, threads). */
export function tfWasmFeatures(): { simd: boolean; threads: boolean } {
  return { simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'), threads: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') };
}

/** Live tfjs tensors (to check the benchmarks leak none). */
export function tfTensorCount(): number {
  return tf.memory().numTensors;
}
