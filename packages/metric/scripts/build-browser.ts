// Builds @eole/metric's browser bundle (dist/browser/eole-metric.js), which imports `@eole/core`;
// fails when the enrollment file reader/writer or a Node built-in is on its import path.
// Run: `npm run build:browser -w packages/metric` (after core's).
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildPackageForBrowser } from '../../../scripts/browserBundle.js';

/** Modules of this package that read or write files, kept out of the browser bundle. */
export const NODE_ONLY = /src\/enrollment\/enrollmentFile\.ts$/;

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await buildPackageForBrowser(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'eole-metric', NODE_ONLY);
}
