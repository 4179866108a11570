// Builds @eole/core's browser bundle: one minified ES module (dist/browser/eole-core.js, with a
// source map) with gpu.js's browser build inside, from src/browser.ts. Fails when a Node-only
// module is on its import path.
// Run: `npm run build:browser -w packages/core` (part of `build`).
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Inputs that must never reach a browser bundle: Node built-ins and the Node-only dependencies. */
export const NODE_ONLY = /(^|\/)node:|^(fs|os|path|net|child_process|worker_threads|crypto|zlib|url|module|v8|vm|perf_hooks)$|node_modules\/(ioredis|pngjs|cli-progress|@resvg|dejavu-fonts-ttf)\/|src\/(io\/(?!safetensors)|parallel\/|kernels\/(KernelPool|sharedKernel|host\/node)|kernels\/gpujs\/|stream\/(consumers|TrainState))/;

/** What {@link bundleForBrowser} built. */
export interface BrowserBundle {
  /** The bundle's path. */
  file: string;
  /** Its size in bytes. */
  bytes: number;
  /** Every module bundled, relative to the working directory (esbuild's metafile). */
  inputs: string[];
}

/**
 * Bundles `entry` for a browser (ES module, `browser` condition and package fields, so gpu.js's
 * `dist/gpu-browser.js` and the browser kernel host), minified unless `minify` is false (Eole's
 * kernels are source strings, which minifying leaves alone), and throws naming every Node-only
 * module found on the import path (esbuild itself refuses a Node built-in on the browser platform).
 */
export async function bundleForBrowser(entry: string, outfile: string, { minify = true }: { minify?: boolean } = {}): Promise<BrowserBundle> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['eole-src'],
    sourcemap: true,
    minify,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  const nodeOnly = inputs.filter((f) => NODE_ONLY.test(f));
  if (nodeOnly.length > 0) throw new Error(`browser bundle of ${entry}: Node-only modules on its import path: ${nodeOnly.join(', ')}`);
  const out = Object.entries(result.metafile.outputs).find(([f]) => f.endsWith('.js'));
  if (!out) throw new Error(`browser bundle of ${entry}: esbuild wrote no .js output`);
  writeFileSync(`${outfile}.meta.json`, JSON.stringify(result.metafile));
  return { file: outfile, bytes: out[1].bytes, inputs };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const outfile = join(root, 'dist', 'browser', 'eole-core.js');
  mkdirSync(dirname(outfile), { recursive: true });
  const bundle = await bundleForBrowser(join(root, 'src', 'browser.ts'), outfile);
  console.log(`${relative(process.cwd(), bundle.file)}: ${(bundle.bytes / 1024).toFixed(0)} KiB, ${bundle.inputs.length} modules, no Node-only module`);
}
