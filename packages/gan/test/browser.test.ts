import test from 'ava';
import * as browserEntry from '../src/browser.js';
import * as nodeEntry from '../src/index.js';
import { EXTERNAL, NODE_ONLY } from '../scripts/build-browser.js';
import { testBrowserEntry } from '../../../scripts/browserEntryTests.js';

testBrowserEntry(test, {
  name: '@eole/gan',
  testUrl: import.meta.url,
  entries: { browser: browserEntry, node: nodeEntry },
  nodeOnlyExports: ['readVideoNpy', 'writeVideoNpy'],
  nodeOnly: NODE_ONLY,
  mustInclude: 'src/nn/DCGANGenerator.ts',
  external: EXTERNAL,
});
