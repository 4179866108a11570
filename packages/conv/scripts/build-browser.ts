// Builds @eole/conv's browser bundle: one minified ES module (dist/browser/eole-conv.js, with a
// source map) from src/browser.ts that imports `@eole/core` (left external: a page maps it to
// core's own bundle, so both packages share one kernel registry). Fails when a Node-only module
// is on its import path, or when it imports a name that core's browser entry does not export.
// Run: `npm run build:browser -w packages/conv` (after core's: `npm run build:browser -w packages/core`).
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Inputs that must never reach a browser bundle: Node built-ins, pngjs, and conv's file readers and writers. */
export const NODE_ONLY = /(^|\/)node:|^(fs|os|path|net|zlib|url|module|worker_threads|child_process|crypto)$|node_modules\/pngjs\/|src\/data\/(npmMnistDigits|fromIdx|grayPng|coco\w*|detectionFolder|digitsInClutter)\.ts$|src\/report\//;

/** What {@link bundleConvForBrowser} built. */
export interface ConvBrowserBundle {
  /** The bundle's path. */
  file: string;
  /** Its size in bytes. */
  bytes: number;
  /** Every module bundled, relative to the working directory (esbuild's metafile). */
  inputs: string[];
  /** The bare imports the bundle leaves to the page (just `@eole/core`). */
  external: string[];
}

const COMMON = { bundle: true, format: 'esm', platform: 'browser', target: 'es2022', conditions: ['eole-src'], metafile: true, logLevel: 'silent' } satisfies BuildOptions;

function nodeOnlyInputs(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs).filter((f) => NODE_ONLY.test(f));
}

/**
 * Bundles `entry` (conv's `src/browser.ts`) for a browser as an ES module that imports
 * `@eole/core`, minified unless `minify` is false. First bundles it once more with core's browser
 * entry inside (not written), so that esbuild refuses a name core's browser build lacks (such as
 * `writeFileAtomic`) and every Node-only module of either package shows up; throws naming them.
 *
 * @example
 * const { bytes } = await bundleConvForBrowser('src/browser.ts', 'dist/browser/eole-conv.js');
 */
export async function bundleConvForBrowser(entry: string, outfile: string, { minify = true }: { minify?: boolean } = {}): Promise<ConvBrowserBundle> {
  const whole = await build({ ...COMMON, entryPoints: [entry], write: false, outfile });
  const inWhole = nodeOnlyInputs(whole.metafile);
  if (inWhole.length > 0) throw new Error(`browser bundle of ${entry}: Node-only modules on its import path: ${inWhole.join(', ')}`);
  const result = await build({ ...COMMON, entryPoints: [entry], outfile, external: ['@eole/core'], sourcemap: true, minify });
  const inputs = Object.keys(result.metafile.inputs);
  const nodeOnly = inputs.filter((f) => NODE_ONLY.test(f));
  if (nodeOnly.length > 0) throw new Error(`browser bundle of ${entry}: Node-only modules on its import path: ${nodeOnly.join(', ')}`);
  if (inputs.some((f) => f.includes('packages/core/') || f.includes('@eole/core/'))) throw new Error(`browser bundle of ${entry}: @eole/core was bundled instead of imported`);
  const out = Object.entries(result.metafile.outputs).find(([f]) => f.endsWith('.js'));
  if (!out) throw new Error(`browser bundle of ${entry}: esbuild wrote no .js output`);
  writeFileSync(`${outfile}.meta.json`, JSON.stringify(result.metafile));
  const external = [...new Set(out[1].imports.filter((i) => i.external).map((i) => i.path))];
  return { file: outfile, bytes: out[1].bytes, inputs, external };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const outfile = join(root, 'dist', 'browser', 'eole-conv.js');
  mkdirSync(dirname(outfile), { recursive: true });
  const bundle = await bundleConvForBrowser(join(root, 'src', 'browser.ts'), outfile);
  console.log(`${relative(process.cwd(), bundle.file)}: ${(bundle.bytes / 1024).toFixed(0)} KiB, ${bundle.inputs.length} modules, imports ${bundle.external.join(', ')}, no Node-only module`);
}
