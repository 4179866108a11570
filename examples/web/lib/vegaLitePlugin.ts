// Where esbuild finds vega-lite for the pages: @eole/core's own copy (vega-lite is core's
// dependency, not examples'), so the pages compile specs with the vega-lite core renders PNGs with.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

const CORE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'packages', 'core', 'package.json');

/** vega-lite's ES module entry (its `exports` default), in @eole/core's dependencies; found through a file beside it (the package exports no package.json). */
export const VEGA_LITE_ENTRY: string = join(dirname(createRequire(CORE).resolve('vega-lite/vega-lite-schema.json')), 'index.js');

/**
 * An esbuild plugin that resolves `vega-lite` (imported by vegaLite.js) to {@link VEGA_LITE_ENTRY}.
 *
 * @example
 * await build({ entryPoints: ['main.ts'], bundle: true, plugins: [vegaLitePlugin] });
 */
export const vegaLitePlugin: Plugin = {
  name: 'eole-vega-lite',
  setup(build) {
    build.onResolve({ filter: /^vega-lite$/ }, () => ({ path: VEGA_LITE_ENTRY }));
  },
};
