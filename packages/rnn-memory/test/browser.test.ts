import test from 'ava';
import * as browserEntry from '../src/browser.js';
import * as nodeEntry from '../src/index.js';
import { NODE_ONLY } from '../scripts/build-browser.js';
import { testBrowserEntry } from '../../../scripts/browserEntryTests.js';

testBrowserEntry(test, {
  name: '@eole/rnn-memory',
  testUrl: import.meta.url,
  entries: { browser: browserEntry, node: nodeEntry },
  nodeOnlyExports: ['readBabi'],
  nodeOnly: NODE_ONLY,
  mustInclude: 'src/nn/LSTM.ts',
});
