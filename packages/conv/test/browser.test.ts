import test from 'ava';
import * as browserEntry from '../src/browser.js';
import * as nodeEntry from '../src/index.js';
import { NODE_ONLY } from '../scripts/build-browser.js';
import { testBrowserEntry } from '../../../scripts/browserEntryTests.js';

testBrowserEntry(test, {
  name: '@eole/conv',
  testUrl: import.meta.url,
  entries: { browser: browserEntry, node: nodeEntry },
  // The Node entry's exports that read or write files (or draw on the dataset files), absent from the browser entry.
  nodeOnlyExports: [
    'npmMnistDigits', 'fromIdx', 'parseGrayPng', 'readGrayPng', 'encodeGrayPng', 'writeGrayPng', 'MAX_PNG_SIDE',
    'MAX_COCO_JSON_BYTES', 'parseCocoAnnotations', 'readCocoAnnotations', 'writeCocoAnnotations', 'parseCocoResults', 'readCocoResults', 'writeCocoResults',
    'digitsInClutter', 'DIGIT_CATEGORIES', 'CLUTTER_SIDE', 'writeDetectionFolder', 'readDetectionFolder',
  ],
  nodeOnly: NODE_ONLY,
  mustInclude: 'src/nn/LeNet5.ts',
});
