import test from 'ava';
import { accessSync, constants, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimiter, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { BackendName } from '@eole/core';
import { tempDir, type OpParityResult } from '@eole/core/testing';
import { bundleForBrowser } from '../scripts/build-browser.js';
import type { PageReport } from './browser/page.js';

const ci = process.env['CI'];
const required = (ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0') || process.env['EOLE_REQUIRE_CHROMIUM'] === '1';

/**
 * Chromium's flags here: headless, as root without a sandbox, software WebGL (SwiftShader, opt-in
 * since Chrome 139) on a machine without a GPU, and no calls home.
 */
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu-sandbox', '--enable-unsafe-swiftshader', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * WebGL runs in float32 without the float64 accumulation of gpu.js's `cpu` mode, and GLSL's exp,
 * log, pow and tanh are approximations: 1e-4 relative (absolute below 1) against `cpu`, ten times
 * the cpu/webasm tolerance of checkOp.
 */
const WEBGL_TOL = 1e-4;

/** Ops of the table that may not pass on WebGL, with the reason (none today). */
const KNOWN_WEBGL_FAILURES: Readonly<Record<string, string>> = {};

/** Debian's chromium, or `EOLE_CHROMIUM`, or the first chromium on PATH; null when none. */
function chromiumPath(): string | null {
  const env = process.env['EOLE_CHROMIUM'];
  const candidates = env ? [env] : ['/usr/bin/chromium', ...(process.env['PATH'] ?? '').split(delimiter).flatMap((d) => [join(d, 'chromium'), join(d, 'chromium-browser')])];
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not this one
    }
  }
  return null;
}

test('the browser entry bundles with no Node-only module, gpu.js from its browser build', async (t) => {
  const dir = tempDir('eole-browser-');
  const bundle = await bundleForBrowser(new URL('../src/browser.ts', import.meta.url).pathname, join(dir, 'eole-core.js'));
  t.true(bundle.inputs.some((f) => f.endsWith('gpu.js/dist/gpu-browser.js')), 'gpu.js resolved to dist/gpu-browser.js');
  t.true(bundle.inputs.some((f) => f.endsWith('src/kernels/host/browser.ts')), 'the browser kernel host');
  t.false(bundle.inputs.some((f) => f.includes('src/kernels/host/node.ts')), 'not the Node kernel host');
  t.log(`bundle: ${(bundle.bytes / 1024).toFixed(0)} KiB, ${bundle.inputs.length} modules`);
});

test("the Node entry does not bundle for a browser: the check names what is Node-only", async (t) => {
  const dir = tempDir('eole-browser-');
  const error = await t.throwsAsync(bundleForBrowser(new URL('../src/index.ts', import.meta.url).pathname, join(dir, 'node.js')));
  t.regex(error!.message, /node:fs|Node-only modules/);
});

const executable = chromiumPath();
if (!executable) {
  if (required) {
    test('browser parity: chromium is required here (CI or EOLE_REQUIRE_CHROMIUM=1) but was not found', (t) => {
      t.fail('install it (Debian: apt-get install chromium) or set EOLE_CHROMIUM to its path; .ci/run installs it');
    });
  } else {
    test.skip('browser parity (needs chromium, absent here; set EOLE_REQUIRE_CHROMIUM=1 to fail instead), skipped', () => {});
  }
} else {
  let server: Server;
  let browser: Browser;
  let url = '';

  test.before(async () => {
    const dir = tempDir('eole-page-');
    // The page unminified (readable errors); the core bundle as it ships, minified.
    const bundle = await bundleForBrowser(new URL('./browser/page.ts', import.meta.url).pathname, join(dir, 'page.js'), { minify: false });
    const core = await bundleForBrowser(new URL('../src/browser.ts', import.meta.url).pathname, join(dir, 'eole-core.js'));
    const files: Record<string, [string, string]> = {
      '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>eole parity</title><script type="module" src="/page.js"></script>'],
      '/page.js': ['text/javascript', readFileSync(bundle.file, 'utf8')],
      '/blank.html': ['text/html', '<!doctype html><meta charset="utf-8"><title>eole</title>'],
      '/eole-core.js': ['text/javascript', readFileSync(core.file, 'utf8')],
    };
    server = createServer((req, res) => {
      const file = files[req.url ?? ''];
      res.writeHead(file ? 200 : 404, { 'content-type': file ? file[0] : 'text/plain' }).end(file ? file[1] : 'not found');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await chromium.launch({ executablePath: executable, args: LAUNCH_ARGS, timeout: 60_000 });
  });

  test.after.always(async () => {
    await browser?.close();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  });

  /** Opens `path` of the test server in a new page (after `prepare`, e.g. listeners), runs `fn` on it and closes the page. */
  async function onPage<T>(path: string, fn: (page: Page) => Promise<T>, prepare?: (page: Page) => void): Promise<T> {
    const page = await browser.newPage();
    try {
      prepare?.(page);
      await page.goto(`${url}${path}`);
      return await fn(page);
    } finally {
      await page.close();
    }
  }

  /** Opens the page and runs the op table on `backend` against `cpu`. */
  async function runInPage(backend: BackendName): Promise<PageReport> {
    const errors: string[] = [];
    return onPage(
      '',
      async (page) => {
        await page.waitForFunction(() => 'eole' in globalThis, undefined, { timeout: 30_000 });
        if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
        return await page.evaluate(
          ([b, tol]) => (globalThis as unknown as { eole: { runParity(b: BackendName, tol: number): PageReport } }).eole.runParity(b, tol),
          [backend, WEBGL_TOL] as const,
        );
      },
      (page) => page.on('pageerror', (e) => errors.push(e.message)),
    );
  }

  test.serial('the ESM bundle loads in a page by itself and runs kernels on WebGL2, one thread', async (t) => {
    const result = await onPage('blank.html', (page) =>
      page.evaluate(async () => {
        const core = await import('/eole-core.js' as string);
        const { kernels, backendAvailable, BACKENDS, Tensor } = core;
        kernels.setBackend('webgl2');
        const a = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3]);
        const b = Tensor.from([1, 0, 0, 1, 1, 1], [3, 2]);
        const product = Array.from(a.matmul(b).data as Float32Array);
        let threads = '';
        try {
          kernels.setThreads(2);
        } catch (e) {
          threads = (e as Error).message;
        }
        const backends = (BACKENDS as string[]).filter((name) => backendAvailable(name));
        return { product, calls: kernels.stats().calls.webgl2 as number, renderer: kernels.renderer('webgl2') as string | null, threads, backends, fileIo: 'saveModule' in core || 'readIdx' in core };
      }),
    );
    t.deepEqual(result.product, [4, 5, 10, 11]);
    t.true(result.calls > 0, 'the matmul ran on webgl2');
    t.regex(result.renderer ?? '', /\S/);
    t.regex(result.threads, /setThreads: the browser build runs kernels on at most 1 thread\(s\), got n = 2/);
    // webgpu's check is the API surface only (navigator.gpu), which Chromium has even without an adapter.
    t.log(`backends available in the page: ${result.backends.join(', ')}`);
    for (const name of ['cpu', 'webasm', 'webgl2', 'webgl']) t.true(result.backends.includes(name), `${name} available in the page`);
    t.false(result.fileIo, 'no file I/O in the browser entry');
  });

  test.serial('webasm in a page keeps running past the wasm memories Chromium allows (300 kernel sizes)', async (t) => {
    const result = await onPage('blank.html', (page) =>
      page.evaluate(async () => {
        const { kernels, Tensor } = await import('/eole-core.js' as string);
        kernels.setBackend('webasm');
        const wrong: number[] = [];
        let n = 1;
        try {
          for (; n <= 300; n++) if (Tensor.ones([n]).mul(2).sum().item() !== 2 * n) wrong.push(n);
        } catch (e) {
          return { n, wrong, error: (e as Error).message };
        }
        return { n: n - 1, wrong, error: '' };
      }),
    );
    t.is(result.error, '', `size ${result.n}`);
    t.is(result.n, 300);
    t.deepEqual(result.wrong, []);
  });

  const table = (rows: OpParityResult[]): string =>
    rows.map((r) => `${r.pass ? 'ok  ' : 'FAIL'} ${r.name}: output ${r.outputErr.toExponential(1)}, gradients ${r.gradErr.toExponential(1)}, ${r.launches} launches${r.error ? `, error: ${r.error}` : ''}`).join('\n');

  for (const backend of ['webgl2', 'webgl', 'webasm'] as const) {
    const where = backend === 'webasm' ? "gpu.js's stock code generator, one thread" : 'software WebGL';
    test.serial(`every op of the table agrees with cpu on ${backend} in Chromium (${where})`, async (t) => {
      const report = await runInPage(backend);
      t.log(`${backend}: renderer ${report.renderer ?? 'none'}; ${report.rows.length} ops in ${report.ms.toFixed(0)} ms; launches ${JSON.stringify(report.calls)}`);
      t.log(table(report.rows));
      t.true(report.available.includes(backend), `gpu.js reports ${backend} unavailable in the page (available: ${report.available.join(', ')})`);
      if (backend === 'webasm') t.is(report.renderer, null, 'webasm draws into no GL context');
      else t.regex(report.renderer ?? '', /\S/, 'the page reports the WebGL renderer it drew into');
      t.true(report.calls[backend] > 0, `kernels ran on ${backend}`);
      t.is(report.rows.length > 50, true, 'the whole op table ran');
      const failed = Object.fromEntries(report.rows.filter((r) => !r.pass).map((r) => [r.name, r.error ?? `output ${r.outputErr}, gradients ${r.gradErr}`]));
      t.deepEqual(Object.keys(failed).sort(), Object.keys(KNOWN_WEBGL_FAILURES).sort(), `ops off by more than ${WEBGL_TOL}: ${JSON.stringify(failed)}`);
      const worst = report.rows.filter((r) => r.pass).reduce((m, r) => Math.max(m, r.outputErr, r.gradErr), 0);
      t.log(`largest error of a passing op: ${worst.toExponential(2)}`);
    });
  }
}
