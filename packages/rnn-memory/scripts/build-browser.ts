// Builds @eole/rnn-memory's browser bundle (dist/browser/eole-rnn-memory.js), which imports
// `@eole/core`; fails when the bAbI file reader or a Node built-in is on its import path.
// Run: `npm run build:browser -w packages/rnn-memory` (after core's).
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildPackageForBrowser } from '../../../scripts/browserBundle.js';

/** Modules of this package that read files, kept out of the browser bundle. */
export const NODE_ONLY = /src\/data\/readBabi\.ts$/;

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await buildPackageForBrowser(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'eole-rnn-memory', NODE_ONLY);
}
