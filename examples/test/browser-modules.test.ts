// Kernel parity in a real browser, module by module: every package's module case table (the rows
// its Node tests run with testModules) and criterion table (testCriteria's rows) runs in headless
// Chromium on webgl2, webgl (SwiftShader's software WebGL) and webasm against gpu.js `cpu`: a
// Torch7 forward and backward, comparing the output, gradInput and every parameter's gradient.
// Run: `cd examples && EOLE_REQUIRE_CHROMIUM=1 npx ava test/browser-modules.test.ts` (needs Debian's chromium).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { BackendName } from '@eole/core';
import { tempDir } from '@eole/core/testing';
import { bundleForBrowser } from '../../scripts/browserBundle.js';
import { chromiumPath, chromiumRequired, launchChromium } from '../lib/chromium.js';
import type { ModulePageReport, ModuleRow } from './parity/page.js';
import { rowNames, TABLES } from './parity/tables.js';

/**
 * WebGL computes in float32 without the float64 accumulation of gpu.js's `cpu` mode, and GLSL's
 * exp, log, pow and tanh are approximations; a module composes many kernels. Each row is held to
 * ten times its own cpu/webasm tolerance in checkModule (`parityTol`, default 1e-5: so 1e-4 of the
 * reference's largest magnitude, normRelErr), as the op table holds each op to ten times checkOp's.
 */
const WEBGL_TOL_FACTOR = 10;

/** Rows that may not pass on a backend, with the reason. Asserted: a row listed here must fail there, and every other row must pass. */
const KNOWN_DIFFERENCES: Readonly<Record<'webgl2' | 'webgl' | 'webasm', Readonly<Record<string, string>>>> = {
  webgl2: {},
  webgl: {},
  webasm: {},
};

const executable = chromiumPath();
if (!executable) {
  if (chromiumRequired()) test('browser module parity: chromium is required here (CI or EOLE_REQUIRE_CHROMIUM=1) but was not found', (t) => t.fail('install it (Debian: apt-get install chromium) or set EOLE_CHROMIUM'));
  else test.skip('browser module parity (needs chromium, absent here; set EOLE_REQUIRE_CHROMIUM=1 to fail instead), skipped', () => {});
} else {
  let server: Server;
  let browser: Browser;
  let url = '';
  let inputs: string[] = [];

  test.before(async () => {
    const dir = tempDir('eole-module-parity-');
    // One bundle of every package's tables with the `browser` condition: one @eole/core, one kernel registry.
    const bundle = await bundleForBrowser({ entry: new URL('./parity/page.ts', import.meta.url).pathname, outfile: join(dir, 'page.js'), external: [], minify: false });
    inputs = bundle.inputs;
    const files: Record<string, [string, string]> = {
      '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>eole module parity</title><script type="module" src="/page.js"></script>'],
      '/page.js': ['text/javascript', readFileSync(bundle.file, 'utf8')],
    };
    server = createServer((req, res) => {
      const file = files[req.url ?? ''];
      res.writeHead(file ? 200 : 404, { 'content-type': file ? file[0] : 'text/plain' }).end(file ? file[1] : 'not found');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await launchChromium(executable);
  });

  test.after.always(async () => {
    await browser?.close();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  });

  test.serial("the page bundles every package's tables over one @eole/core (its browser entry and portable test kit)", (t) => {
    const core = inputs.filter((f) => f.includes('packages/core/src/'));
    t.true(core.some((f) => f.endsWith('packages/core/src/portable.ts')), 'core from its portable entry');
    t.true(core.some((f) => f.endsWith('packages/core/src/testing/portable.ts')), "the test kit's portable part");
    t.false(core.some((f) => /packages\/core\/src\/(index|testing\/index)\.ts$/.test(f)), "not core's Node entries");
    t.is(inputs.filter((f) => f.endsWith('KernelRegistry.ts')).length, 1, 'one kernel registry');
    for (const pkg of Object.keys(TABLES)) if (pkg !== 'core') t.true(inputs.some((f) => f.includes(`packages/${pkg}/src/testing/`)), `${pkg}'s tables bundled`);
  });

  async function runInPage(backend: BackendName): Promise<ModulePageReport> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(url);
      await page.waitForFunction(() => 'eole' in globalThis, undefined, { timeout: 60_000 });
      if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
      return await page.evaluate(
        ([b, factor]) => (globalThis as unknown as { eole: { runModules(b: BackendName, factor: number): ModulePageReport } }).eole.runModules(b, factor),
        [backend, WEBGL_TOL_FACTOR] as const,
      );
    } finally {
      await page.close();
    }
  }

  const e = (x: number): string => x.toExponential(1);
  const line = (r: ModuleRow): string =>
    `${r.pass ? 'ok  ' : 'FAIL'} ${r.pkg} ${r.name}: output ${e(r.outputErr)}, ${r.backward ? `gradInput ${e(r.inputGradErr)}, ${r.params} param grads ${e(r.paramGradErr)}${r.worstParam ? ` (${r.worstParam})` : ''}` : 'forward only (a roundTrip-only row)'}; tol ${e(r.tol)}, ${r.launches} launches, ${r.ms.toFixed(0)} ms${r.error ? `, error: ${r.error}` : ''}`;

  for (const backend of ['webgl2', 'webgl', 'webasm'] as const) {
    const where = backend === 'webasm' ? "gpu.js's stock code generator, one thread" : 'software WebGL';
    test.serial(`every module of every package's table agrees with cpu on ${backend} in Chromium (${where}): forward, gradInput, parameter gradients`, async (t) => {
      const report = await runInPage(backend);
      const byPkg = [...new Set(report.rows.map((r) => r.pkg))].map((pkg) => {
        const rows = report.rows.filter((r) => r.pkg === pkg);
        return `${pkg} ${rows.filter((r) => r.pass).length}/${rows.length}`;
      });
      t.log(`${backend}: renderer ${report.renderer ?? 'none'}; ${report.rows.length} modules in ${(report.ms / 1000).toFixed(1)} s; passed ${byPkg.join(', ')}`);
      t.log(report.rows.map(line).join('\n'));
      t.true(report.available.includes(backend), `gpu.js reports ${backend} unavailable in the page (available: ${report.available.join(', ')})`);
      t.true(report.calls[backend] > 0, `kernels ran on ${backend}`);
      t.deepEqual(
        report.rows.map((r) => `${r.pkg}: ${r.name}`),
        rowNames(),
        'the page ran every row of every table',
      );
      const failed = Object.fromEntries(report.rows.filter((r) => !r.pass).map((r) => [r.name, r.error ?? `output ${r.outputErr}, gradInput ${r.inputGradErr}, ${r.worstParam} ${r.paramGradErr}`]));
      t.deepEqual(Object.keys(failed).sort(), Object.keys(KNOWN_DIFFERENCES[backend]).sort(), `rows off by more than ${WEBGL_TOL_FACTOR} × their cpu/webasm tolerance (or known differences that now pass): ${JSON.stringify(failed)}`);
      const worst = report.rows.filter((r) => r.pass).reduce((m, r) => (Math.max(r.outputErr, r.inputGradErr, r.paramGradErr) > Math.max(m.outputErr, m.inputGradErr, m.paramGradErr) ? r : m));
      t.log(`largest error of a passing row: ${Math.max(worst.outputErr, worst.inputGradErr, worst.paramGradErr).toExponential(2)} (${worst.pkg} ${worst.name}, tol ${e(worst.tol)})`);
      t.true(report.rows.filter((r) => r.backward).length > report.rows.length * 0.9, 'forward and backward ran on nearly every row');
    });
  }
}
