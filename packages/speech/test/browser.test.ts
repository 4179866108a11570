import test from 'ava';
import * as browserEntry from '../src/browser.js';
import * as nodeEntry from '../src/index.js';
import { EXTERNAL, NODE_ONLY } from '../scripts/build-browser.js';
import { testBrowserEntry } from '../../../scripts/browserEntryTests.js';

testBrowserEntry(test, {
  name: '@eole/speech',
  browserPath: new URL('../src/browser.ts', import.meta.url).pathname,
  nodePath: new URL('../src/index.ts', import.meta.url).pathname,
  browserEntry,
  nodeEntry,
  nodeOnlyExports: ['readDigitFolder', 'loadUtterance', 'saveSpokenDigitModel', 'loadSpokenDigitModel'],
  nodeOnly: NODE_ONLY,
  mustInclude: 'src/frontend/mfcc.ts',
  external: EXTERNAL,
});
