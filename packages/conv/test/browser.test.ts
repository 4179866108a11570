import test from 'ava';
import { join } from 'node:path';
import { tempDir } from '@eole/core/testing';
import * as browserEntry from '../src/browser.js';
import * as nodeEntry from '../src/index.js';
import { bundleConvForBrowser } from '../scripts/build-browser.js';

/** Exports of the Node entry that read or write files, and so are absent from the browser entry. */
const NODE_ONLY_EXPORTS = [
  'npmMnistDigits',
  'fromIdx',
  'parseGrayPng',
  'readGrayPng',
  'encodeGrayPng',
  'writeGrayPng',
  'MAX_PNG_SIDE',
  'MAX_COCO_JSON_BYTES',
  'parseCocoAnnotations',
  'readCocoAnnotations',
  'writeCocoAnnotations',
  'parseCocoResults',
  'readCocoResults',
  'writeCocoResults',
  'digitsInClutter',
  'DIGIT_CATEGORIES',
  'CLUTTER_SIDE',
  'writeDetectionFolder',
  'readDetectionFolder',
];

test('the browser entry bundles as an ES module that imports @eole/core, with no Node-only module', async (t) => {
  const bundle = await bundleConvForBrowser(new URL('../src/browser.ts', import.meta.url).pathname, join(tempDir('eole-conv-browser-'), 'eole-conv.js'));
  t.deepEqual(bundle.external, ['@eole/core'], 'core is imported, not bundled');
  t.true(bundle.inputs.some((f) => f.endsWith('src/nn/LeNet5.ts')));
  t.false(bundle.inputs.some((f) => f.includes('pngjs') || f.includes('src/data/grayPng.ts')));
  t.log(`bundle: ${(bundle.bytes / 1024).toFixed(0)} KiB, ${bundle.inputs.length} modules`);
});

test('the Node entry does not bundle for a browser: the check names what is Node-only', async (t) => {
  const error = await t.throwsAsync(bundleConvForBrowser(new URL('../src/index.ts', import.meta.url).pathname, join(tempDir('eole-conv-browser-'), 'node.js')));
  t.regex(error!.message, /Could not resolve|Node-only modules/);
});

test('the browser entry exports everything of the Node entry but the file readers and writers', (t) => {
  const node = Object.keys(nodeEntry).sort();
  const browser = Object.keys(browserEntry).sort();
  t.deepEqual(
    node.filter((name) => !browser.includes(name) && !NODE_ONLY_EXPORTS.includes(name)),
    [],
    'exports of src/index.ts missing from src/browser.ts: add them there (or to NODE_ONLY_EXPORTS here if they need Node)',
  );
  t.deepEqual(browser.filter((name) => !node.includes(name)), [], 'the browser entry exports nothing the Node entry lacks');
  t.deepEqual(NODE_ONLY_EXPORTS.filter((name) => browser.includes(name)), [], 'Node-only exports are not in the browser entry');
});
