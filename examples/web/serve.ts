/**
 * `npm run web`: serves the pages of examples/web on localhost (node:http, files as they are on
 * disk) and prints their URLs. Every folder with an `index.html` is a page: `train/` (LeNet-5
 * trained in the page; its bundle is built into `train/dist/`), `dashboard/` (its script is bundled
 * into `dashboard/dist/` on first request; a Node run started
 * with `--live PORT`, opened as `/dashboard/?live=http://127.0.0.1:PORT/`; the run also serves it
 * itself at that URL).
 *
 * Usage: npm run web [-- --port 8080 --host 127.0.0.1]
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DASHBOARD_BUNDLE, dashboardBundle } from './dashboard/build.js';

/** examples/web: the folder served. */
export const WEB_ROOT = dirname(fileURLToPath(import.meta.url));

/** Content types by file extension; anything else is sent as `application/octet-stream`. */
export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** The pages under `root`: its folders that hold an `index.html`, by name. */
export function webPages(root: string = WEB_ROOT): string[] {
  return readdirSync(root)
    .filter((name) => !name.startsWith('.') && statSync(join(root, name)).isDirectory() && existsSync(join(root, name, 'index.html')))
    .sort();
}

/**
 * Serves `root` on `host:port` (0: a free port): files with their {@link MIME_TYPES}, a folder's
 * `index.html` at the folder's URL, at `/` a list of the pages, nothing outside `root`. Resolves
 * with the server and its base URL.
 *
 * @example
 * const { url } = await serveWeb({ port: 8080 });
 * // url: http://127.0.0.1:8080/; http://127.0.0.1:8080/train/ is the training page
 */
export async function serveWeb(options: { root?: string; port?: number; host?: string } = {}): Promise<{ server: Server; url: string }> {
  const root = resolve(options.root ?? WEB_ROOT);
  const server = createServer((req, res) => {
    void (async () => {
      let path: string;
      try {
        path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      } catch {
        return void res.writeHead(400).end('bad request');
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD' }).end();
      if (path === '/') return void send(res, 200, MIME_TYPES['.html']!, indexPage(webPages(root)));
      const file = resolve(root, `.${path}`);
      if (file !== root && !file.startsWith(root + sep)) return void send(res, 404, MIME_TYPES['.txt']!, 'not found');
      if (existsSync(file) && statSync(file).isDirectory()) {
        if (!path.endsWith('/')) return void res.writeHead(301, { location: `${path}/` }).end();
        return void sendFile(res, join(file, 'index.html'));
      }
      if (file === DASHBOARD_BUNDLE) await dashboardBundle().catch(() => null);
      return void sendFile(res, file);
    })();
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => done());
  });
  const address = server.address() as AddressInfo;
  return { server, url: `http://${address.address}:${address.port}/` };
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-cache' }).end(body);
}

async function sendFile(res: ServerResponse, file: string): Promise<void> {
  const body = await readFile(file).catch(() => null);
  if (body === null) return send(res, 404, MIME_TYPES['.txt']!, 'not found');
  send(res, 200, MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', body);
}

function indexPage(pages: readonly string[]): string {
  const items = pages.map((p) => `<li><a href="${p}/">${p}/</a></li>`).join('');
  return `<!doctype html><meta charset="utf-8"><title>Eole pages</title><h1>Eole pages</h1><ul>${items}</ul>`;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string', default: process.env['PORT'] ?? '8080' }, host: { type: 'string', default: '127.0.0.1' } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: expected a port number, got '${values.port}'`);
  const { url } = await serveWeb({ port, host: values.host });
  const lines = [`Eole pages on ${url} (Ctrl-C to stop):`];
  for (const page of webPages()) {
    const note =
      page === 'dashboard'
        ? `  a Node run's live dashboard: start a run with --live PORT, then open ${url}dashboard/?live=http://127.0.0.1:PORT/ (or the URL the run prints)`
        : page === 'train' && !existsSync(join(WEB_ROOT, 'train', 'dist'))
          ? '  (its bundle, train/dist/, is not built yet)'
          : '';
    lines.push(`  ${url}${page}/${note}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((error: Error) => {
    process.stderr.write(`error: ${error.message}\n`);
    process.exitCode = 1;
  });
}
