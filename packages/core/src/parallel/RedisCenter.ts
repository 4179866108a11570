import { createHash, randomBytes } from 'node:crypto';
import { endianness } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { elasticExchange } from '../optim/elasticExchange.js';
import { addInto, CENTER_PROTOCOL_VERSION, checkAlpha, checkCenterArray, checkReport, checkRound, sumInOrder, type CenterStore, type WorkerReport } from '../optim/CenterStore.js';
import { parseRedisUrl, type RedisAddress } from './redisUrl.js';

/**
 * How a {@link RedisCenter} reconnects after it lost its server: exponential backoff, for a bounded time.
 *
 * @example
 * await RedisCenter.open(url, { runId, size, retry: { initialMs: 100, maxMs: 5000, giveUpMs: 300_000 } }); // wait up to 5 min for Redis
 */
export interface RedisCenterRetry {
  /** The first delay before reconnecting, in ms (default 50). */
  initialMs?: number;
  /** The delay doubles up to this, in ms (default 2000). */
  maxMs?: number;
  /** It gives up (and every pending and later call rejects) after the server has been gone this long, in ms (default 60 000). Commit markers live this long + 60 s. */
  giveUpMs?: number;
}

/**
 * The options of {@link RedisCenter.open}.
 *
 * @example
 * const options: RedisCenterOptions = { runId: 'mnist-easgd-3', size: 61706, connectTimeoutMs: 5000 };
 */
export interface RedisCenterOptions {
  /** The run: 1 to 200 characters from [A-Za-z0-9._-]; its keys are `eole:<runId>:…`. */
  runId: string;
  /** The number of float32 values of the centre (the model's parameter count). */
  size: number;
  /** `open` rejects when the server does not answer within this many ms (default 10 000). */
  connectTimeoutMs?: number;
  /** Reconnection after the server went away (a restart mid-run). */
  retry?: RedisCenterRetry;
  /** How long all-reduce rounds live on the server, in s (default 600; at least the call's timeout + 60 s). */
  roundTtlS?: number;
}

/**
 * Counters of a {@link RedisCenter} handle (see {@link RedisCenter.exchangeStats}).
 *
 * @example
 * const { exchanges, meanMs, conflicts } = center.exchangeStats;
 * console.log(`${exchanges} exchanges, ${meanMs.toFixed(2)} ms each, ${conflicts} redone`);
 */
export interface RedisExchangeStats {
  /** Completed `elastic` and `push` calls. */
  exchanges: number;
  /** Attempts that lost the race to another handle and were redone. */
  conflicts: number;
  /** Wall time spent in completed exchanges, retries included, in ms. */
  totalMs: number;
  /** `totalMs / exchanges` (0 before the first). */
  meanMs: number;
  /** Tensor bytes sent and received by exchanges, reads, writes, joins and all-reduces (commands and replies around them not counted). */
  bytesSent: number;
  bytesReceived: number;
  /** Completed `allReduceSum` calls and the wall time spent in them (waiting for the other ranks included), in ms. */
  allReduces: number;
  allReduceMs: number;
  /** Times the connection came back after it was lost. */
  reconnects: number;
}

type Counters = Omit<RedisExchangeStats, 'meanMs' | 'reconnects'>;

interface LuaScript {
  lua: string;
  sha: string;
}

function lua(source: string): LuaScript {
  return { lua: source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * Compare-and-set of the centre, idempotent. KEYS: center, ver, commit:<token>. ARGV: expected
 * version ('' for none), token (the new version), data, ttl of the commit marker (s), force ('1':
 * skip the comparison). Returns 1 when the centre now holds this commit, 0 when another commit came
 * first. A command resent after a reconnect finds its own commit marker and answers 1 again.
 */
const COMMIT = lua(`
if redis.call('EXISTS', KEYS[3]) == 1 then return 1 end
if ARGV[5] ~= '1' then
  local current = redis.call('GET', KEYS[2])
  if not current then current = '' end
  if current ~= ARGV[1] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[3])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], '1', 'EX', ARGV[4])
return 1
`);

/** KEYS: meta. ARGV: version, size, created. Creates the meta hash unless it exists; returns {version, size}. */
const META = lua(`
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'version', ARGV[1], 'size', ARGV[2], 'created', ARGV[3])
end
return redis.call('HMGET', KEYS[1], 'version', 'size')
`);

/**
 * One rank's part of an all-reduce round. KEYS: arrived (hash rank → token), workers, part. ARGV:
 * rank, token, workers, data, ttl (s). Returns {0, ranks arrived}, {1, 0} when the rank already
 * contributed another part, {2, workers} when the round was opened for another number of workers.
 * Idempotent for the same token (a resend after a reconnect).
 */
const CONTRIBUTE = lua(`
local had = redis.call('HGET', KEYS[1], ARGV[1])
if had and had ~= ARGV[2] then return {1, 0} end
local workers = redis.call('GET', KEYS[2])
if workers and workers ~= ARGV[3] then return {2, tonumber(workers)} end
if not had then
  redis.call('SET', KEYS[3], ARGV[4], 'EX', ARGV[5])
  redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[5])
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('EXPIRE', KEYS[1], ARGV[5])
end
return {0, redis.call('HLEN', KEYS[1])}
`);

const LITTLE_ENDIAN = endianness() === 'LE';
const RUN_ID = /^[A-Za-z0-9._-]{1,200}$/;
const AUTH_ERROR = /NOAUTH|WRONGPASS|invalid password|Authentication required|invalid username-password/i;
const MAX_ATTEMPTS = 1000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The bytes of `values`, float32 little-endian; a copy when `copy` (arrays the caller owns), else a view. */
function encode(values: Float32Array, copy: boolean): Buffer {
  const view = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  if (LITTLE_ENDIAN && !copy) return view;
  const bytes = Buffer.from(view);
  return LITTLE_ENDIAN ? bytes : bytes.swap32();
}

/** Connection state shared by the reconnect strategy and the handle. */
interface Link {
  address: RedisAddress;
  client: Redis;
  /** When the server went away (Date.now()), null while connected. */
  downSince: number | null;
  /** How long it had been gone when the handle gave up, in ms; null until then. */
  gaveUpAfterMs: number | null;
  closing: boolean;
  everReady: boolean;
  reconnects: number;
  lastError: Error | null;
  /** How long a `commit:<token>` marker lives, in s: longer than any reconnect (retry.giveUpMs + 60 s). */
  commitTtlS: number;
  /** Rejects once the client has ended (closed, or gave up reconnecting): every pending call races it. */
  ended: Promise<never>;
}

function connectLink(url: string, where: string, connectTimeoutMs: number, retry: RedisCenterRetry, name: string): Promise<Link> {
  const address = parseRedisUrl(url);
  const initialMs = retry.initialMs ?? 50;
  const maxMs = retry.maxMs ?? 2000;
  const giveUpMs = retry.giveUpMs ?? 60_000;
  for (const [k, v] of [['retry.initialMs', initialMs], ['retry.maxMs', maxMs], ['retry.giveUpMs', giveUpMs], ['connectTimeoutMs', connectTimeoutMs]] as const) {
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new RangeError(`${where}: ${k} must be a positive number of ms, got ${String(v)}`);
  }
  const state = { downSince: null as number | null, gaveUpAfterMs: null as number | null, closing: false, everReady: false, reconnects: 0, lastError: null as Error | null };
  const client = new Redis({
    host: address.host,
    port: address.port,
    db: address.db,
    ...(address.username !== undefined ? { username: address.username } : {}),
    ...(address.password !== undefined ? { password: address.password } : {}),
    ...(address.tls ? { tls: {} } : {}),
    connectionName: name,
    lazyConnect: true,
    connectTimeout: Math.min(connectTimeoutMs, 10_000),
    // Never fail a command because of a reconnect: keep it queued until the link is back or given up.
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    autoResendUnfulfilledCommands: true,
    retryStrategy: (times: number): number | null => {
      if (state.closing) return null;
      const now = Date.now();
      state.downSince ??= now;
      if (now - state.downSince > giveUpMs) {
        state.gaveUpAfterMs = now - state.downSince;
        return null;
      }
      return Math.min(maxMs, initialMs * 2 ** Math.min(times - 1, 30));
    },
  });
  // ioredis rejects the commands it holds when it gives up, but not those it meant to resend after a
  // half-made reconnect; racing every call against 'end' leaves none waiting forever.
  const ended = new Promise<never>((_resolve, reject) => client.once('end', () => reject(new Error('Connection is closed.'))));
  ended.catch(() => {});
  const link: Link = Object.assign(state, { address, client, ended, commitTtlS: Math.ceil(giveUpMs / 1000) + 60 });
  link.client.on('error', (e: Error) => {
    link.lastError = e;
  });
  link.client.on('ready', () => {
    if (link.everReady) link.reconnects++;
    link.everReady = true;
    link.downSince = null;
  });

  return new Promise<Link>((resolve, reject) => {
    const client = link.client;
    const finish = (err: Error | null): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
      if (err === null) {
        resolve(link);
        return;
      }
      link.closing = true;
      client.disconnect();
      reject(err);
    };
    const onReady = (): void => finish(null);
    const onError = (e: Error): void => {
      if (!AUTH_ERROR.test(e.message)) return;
      const why = address.password === undefined && address.username === undefined ? 'requires a password and the URL holds none' : 'refused the user name or password of the URL';
      // The server's own words (NOAUTH / WRONGPASS …) never repeat the password; ioredis's error object would (command.args), so it is not attached.
      finish(new Error(`${where}: Redis at ${address.display} ${why} (${e.message.replace(/^Ready check failed: /, '')})`));
    };
    const timer = setTimeout(() => {
      const last = link.lastError ? ` (last error: ${link.lastError.message})` : '';
      finish(new Error(`${where}: could not reach Redis at ${address.display} within ${connectTimeoutMs} ms${last}`));
    }, connectTimeoutMs);
    client.on('ready', onReady);
    client.on('error', onError);
    client.connect().catch(() => {
      // The 'ready' and 'error' listeners decide; the client keeps retrying until then.
    });
  });
}

async function closeLink(link: Link): Promise<void> {
  if (link.closing && link.client.status === 'end') return;
  link.closing = true;
  if (link.client.status === 'ready') {
    try {
      await link.client.quit();
      return;
    } catch {
      // fall through: drop the connection
    }
  }
  link.client.disconnect();
}

/** Deletes every key matching `prefix*` (SCAN + UNLINK); returns how many. */
async function deleteKeys(client: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await client.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

function checkRunId(where: string, runId: unknown): asserts runId is string {
  if (typeof runId !== 'string' || !RUN_ID.test(runId)) {
    throw new RangeError(`${where}: runId must be 1 to 200 characters from [A-Za-z0-9._-] (it names Redis keys), got ${typeof runId === 'string' ? JSON.stringify(runId) : typeof runId}`);
  }
}

/** JSON of a report; NaN and ±Infinity (a diverged loss) travel as strings. */
function reportJson(r: WorkerReport): string {
  return JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

function parseReport(json: string): WorkerReport {
  const r = JSON.parse(json) as Record<string, unknown>;
  for (const k of ['rank', 'epoch', 'step', 'samples', 'loss', 'time']) if (typeof r[k] === 'string') r[k] = Number(r[k]);
  return r as unknown as WorkerReport;
}

/**
 * A {@link CenterStore} on a Redis server (≥ 5), for EASGD workers on several machines: every
 * worker opens its own handle onto the same run id and URL.
 *
 * **Keys** (all under `eole:<runId>:`): `meta`, a hash {version: CENTER_PROTOCOL_VERSION, size,
 * created}; `center`, the centre as `size` float32 little-endian (exactly 4·size bytes, binary,
 * never JSON); `ver`, the token of the last commit of `center`; `commit:<token>`, a marker per
 * commit (expires after `retry.giveUpMs` + 60 s); `reports`, a hash rank → JSON of the latest
 * {@link WorkerReport}; `job`, the coordinator's job description ({@link RedisCenter.writeJob});
 * `round:<r>:arrived` (hash rank → token), `round:<r>:workers` and `round:<r>:part:<rank>` per
 * all-reduce round (expire after `roundTtlS`, and are deleted two rounds later).
 *
 * **Atomicity**: optimistic. `elastic` and `push` read `center` and `ver` in one MGET, compute in
 * the client with {@link elasticExchange} (so the bits are those of {@link LocalCenter}), then
 * commit with a Lua compare-and-set that writes the centre only if `ver` is still what was read;
 * when another handle committed in between, the attempt is redone (short random backoff). The
 * caller's arrays (`x`, `out`) change only once the commit is in. Lua rather than WATCH/MULTI/EXEC
 * because a WATCH does not survive a reconnect and an EXEC whose reply was lost cannot be retried
 * safely; here each commit carries a fresh token and leaves a `commit:<token>` marker, so a commit
 * that ioredis resends after a reconnect is recognised instead of applied twice.
 *
 * **Reconnects**: ioredis reconnects with exponential backoff (`retry.initialMs` 50 ms doubling to
 * `retry.maxMs` 2 s) for `retry.giveUpMs` (60 s); meanwhile calls wait (queued, and unanswered
 * commands are resent), so a Redis restart mid-run (with `appendonly yes`, or RDB saves, to keep the
 * centre) only pauses the workers. After that every pending and later call rejects, naming the URL.
 *
 * **All-reduce**: each rank stores its part and marks its arrival in one script, then polls the
 * arrival count (1 ms doubling to 5 ms) until all `workers` ranks are in, fetches the parts and
 * sums them in rank order ({@link sumInOrder}), so every rank gets the same bits.
 *
 * Passwords never appear in messages: URLs are shown as `redis://host:port/db`.
 *
 * @example
 * const center = await RedisCenter.open('redis://:secret@10.0.0.5:6379', { runId: 'cifar-easgd-1', size: 61706 });
 * const worker = new EASGD(model.parameters(), center, { rank, workers: 4 });
 * // … train …
 * console.log(center.exchangeStats.meanMs, 'ms per elastic exchange');
 * await center.close();
 */
export class RedisCenter implements CenterStore {
  readonly size: number;
  readonly runId: string;
  /** The server's URL without user name or password (`redis://host:port/db`). */
  readonly url: string;
  private readonly link: Link;
  private readonly prefix: string;
  private readonly roundTtlS: number;
  private readonly handleId = randomBytes(6).toString('base64url');
  private tokens = 0;
  private readonly stats: Counters = { exchanges: 0, conflicts: 0, totalMs: 0, bytesSent: 0, bytesReceived: 0, allReduces: 0, allReduceMs: 0 };

  private constructor(link: Link, options: RedisCenterOptions) {
    this.link = link;
    this.size = options.size;
    this.runId = options.runId;
    this.url = link.address.display;
    this.prefix = `eole:${options.runId}:`;
    this.roundTtlS = options.roundTtlS ?? 600;
  }

  /**
   * Connects to the Redis server at `url` (`redis://[:password@]host:port[/db]`) and opens run
   * `runId`: creates its `meta` (protocol version, size) when the run is new, and refuses a run that
   * holds another protocol version or a centre of another size, or a server that refuses the
   * password. Rejects after `connectTimeoutMs` (10 s) when nothing answers.
   *
   * @example
   * const center = await RedisCenter.open(process.env.EOLE_REDIS_URL ?? 'redis://127.0.0.1:6379', { runId: 'mnist-easgd', size: parameterCount(model) });
   */
  static async open(url: string, options: RedisCenterOptions): Promise<RedisCenter> {
    const where = 'RedisCenter.open';
    if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object { runId, size }, got ${String(options)}`);
    checkRunId(where, options.runId);
    const { size } = options;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) throw new RangeError(`${where}: size must be an integer >= 1 (the parameter count), got ${String(size)}`);
    if (options.roundTtlS !== undefined && !(Number.isInteger(options.roundTtlS) && options.roundTtlS >= 1)) throw new RangeError(`${where}: roundTtlS must be an integer >= 1 (seconds), got ${String(options.roundTtlS)}`);
    const link = await connectLink(url, where, options.connectTimeoutMs ?? 10_000, options.retry ?? {}, `eole:${options.runId}`);
    const center = new RedisCenter(link, options);
    try {
      await center.openMeta(where);
    } catch (e) {
      await closeLink(link);
      throw e;
    }
    return center;
  }

  /**
   * Deletes every key of run `runId` on the server at `url` (the centre, its meta, reports and
   * rounds); resolves to the number of keys deleted. For tests and for starting a run afresh.
   *
   * @example
   * await RedisCenter.clear('redis://127.0.0.1:6379', 'mnist-easgd');
   */
  static async clear(url: string, runId: string, options: { connectTimeoutMs?: number } = {}): Promise<number> {
    const where = 'RedisCenter.clear';
    checkRunId(where, runId);
    const link = await connectLink(url, where, options.connectTimeoutMs ?? 10_000, { giveUpMs: options.connectTimeoutMs ?? 10_000 }, `eole:${runId}:clear`);
    try {
      return await deleteKeys(link.client, `eole:${runId}:`);
    } catch (e) {
      throw new Error(`${where}: Redis at ${link.address.display} failed: ${(e as Error).message}`);
    } finally {
      await closeLink(link);
    }
  }

  /**
   * The job description a coordinator stored with {@link RedisCenter.writeJob} for run `runId`
   * (how a worker on another machine learns the command line and assignment before it knows the
   * model's size), or null when there is none. Does not open the run.
   *
   * @example
   * const text = await RedisCenter.readJob('redis://10.0.0.5:6379', 'mnist-lenet-20261202-1234');
   * const job = text === null ? null : JSON.parse(text);
   */
  static async readJob(url: string, runId: string, options: { connectTimeoutMs?: number } = {}): Promise<string | null> {
    const where = 'RedisCenter.readJob';
    checkRunId(where, runId);
    const link = await connectLink(url, where, options.connectTimeoutMs ?? 10_000, { giveUpMs: options.connectTimeoutMs ?? 10_000 }, `eole:${runId}:job`);
    try {
      return await link.client.get(`eole:${runId}:job`);
    } catch (e) {
      throw new Error(`${where}: Redis at ${link.address.display} failed: ${(e as Error).message}`);
    } finally {
      await closeLink(link);
    }
  }

  /**
   * Stores `job` (text, typically JSON: the command line and the assignment) as this run's job
   * description under `eole:<runId>:job`, for workers that join later with {@link RedisCenter.readJob}.
   * Replaces any previous one; deleted with the run ({@link RedisCenter.destroy}).
   *
   * @example
   * await center.writeJob(JSON.stringify({ argv: process.argv.slice(2), workers: 4 }));
   */
  async writeJob(job: string): Promise<void> {
    const where = 'RedisCenter.writeJob';
    if (typeof job !== 'string') throw new TypeError(`${where}: job must be a string (e.g. JSON), got ${typeof job}`);
    await this.call(where, () => this.link.client.set(this.key('job'), job));
  }

  /**
   * This handle's counters: exchanges, conflicts, time and tensor bytes, all-reduces, reconnects (a
   * snapshot; {@link RedisCenter.resetStats} zeroes them).
   *
   * @example
   * for (let i = 0; i < 100; i++) await center.elastic(x, 0.1);
   * console.log(`${center.exchangeStats.meanMs.toFixed(2)} ms per exchange`);
   */
  get exchangeStats(): RedisExchangeStats {
    const s = this.stats;
    return { ...s, meanMs: s.exchanges > 0 ? s.totalMs / s.exchanges : 0, reconnects: this.link.reconnects };
  }

  /**
   * Zeroes the counters of {@link RedisCenter.exchangeStats} (reconnects excepted).
   *
   * @example
   * center.resetStats(); // after the warm-up
   */
  resetStats(): void {
    for (const k of Object.keys(this.stats) as (keyof Counters)[]) this.stats[k] = 0;
  }

  async join(x: Float32Array): Promise<boolean> {
    const where = 'RedisCenter.join';
    checkCenterArray(where, 'x', x, this.size);
    const data = encode(x, true);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const stored = await this.call(where, () => this.link.client.getBuffer(this.key('center')));
      if (stored !== null) {
        this.decode(where, stored, x);
        return false;
      }
      if (await this.commit(where, '', data, false)) return true;
    }
    throw new Error(`${where}: run "${this.runId}" on ${this.url}: the centre appeared and vanished ${MAX_ATTEMPTS} times; is another process clearing the run?`);
  }

  async read(out: Float32Array): Promise<void> {
    const where = 'RedisCenter.read';
    checkCenterArray(where, 'out', out, this.size);
    const stored = await this.call(where, () => this.link.client.getBuffer(this.key('center')));
    if (stored === null) throw this.noCentre(where);
    this.decode(where, stored, out);
  }

  async write(values: Float32Array): Promise<void> {
    const where = 'RedisCenter.write';
    checkCenterArray(where, 'values', values, this.size);
    await this.commit(where, '', encode(values, true), true);
  }

  async elastic(x: Float32Array, alpha: number): Promise<void> {
    const where = 'RedisCenter.elastic';
    checkCenterArray(where, 'x', x, this.size);
    checkAlpha(where, alpha);
    const next = new Float32Array(this.size);
    await this.exchange(
      where,
      (c) => {
        next.set(x);
        elasticExchange(next, c, alpha);
      },
      () => x.set(next),
    );
  }

  async push(delta: Float32Array, out: Float32Array): Promise<void> {
    const where = 'RedisCenter.push';
    checkCenterArray(where, 'delta', delta, this.size);
    checkCenterArray(where, 'out', out, this.size);
    await this.exchange(
      where,
      (c) => {
        addInto(c, delta);
      },
      (c) => out.set(c),
    );
  }

  async allReduceSum(values: Float32Array, round: number, rank: number, workers: number, timeoutMs = 60_000): Promise<void> {
    const where = 'RedisCenter.allReduceSum';
    checkCenterArray(where, 'values', values, this.size);
    checkRound(where, round, rank, workers);
    if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) throw new RangeError(`${where}: timeoutMs must be a number >= 0, got ${String(timeoutMs)}`);
    const start = performance.now();
    const base = this.key(`round:${round}:`);
    const ttl = Math.max(this.roundTtlS, Math.ceil(timeoutMs / 1000) + 60);
    const token = this.token();
    const reply = (await this.call(where, () =>
      this.script(CONTRIBUTE, [`${base}arrived`, `${base}workers`, `${base}part:${rank}`], [String(rank), token, String(workers), encode(values, true), String(ttl)]),
    )) as [number, number];
    this.stats.bytesSent += values.byteLength;
    if (reply[0] === 1) throw new Error(`${where}: rank ${rank} already contributed to round ${round}`);
    if (reply[0] === 2) throw new RangeError(`${where}: round ${round} has ${reply[1]} workers, this call says ${workers}`);
    let arrived = reply[1];
    let delay = 1;
    while (arrived < workers) {
      const left = start + timeoutMs - performance.now();
      if (left <= 0) {
        const ranks = await this.call(where, () => this.link.client.hkeys(`${base}arrived`));
        const missing = Array.from({ length: workers }, (_, i) => i).filter((i) => !ranks.includes(String(i)));
        throw new Error(`${where}: round ${round} timed out after ${timeoutMs} ms waiting for rank(s) ${missing.join(', ')}`);
      }
      await sleep(Math.min(delay, left));
      delay = Math.min(delay * 2, 5);
      arrived = await this.call(where, () => this.link.client.hlen(`${base}arrived`));
    }
    const keys = Array.from({ length: workers }, (_, k) => `${base}part:${k}`);
    const stored = await this.call(where, () => this.link.client.mgetBuffer(...keys));
    const parts = stored.map((b, k) => {
      if (b === null) throw new Error(`${where}: the part of rank ${k} in round ${round} vanished from ${this.url} (expired after ${ttl} s, or the run was cleared)`);
      return this.decode(where, b, new Float32Array(this.size));
    });
    sumInOrder(parts, values);
    if (round >= 2) {
      // Every rank is past round − 1, so nobody reads round − 2 any more.
      const old = this.key(`round:${round - 2}:`);
      const stale = [`${old}arrived`, `${old}workers`, ...Array.from({ length: workers }, (_, k) => `${old}part:${k}`)];
      await this.call(where, () => this.link.client.unlink(...stale));
    }
    this.stats.allReduces++;
    this.stats.allReduceMs += performance.now() - start;
  }

  async report(report: WorkerReport): Promise<void> {
    const where = 'RedisCenter.report';
    checkReport(where, report);
    await this.call(where, () => this.link.client.hset(this.key('reports'), String(report.rank), reportJson(report)));
  }

  async reports(): Promise<WorkerReport[]> {
    const all = await this.call('RedisCenter.reports', () => this.link.client.hvals(this.key('reports')));
    return all.map(parseReport).sort((a, b) => a.rank - b.rank);
  }

  /**
   * Deletes every key of this run on the server (centre, meta, reports, rounds), then closes the
   * handle; resolves to the number of keys deleted. Other handles onto the run see no centre after.
   *
   * @example
   * await center.destroy(); // the end of a test
   */
  async destroy(): Promise<number> {
    const deleted = await this.call('RedisCenter.destroy', () => deleteKeys(this.link.client, this.prefix));
    await this.close();
    return deleted;
  }

  async close(): Promise<void> {
    await closeLink(this.link);
  }

  private key(name: string): string {
    return this.prefix + name;
  }

  private token(): string {
    return `${this.handleId}.${(this.tokens++).toString(36)}`;
  }

  private noCentre(where: string): Error {
    return new Error(`${where}: no centre yet in run "${this.runId}" on ${this.url}; a worker must join first (or the coordinator write one)`);
  }

  /** Copies a stored centre into `out` (after checking its length): float32 little-endian. */
  private decode(where: string, stored: Buffer, out: Float32Array): Float32Array {
    if (stored.length !== out.byteLength) {
      throw new Error(`${where}: ${this.url} holds ${stored.length} bytes for a centre of ${this.size} float32 values (${out.byteLength} bytes); the key was written by something else`);
    }
    const bytes = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    stored.copy(bytes);
    if (!LITTLE_ENDIAN) bytes.swap32();
    this.stats.bytesReceived += stored.length;
    return out;
  }

  /** Read, update in the client, compare-and-set; redone while another handle commits first. */
  private async exchange(where: string, update: (center: Float32Array) => void, committed: (center: Float32Array) => void): Promise<void> {
    const start = performance.now();
    const center = new Float32Array(this.size);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const [stored, version] = await this.call(where, () => this.link.client.mgetBuffer(this.key('center'), this.key('ver')));
      if (!stored) throw this.noCentre(where);
      this.decode(where, stored, center);
      update(center);
      if (await this.commit(where, version ? version.toString('latin1') : '', encode(center, false), false)) {
        committed(center);
        this.stats.exchanges++;
        this.stats.totalMs += performance.now() - start;
        return;
      }
      this.stats.conflicts++;
      await sleep(Math.random() * Math.min(2 ** attempt, 20));
    }
    throw new Error(`${where}: run "${this.runId}" on ${this.url}: ${MAX_ATTEMPTS} attempts in a row lost to other handles' commits`);
  }

  /** Writes `data` as the centre if its version is still `expected` (or whatever it is, when `force`); true when it did. */
  private async commit(where: string, expected: string, data: Buffer, force: boolean): Promise<boolean> {
    const token = this.token();
    const done = await this.call(where, () =>
      this.script(COMMIT, [this.key('center'), this.key('ver'), this.key(`commit:${token}`)], [expected, token, data, String(this.link.commitTtlS), force ? '1' : '0']),
    );
    this.stats.bytesSent += data.length;
    return done === 1;
  }

  /** EVALSHA, falling back to EVAL when the server does not know the script (first use, or after a restart). */
  private async script(s: LuaScript, keys: string[], args: (string | Buffer)[]): Promise<unknown> {
    try {
      return await this.link.client.evalsha(s.sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
      return await this.link.client.eval(s.lua, keys.length, ...keys, ...args);
    }
  }

  /** Runs a Redis call; a failure becomes an Error naming the method and the URL (without password). */
  private async call<T>(where: string, run: () => Promise<T>): Promise<T> {
    try {
      return await Promise.race([run(), this.link.ended]);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const gaveUp = this.link.gaveUpAfterMs !== null ? ` (the server has been unreachable for ${this.link.gaveUpAfterMs} ms; gave up reconnecting)` : '';
      // A new Error without `cause`: ioredis's error holds the command's arguments (tensors, tokens).
      throw new Error(`${where}: Redis at ${this.url} failed: ${message}${gaveUp}`);
    }
  }

  private async openMeta(where: string): Promise<void> {
    const reply = (await this.call(where, () =>
      this.script(META, [this.key('meta')], [String(CENTER_PROTOCOL_VERSION), String(this.size), String(Date.now())]),
    )) as [string | null, string | null];
    const [version, size] = reply;
    const at = `run "${this.runId}" on ${this.link.address.host}:${this.link.address.port}`;
    if (version !== String(CENTER_PROTOCOL_VERSION)) {
      throw new Error(`${where}: ${at} uses protocol version ${version ?? '(none)'}, this client speaks ${CENTER_PROTOCOL_VERSION}`);
    }
    if (size !== String(this.size)) {
      throw new Error(`${where}: ${at} holds a centre of ${size ?? '(unknown)'} values, this model has ${this.size}`);
    }
  }
}
