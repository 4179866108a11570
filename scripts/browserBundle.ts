// The browser build every Eole package but core shares: one minified ES module from the package's
// src/browser.ts that imports `@eole/core` (left external: a page maps it to core's own bundle, so
// every package shares one kernel registry). Fails when a Node-only module is on its import path,
// or when it imports a name core's browser entry does not export. Each package's
// scripts/build-browser.ts calls it with the modules that must stay out of its bundle.
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** Node built-ins, as esbuild names them in a metafile or an import. */
export const NODE_BUILTINS = /(^|\/)node:|^(fs|os|path|net|zlib|url|module|worker_threads|child_process|crypto|http|https|stream)$/;

/** What {@link bundleForBrowser} built. */
export interface BrowserBundle {
  /** The bundle's path. */
  file: string;
  /** Its size in bytes. */
  bytes: number;
  /** Every module bundled, relative to the working directory (esbuild's metafile). */
  inputs: string[];
  /** The bare imports the bundle leaves to the page (`@eole/core`, and other Eole packages it builds on). */
  external: string[];
}

/** What to bundle and what must stay out. */
export interface BrowserBundleOptions {
  /** The package's browser entry (its `src/browser.ts`). */
  entry: string;
  /** Where to write the bundle (a `.meta.json` and a `.map` go beside it). */
  outfile: string;
  /** Inputs that must never reach the bundle (the package's file readers and writers); Node built-ins always count. */
  nodeOnly?: RegExp;
  /** Packages the page brings itself (default `['@eole/core']`). */
  external?: string[];
  /** Minify (default true). */
  minify?: boolean;
}

const COMMON = { bundle: true, format: 'esm', platform: 'browser', target: 'es2022', conditions: ['eole-src'], metafile: true, logLevel: 'silent' } satisfies BuildOptions;

function nodeOnlyInputs(metafile: Metafile, nodeOnly: RegExp | undefined): string[] {
  return Object.keys(metafile.inputs).filter((f) => NODE_BUILTINS.test(f) || (nodeOnly?.test(f) ?? false));
}

/**
 * Bundles a package's browser entry as an ES module that imports `@eole/core` (and the other
 * `external` packages). First bundles it once with everything inside (not written), so that esbuild
 * refuses a name a dependency's browser build lacks and every Node-only module shows up; throws
 * naming them.
 *
 * @example
 * const { bytes } = await bundleForBrowser({ entry: 'src/browser.ts', outfile: 'dist/browser/eole-gan.js' });
 */
export async function bundleForBrowser(options: BrowserBundleOptions): Promise<BrowserBundle> {
  const { entry, outfile, nodeOnly, minify = true } = options;
  const external = options.external ?? ['@eole/core'];
  const whole = await build({ ...COMMON, entryPoints: [entry], write: false, outfile });
  const inWhole = nodeOnlyInputs(whole.metafile, nodeOnly);
  if (inWhole.length > 0) throw new Error(`browser bundle of ${entry}: Node-only modules on its import path: ${inWhole.join(', ')}`);
  mkdirSync(dirname(outfile), { recursive: true });
  const result = await build({ ...COMMON, entryPoints: [entry], outfile, external, sourcemap: true, minify });
  const inputs = Object.keys(result.metafile.inputs);
  const bundled = external.filter((name) => inputs.some((f) => f.includes(`packages/${name.replace('@eole/', '')}/`) || f.includes(`${name}/`)));
  if (bundled.length > 0) throw new Error(`browser bundle of ${entry}: ${bundled.join(', ')} bundled instead of imported`);
  const out = Object.entries(result.metafile.outputs).find(([f]) => f.endsWith('.js'));
  if (!out) throw new Error(`browser bundle of ${entry}: esbuild wrote no .js output`);
  writeFileSync(`${outfile}.meta.json`, JSON.stringify(result.metafile));
  const imports = [...new Set(out[1].imports.filter((i) => i.external).map((i) => i.path))];
  return { file: outfile, bytes: out[1].bytes, inputs, external: imports };
}

/** The CLI of a package's scripts/build-browser.ts: builds `dist/browser/<name>.js` under `root` and prints what it built. */
export async function buildPackageForBrowser(root: string, name: string, nodeOnly?: RegExp, external?: string[]): Promise<void> {
  const outfile = join(root, 'dist', 'browser', `${name}.js`);
  const bundle = await bundleForBrowser({ entry: join(root, 'src', 'browser.ts'), outfile, ...(nodeOnly ? { nodeOnly } : {}), ...(external ? { external } : {}) });
  console.log(`${relative(process.cwd(), bundle.file)}: ${(bundle.bytes / 1024).toFixed(0)} KiB, ${bundle.inputs.length} modules, imports ${bundle.external.join(', ') || 'nothing'}, no Node-only module`);
}
