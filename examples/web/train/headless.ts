// Node side of the page's test and benchmark: a static server over examples/web and Debian's
// Chromium launched headless with software WebGL (as packages/core/test/browser.test.ts does).
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimiter, extname, join, normalize } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/**
 * Chromium's flags: headless, as root without a sandbox, software WebGL (SwiftShader, opt-in since
 * Chrome 139) on a machine without a GPU, and no calls home.
 */
export const LAUNCH_ARGS: readonly string[] = ['--headless', '--no-sandbox', '--disable-gpu-sandbox', '--enable-unsafe-swiftshader', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json', '.json': 'application/json', '.bin': 'application/octet-stream', '.png': 'image/png' };

/** Debian's chromium, or `EOLE_CHROMIUM`, or the first chromium on PATH; null when none. */
export function chromiumPath(): string | null {
  const env = process.env['EOLE_CHROMIUM'];
  const candidates = env ? [env] : ['/usr/bin/chromium', ...(process.env['PATH'] ?? '').split(delimiter).flatMap((d) => [join(d, 'chromium'), join(d, 'chromium-browser')])];
  return (
    candidates.find((file) => {
      try {
        accessSync(file, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    }) ?? null
  );
}

/** Launches `executable` headless with {@link LAUNCH_ARGS}. */
export function launchChromium(executable: string): Promise<Browser> {
  return chromium.launch({ executablePath: executable, args: [...LAUNCH_ARGS], timeout: 60_000 });
}

/**
 * Serves the files under `root` read-only on 127.0.0.1 (a folder by its index.html); resolves to
 * the server and its base URL (no trailing slash).
 *
 * @example
 * const { server, url } = await serveFolder('examples/web'); // open `${url}/train/`
 */
export function serveFolder(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let file = normalize(join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    try {
      if (!file.startsWith(normalize(root))) throw new Error('outside the folder');
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}
