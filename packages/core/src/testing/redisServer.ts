import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { delimiter, join } from 'node:path';
import { tempDir } from './tempDir.js';

/**
 * What {@link startRedisServer} may be asked for.
 *
 * @example
 * const redis = await startRedisServer({ password: 'test-only', appendonly: true });
 */
export interface RedisServerOptions {
  /** `--requirepass`: clients must authenticate with it. */
  password?: string;
  /** `--appendonly yes` (survives {@link RedisServer.restart}); default false (`--save ''`, nothing persisted). */
  appendonly?: boolean;
  /** The server's working folder (`--dir`, where the append-only files go); default a fresh temporary folder. */
  dir?: string;
  /** The TCP port; default a free port. */
  port?: number;
  /** `--bind` (addresses separated by spaces); default `127.0.0.1`. A bind that is not loopback also gets `--protected-mode no`. */
  bind?: string;
}

/**
 * A running `redis-server` started by {@link startRedisServer}.
 *
 * @example
 * const redis: RedisServer = await startRedisServer();
 * await RedisCenter.open(redis.url, { runId: 't', size: 3 });
 * await redis.stop();
 */
export interface RedisServer {
  /** The URL to reach it, password included when it has one: `redis://[:password@]127.0.0.1:port`. */
  url: string;
  port: number;
  password?: string;
  /** Its working folder. */
  dir: string;
  /** Stops it (SIGTERM, so that an append-only file is flushed; SIGKILL after 5 s) and waits for it to exit. */
  stop(): Promise<void>;
  /** Stops it, then starts it again on the same port and folder, and waits until it answers PING. */
  restart(): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Is the `redis-server` binary on PATH (Debian's package `redis-server`)? Tests that need one call
 * this to skip, or to fail loudly where Redis is required (CI).
 *
 * @example
 * if (!redisAvailable()) test.skip('RedisCenter (needs redis-server on PATH; absent here, skipped)', () => {});
 */
export function redisAvailable(): boolean {
  const names = process.platform === 'win32' ? ['redis-server.exe', 'redis-server'] : ['redis-server'];
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return true;
      } catch {
        // not here
      }
    }
  }
  return false;
}

function isLoopback(bind: string): boolean {
  return bind.split(/\s+/).filter(Boolean).every((a) => /^(-?127\.|-?::1$|localhost$)/.test(a));
}

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('startRedisServer: could not find a free port'))));
    });
  });
}

function resp(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/** One attempt: resolves true when the server answers PING with PONG (after AUTH when it has a password). */
async function pings(host: string, port: number, password: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let text = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      // Every reply is one line (+OK, +PONG, -LOADING …, -WRONGPASS …): wait for all of them.
      if (text.split('\r\n').length > (password === undefined ? 1 : 2)) done(text.includes('+PONG\r\n'));
    });
    socket.connect(port, host, () => socket.write((password === undefined ? '' : resp('AUTH', password)) + resp('PING')));
  });
}

/**
 * Starts Debian's `redis-server` for a test: on a free loopback port (or `port`), `--bind 127.0.0.1`
 * (or `bind`, with `--protected-mode no` when that is not loopback), `--dir` a temporary folder (or
 * `dir`), `--save ''` and `--appendonly no` unless `appendonly` is asked, `--requirepass` when a
 * `password` is given. Resolves once the server answers PING; rejects with the end of its log when
 * it does not within 10 s. Every server still running when the test process exits is killed.
 *
 * @example
 * const redis = await startRedisServer({ appendonly: true });
 * const center = await RedisCenter.open(redis.url, { runId: 'test', size: 10 });
 * await redis.restart(); // the centre survives: it was appended to the AOF
 * await center.close();
 * await redis.stop();
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  if (!redisAvailable()) throw new Error('startRedisServer: redis-server is not on PATH (Debian: apt-get install redis-server)');
  const bind = options.bind ?? '127.0.0.1';
  const firstBind = bind.split(/\s+/).filter(Boolean)[0]?.replace(/^-/, '') ?? '127.0.0.1';
  const host = firstBind === '0.0.0.0' || firstBind === '*' ? '127.0.0.1' : firstBind === '::' ? '::1' : firstBind;
  const dir = options.dir ?? tempDir('redis');
  const password = options.password;
  let port = options.port ?? (await freePort(host));
  let child: ChildProcess | null = null;

  const args = (): string[] => {
    const a = ['--port', String(port), '--bind', ...bind.split(/\s+/).filter(Boolean), '--dir', dir, '--daemonize', 'no', '--logfile', ''];
    a.push('--save', '', '--appendonly', options.appendonly ? 'yes' : 'no');
    if (!isLoopback(bind)) a.push('--protected-mode', 'no');
    if (password !== undefined) a.push('--requirepass', password);
    return a;
  };

  const launch = async (): Promise<void> => {
    const proc = spawn('redis-server', args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const keep = (chunk: Buffer): void => {
      log = (log + chunk.toString()).slice(-4000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    let exited: string | null = null;
    proc.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? `code ${code}`}`;
      running.delete(proc);
    });
    proc.once('error', (e) => {
      exited = `could not start: ${e.message}`;
    });
    running.add(proc);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once('exit', () => running.forEach((p) => p.kill('SIGKILL')));
    }
    proc.unref();
    (proc.stdout as Socket | null)?.unref?.();
    (proc.stderr as Socket | null)?.unref?.();
    const deadline = Date.now() + 10_000;
    while (!(await pings(host, port, password))) {
      if (exited !== null || Date.now() > deadline) {
        proc.kill('SIGKILL');
        const why = exited ?? 'did not answer PING within 10 s';
        throw new Error(`startRedisServer: redis-server on ${host}:${port} ${why}; its log ends with:\n${log.trim().split('\n').slice(-8).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    child = proc;
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const killer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      proc.once('exit', () => {
        clearTimeout(killer);
        resolve();
      });
      proc.kill('SIGTERM');
    });
  };

  // A free port can be taken between freePort and the server's bind: try another one, twice.
  for (let attempt = 0; ; attempt++) {
    try {
      await launch();
      break;
    } catch (e) {
      if (options.port !== undefined || attempt >= 2 || !/Address already in use/.test((e as Error).message)) throw e;
      port = await freePort(host);
    }
  }

  const auth = password === undefined ? '' : `:${encodeURIComponent(password)}@`;
  const server: RedisServer = {
    url: `redis://${auth}${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    dir,
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
  };
  if (password !== undefined) server.password = password;
  return server;
}
