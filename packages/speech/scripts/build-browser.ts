// Builds @eole/speech's browser bundle (dist/browser/eole-speech.js), which imports `@eole/core`
// and `@eole/conv`; fails when a WAV-folder or model-file reader or a Node built-in is on its path.
// Run: `npm run build:browser -w packages/speech` (after core's and conv's).
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildPackageForBrowser } from '../../../scripts/browserBundle.js';

/** Modules of this package that read or write files, kept out of the browser bundle. */
export const NODE_ONLY = /src\/data\/digitFolder\.ts$|src\/nn\/spokenDigitModelFile\.ts$/;

/** The Eole packages the bundle imports. */
export const EXTERNAL = ['@eole/core', '@eole/conv'];

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await buildPackageForBrowser(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'eole-speech', NODE_ONLY, EXTERNAL);
}
