// Builds @eole/gan's browser bundle (dist/browser/eole-gan.js), which imports `@eole/core` and
// `@eole/conv`; fails when a Node built-in or a file reader/writer is on its import path.
// Run: `npm run build:browser -w packages/gan` (after core's and conv's).
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildPackageForBrowser } from '../../../scripts/browserBundle.js';

/** Modules of this package that read or write files, kept out of the browser bundle. */
export const NODE_ONLY = /src\/report\/|src\/data\/(npy\w*|read\w*|write\w*)\.ts$/;

/** The Eole packages the bundle imports. */
export const EXTERNAL = ['@eole/core', '@eole/conv'];

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await buildPackageForBrowser(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'eole-gan', NODE_ONLY, EXTERNAL);
}
