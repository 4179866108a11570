// vega-lite's compiler for the pages' bundles (esbuild resolves `vega-lite` to @eole/core's copy
// with vegaLitePlugin; vegaLite.d.ts types it, since vega-lite is not a dependency of examples).
export { compile } from 'vega-lite';
