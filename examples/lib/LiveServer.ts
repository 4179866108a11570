import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrainEvent } from '@eole/core';
import { dashboardBundle } from '../web/dashboard/build.js';
import { SseHub, type SseHubOptions } from './SseHub.js';

/** The dashboard page the live server shows at `/` (examples/web/dashboard). */
export const DASHBOARD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'web', 'dashboard');

/** The run's configuration: the first message a dashboard receives. */
export interface ConfigEvent {
  type: 'config';
  /** The example (`mnist-lenet`) and its one-line summary. */
  name: string;
  summary: string;
  /** The run's `--out` folder. */
  out: string;
  /** Every flag's value, by flag name. */
  flags: Record<string, unknown>;
  /** When the run started (ISO 8601), its process and its kernel backend choice. */
  started: string;
  pid: number;
  backend: string;
}

/** A PNG of the run's folder was written (the newest version of each name is kept). */
export interface FileEvent {
  type: 'file';
  /** The file's name in `--out`; the page fetches it from `url`. */
  name: string;
  url: string;
  bytes: number;
  /** Modification time, ms since the epoch. */
  mtime: number;
  /** True for a PNG that was there before this run started (an earlier run's). */
  earlier: boolean;
}

/** The run (the process) ended; nothing follows. */
export interface EndEvent {
  type: 'end';
  /** Seconds since the server started. */
  seconds: number;
}

/** What the live server streams: core's training events plus the run's configuration, its PNGs and its end. */
export type LiveEvent = TrainEvent | ConfigEvent | FileEvent | EndEvent;

/** Options of {@link LiveServer}. */
export interface LiveServerOptions extends SseHubOptions {
  /** The run's folder: its PNGs are watched and served under `/files/`. */
  out: string;
  /** Keep the process alive while the server listens (default false: the run ends when its work does). */
  keepProcessAlive?: boolean;
  /** The folder of the dashboard page (default {@link DASHBOARD_DIR}). */
  pageDir?: string;
  /** Milliseconds a PNG must stay unchanged before it is announced (default 150: a file still being written waits). */
  settleMs?: number;
}

const PAGE_TYPES: Readonly<Record<string, string>> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
const PNG_NAME = /^[\w][\w.-]*\.png$/;

/**
 * A run's live view over HTTP (node:http only), on 127.0.0.1: `/` the dashboard page (its script,
 * `dist/dashboard.js`, bundled on first request when missing or stale), `/events`
 * the run's events as server-sent events (through an {@link SseHub}: epochs, validations and the
 * configuration kept for late tabs, steps and PNG versions latest-only), `/files/NAME.png` the
 * PNGs of the run's folder, announced as `file` events when they are written (a folder watch).
 *
 * By default neither the server nor its connections keep the process alive: a run that ends
 * exits; {@link close} sends the `end` event first.
 *
 * @example
 * const live = new LiveServer({ out: 'runs/mnist-lenet' });
 * const url = await live.listen(8080); // http://127.0.0.1:8080/
 * train(options).pipe(tap((e) => live.publish(e)));
 * await live.close();
 */
export class LiveServer {
  /** The event stream's clients (see {@link SseHub.stats}). */
  readonly hub: SseHub;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly announced = new Map<string, number>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly began = performance.now();
  private watcher: FSWatcher | null = null;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: LiveServerOptions) {
    this.hub = new SseHub(options);
    this.server = createServer((req, res) => this.route(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      if (!options.keepProcessAlive) socket.unref();
    });
  }

  /** Listens on 127.0.0.1:`port` (0: a free port), starts watching the run's folder and resolves with the page's URL. */
  async listen(port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    if (!this.options.keepProcessAlive) this.server.unref();
    await this.watchFolder();
    return this.url;
  }

  /** The page's URL, `http://127.0.0.1:PORT/` (once listening). */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  /** Sends one event to every tab: steps and PNGs latest-only, everything else kept for late tabs. */
  publish(event: LiveEvent): void {
    if (event.type === 'step') this.hub.latest('step', event);
    else if (event.type === 'file') this.hub.latest(`file:${event.name}`, event);
    else this.hub.keep(event);
  }

  /** Sends the `end` event, ends every stream, stops watching and closes the server. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.watcher?.close();
      for (const timer of this.pending.values()) clearTimeout(timer);
      this.hub.close({ type: 'end', seconds: (performance.now() - this.began) / 1000 } satisfies EndEvent);
      const force = setTimeout(() => this.server.closeAllConnections(), 1000).unref();
      this.server.close(() => {
        clearTimeout(force);
        resolve();
      });
      this.server.closeIdleConnections();
    });
    return this.closing;
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD' }).end();
    if (path === '/events') return this.hub.attach(res);
    if (path.startsWith('/files/')) return void this.sendFile(res, this.options.out, decodeURIComponent(path.slice(7)), PNG_NAME, 'image/png');
    const page = path === '/' ? 'index.html' : path.slice(1);
    const type = PAGE_TYPES[page.split('.').pop()!] ?? 'text/plain';
    if (page === 'dist/dashboard.js' && this.options.pageDir === undefined) return void this.sendBundle(res, type);
    void this.sendFile(res, this.options.pageDir ?? DASHBOARD_DIR, page, /^(dist\/)?[\w-]+\.(html|js|css)$/, type);
  }

  /** Sends the dashboard's script, built first when missing or stale ({@link dashboardBundle}). */
  private async sendBundle(res: ServerResponse, type: string): Promise<void> {
    const built = await dashboardBundle().catch((e: Error) => e);
    if (built instanceof Error) return void res.writeHead(500, { 'content-type': 'text/plain' }).end(`the dashboard's script could not be built: ${built.message}`);
    await this.sendFile(res, dirname(built), 'dashboard.js', /^dashboard\.js$/, type);
  }

  /** Sends `dir/name` when `name` (no folder in it) matches `allowed`; 404 otherwise. */
  private async sendFile(res: ServerResponse, dir: string, name: string, allowed: RegExp, type: string): Promise<void> {
    const body = allowed.test(name) ? await readFile(join(dir, name)).catch(() => null) : null;
    if (body === null) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-store', 'access-control-allow-origin': '*' }).end(body);
  }

  /** Announces the PNGs already there, then every PNG written, once it has settled. */
  private async watchFolder(): Promise<void> {
    const { out } = this.options;
    try {
      this.watcher = watch(out, { persistent: false }, (_, name) => {
        if (name !== null && PNG_NAME.test(name)) this.settle(name);
      });
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      return; // no folder (yet): nothing to show
    }
    const names = await readdir(out).catch(() => [] as string[]);
    for (const name of names.filter((n) => PNG_NAME.test(n)).sort()) await this.announce(name, true);
  }

  private settle(name: string): void {
    const timer = this.pending.get(name);
    if (timer !== undefined) clearTimeout(timer);
    this.pending.set(
      name,
      setTimeout(() => {
        this.pending.delete(name);
        void this.announce(name, false);
      }, this.options.settleMs ?? 150).unref(),
    );
  }

  private async announce(name: string, earlier: boolean): Promise<void> {
    const info = await stat(join(this.options.out, name)).catch(() => null);
    if (info === null || !info.isFile() || info.size === 0 || this.announced.get(name) === info.mtimeMs) return;
    this.announced.set(name, info.mtimeMs);
    const url = `/files/${encodeURIComponent(name)}?v=${Math.round(info.mtimeMs)}`;
    this.publish({ type: 'file', name, url, bytes: info.size, mtime: info.mtimeMs, earlier });
  }
}
