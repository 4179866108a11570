// The tests every package's browser entry shares (called from each package's test/browser.test.ts).
import type { TestFn } from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleForBrowser } from './browserBundle.js';

/** What {@link testBrowserEntry} checks. */
export interface BrowserEntryCase {
  /** The package's name, for test titles (`@eole/gan`). */
  name: string;
  /** The test file's `import.meta.url`: the entries are `../src/browser.ts` and `../src/index.ts` from it. */
  testUrl: string;
  /** The two entries' modules, imported. */
  entries: { browser: Record<string, unknown>; node: Record<string, unknown> };
  /** Exports of the Node entry that read or write files, and so are absent from the browser entry. */
  nodeOnlyExports: readonly string[];
  /** Modules of the package that must stay out of the bundle (its build script's `NODE_ONLY`). */
  nodeOnly?: RegExp;
  /** A module the bundle must hold (proof that it bundled the package itself). */
  mustInclude: string;
  /** Packages the bundle imports instead of bundling (default `['@eole/core']`). */
  external?: string[];
}

/** Registers the three browser-entry tests: it bundles with no Node-only module, the Node entry does not, and the exports match. */
export function testBrowserEntry(test: TestFn, c: BrowserEntryCase): void {
  const external = c.external ?? ['@eole/core'];
  const out = (): string => join(mkdtempSync(join(tmpdir(), 'eole-browser-')), 'bundle.js');
  const browserPath = new URL('../src/browser.ts', c.testUrl).pathname;
  const nodePath = new URL('../src/index.ts', c.testUrl).pathname;
  test(`${c.name}: the browser entry bundles as an ES module that imports ${external.join(' and ')}, with no Node-only module`, async (t) => {
    const bundle = await bundleForBrowser({ entry: browserPath, outfile: out(), external, ...(c.nodeOnly ? { nodeOnly: c.nodeOnly } : {}) });
    t.deepEqual([...bundle.external].sort(), [...external].sort(), 'the Eole packages it builds on are imported, not bundled');
    t.true(bundle.inputs.some((f) => f.endsWith(c.mustInclude)), `${c.mustInclude} is in the bundle`);
    t.log(`bundle: ${(bundle.bytes / 1024).toFixed(0)} KiB, ${bundle.inputs.length} modules`);
  });
  test(`${c.name}: the Node entry does not bundle for a browser; the check names what is Node-only`, async (t) => {
    const error = await t.throwsAsync(bundleForBrowser({ entry: nodePath, outfile: out(), external, ...(c.nodeOnly ? { nodeOnly: c.nodeOnly } : {}) }));
    t.regex(error!.message, /Could not resolve|Node-only modules|No matching export/);
  });
  test(`${c.name}: the browser entry exports everything of the Node entry but the file readers and writers`, (t) => {
    const node = Object.keys(c.entries.node).sort();
    const browser = Object.keys(c.entries.browser).sort();
    t.deepEqual(node.filter((n) => !browser.includes(n) && !c.nodeOnlyExports.includes(n)), [], 'exports of src/index.ts missing from src/browser.ts');
    t.deepEqual(browser.filter((n) => !node.includes(n)), [], 'the browser entry exports nothing the Node entry lacks');
    t.deepEqual(c.nodeOnlyExports.filter((n) => browser.includes(n)), [], 'Node-only exports are not in the browser entry');
  });
}
