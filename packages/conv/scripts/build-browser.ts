// Builds @eole/conv's browser bundle (dist/browser/eole-conv.js, minified, with a source map),
// which imports `@eole/core` (a page maps it to core's own bundle, so both share one kernel
// registry); fails when pngjs, a file reader or writer of src/data, or a Node built-in is on its
// import path, or when it imports a name core's browser entry lacks (../../../scripts/browserBundle.ts).
// Run: `npm run build:browser -w packages/conv` (after core's: `npm run build:browser -w packages/core`).
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildPackageForBrowser } from '../../../scripts/browserBundle.js';

/** Modules that must stay out of the browser bundle: pngjs, conv's file readers and writers, its PNG reports. */
export const NODE_ONLY = /node_modules\/pngjs\/|src\/data\/(npmMnistDigits|fromIdx|grayPng|coco\w*|detectionFolder|digitsInClutter)\.ts$|src\/report\//;

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await buildPackageForBrowser(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'eole-conv', NODE_ONLY);
}
