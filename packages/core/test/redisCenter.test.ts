import test from 'ava';
import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { CENTER_PROTOCOL_VERSION, elasticExchange, Generator } from '@eole/core';
import { parseRedisUrl, RedisCenter } from '@eole/core/parallel';
import { redisAvailable, startRedisServer, testCenterStore, type RedisServer } from '@eole/core/testing';

const ci = process.env['CI'];
const required = (ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0') || process.env['EOLE_REQUIRE_REDIS'] === '1';

function random(n: number, seed: number): Float32Array {
  const rng = new Generator(seed);
  return Float32Array.from({ length: n }, () => rng.uniform() * 2 - 1);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('parseRedisUrl: host, port, db and password; errors never show the password', (t) => {
  t.deepEqual(parseRedisUrl('redis://:s3cret@10.0.0.5:6380/2'), { host: '10.0.0.5', port: 6380, db: 2, password: 's3cret', tls: false, display: 'redis://10.0.0.5:6380/2' });
  t.deepEqual(parseRedisUrl('redis://localhost'), { host: 'localhost', port: 6379, db: 0, tls: false, display: 'redis://localhost:6379/0' });
  t.like(parseRedisUrl('rediss://bob:p%40ss@[::1]:7000'), { host: '::1', port: 7000, username: 'bob', password: 'p@ss', tls: true, display: 'rediss://[::1]:7000/0' });
  const e = t.throws(() => parseRedisUrl('http://:s3cret@host:1/x'), { message: /must start with redis:\/\// });
  t.false(e!.message.includes('s3cret'));
  t.throws(() => parseRedisUrl('redis://:s3cret@host:1/db'), { message: /database number.*"redis:\/\/\*\*\*@host:1\/db"/ });
});

if (!redisAvailable()) {
  if (required) {
    test('RedisCenter: redis-server is required here (CI or EOLE_REQUIRE_REDIS=1) but is not on PATH', (t) => {
      t.fail('install it (Debian: apt-get install redis-server); .ci/run does');
    });
  } else {
    test.skip('RedisCenter (needs redis-server on PATH, absent here; set EOLE_REQUIRE_REDIS=1 to fail instead), skipped', () => {});
  }
} else {
  let plain: RedisServer;
  let secured: RedisServer;
  const password = 'pa55-w0rd-never-printed';

  test.before(async () => {
    [plain, secured] = await Promise.all([startRedisServer(), startRedisServer({ password })]);
  });
  test.after.always(async () => {
    await Promise.all([plain?.stop(), secured?.stop()]);
  });

  testCenterStore(test, 'RedisCenter', (size, runId, handles) => Promise.all(Array.from({ length: handles }, () => RedisCenter.open(plain.url, { runId, size }))));

  test('RedisCenter.open refuses a run holding a centre of another size', async (t) => {
    const first = await RedisCenter.open(plain.url, { runId: 'size-check', size: 61706 });
    await t.throwsAsync(() => RedisCenter.open(plain.url, { runId: 'size-check', size: 44426 }), {
      message: `RedisCenter.open: run "size-check" on 127.0.0.1:${plain.port} holds a centre of 61706 values, this model has 44426`,
    });
    const again = await RedisCenter.open(plain.url, { runId: 'size-check', size: 61706 });
    await again.close();
    t.true((await first.destroy()) >= 1);
  });

  test('RedisCenter.open refuses a run of another protocol version', async (t) => {
    const raw = new Redis(plain.url);
    try {
      await raw.hset('eole:proto-check:meta', 'version', '999', 'size', '5');
      await t.throwsAsync(() => RedisCenter.open(plain.url, { runId: 'proto-check', size: 5 }), {
        message: new RegExp(`run "proto-check" on 127\\.0\\.0\\.1:${plain.port} uses protocol version 999, this client speaks ${CENTER_PROTOCOL_VERSION}$`),
      });
      t.is(await RedisCenter.clear(plain.url, 'proto-check'), 1);
      t.is(await raw.exists('eole:proto-check:meta'), 0);
    } finally {
      raw.disconnect();
    }
  });

  test('RedisCenter.open refuses a wrong or missing password, without printing it', async (t) => {
    const port = secured.port;
    for (const [url, message] of [
      [`redis://127.0.0.1:${port}`, /RedisCenter\.open: Redis at redis:\/\/127\.0\.0\.1:\d+\/0 requires a password and the URL holds none \(NOAUTH/],
      [`redis://:not-the-${password}@127.0.0.1:${port}`, /RedisCenter\.open: Redis at redis:\/\/127\.0\.0\.1:\d+\/0 refused the user name or password of the URL \(WRONGPASS/],
    ] as const) {
      const e = await t.throwsAsync(() => RedisCenter.open(url, { runId: 'auth-check', size: 4, connectTimeoutMs: 5000 }), { message });
      t.false(inspect(e).includes(password), 'the error shows the password');
    }
    const ok = await RedisCenter.open(secured.url, { runId: 'auth-check', size: 4 });
    t.is(ok.url, `redis://127.0.0.1:${port}/0`);
    await ok.destroy();
  });

  test('RedisCenter.open refuses run ids outside [A-Za-z0-9._-], bad sizes, and an unreachable server in time', async (t) => {
    for (const runId of ['two words', 'a:b', 'star*', '', 'é']) {
      await t.throwsAsync(() => RedisCenter.open(plain.url, { runId, size: 3 }), { message: /runId must be 1 to 200 characters from \[A-Za-z0-9\._-\]/ });
    }
    await t.throwsAsync(() => RedisCenter.open(plain.url, { runId: 'ok', size: 0 }), { message: /size must be an integer >= 1.*got 0/ });
    const closed = await startRedisServer();
    await closed.stop();
    await t.throwsAsync(() => RedisCenter.open(`redis://127.0.0.1:${closed.port}`, { runId: 'ok', size: 3, connectTimeoutMs: 300 }), {
      message: /could not reach Redis at redis:\/\/127\.0\.0\.1:\d+\/0 within 300 ms \(last error: .*ECONNREFUSED/,
    });
  });

  test('RedisCenter stores the centre as exactly size×4 bytes of float32 little-endian; counters; the job text round-trips', async (t) => {
    const c = await RedisCenter.open(plain.url, { runId: 'binary-check', size: 1001 });
    const raw = new Redis(plain.url);
    try {
      const values = random(1001, 7);
      await c.write(values);
      t.is(await raw.strlen('eole:binary-check:center'), 4004);
      const stored = await raw.getBuffer('eole:binary-check:center');
      const expected = Buffer.alloc(4004);
      values.forEach((v, i) => expected.writeFloatLE(v, 4 * i));
      t.true(stored!.equals(expected));
      t.deepEqual(await raw.hgetall('eole:binary-check:meta'), { version: String(CENTER_PROTOCOL_VERSION), size: '1001', created: (await raw.hget('eole:binary-check:meta', 'created'))! });
      const x = random(1001, 8);
      for (let i = 0; i < 3; i++) await c.elastic(x, 0.25);
      await c.push(random(1001, 9), new Float32Array(1001));
      const s = c.exchangeStats;
      t.like(s, { exchanges: 4, conflicts: 0, bytesReceived: 4 * 4004, bytesSent: 5 * 4004 });
      t.true(s.totalMs > 0 && s.meanMs === s.totalMs / 4);
      t.is(await RedisCenter.readJob(plain.url, 'binary-check'), null);
      await c.writeJob('{"argv":["--epochs","3"]}');
      t.is(await RedisCenter.readJob(plain.url, 'binary-check'), '{"argv":["--epochs","3"]}');
    } finally {
      raw.disconnect();
      await c.destroy();
    }
  });

  test('RedisCenter survives a Redis restart (appendonly) in the middle of a loop of exchanges', async (t) => {
    const server = await startRedisServer({ appendonly: true });
    const size = 4099;
    const open = (): Promise<RedisCenter> => RedisCenter.open(server.url, { runId: 'restart-check', size, retry: { initialMs: 20, maxMs: 200, giveUpMs: 20_000 } });
    const [a, b] = await Promise.all([open(), open()]);
    try {
      // The same exchanges, in the same order, on plain arrays: the reference, bit for bit.
      const ref = { c: random(size, 3), a: random(size, 1), b: random(size, 2) };
      const xa = ref.a.slice();
      const xb = ref.b.slice();
      await a.write(ref.c);
      for (let i = 0; i < 5; i++) {
        await a.elastic(xa, 0.3);
        elasticExchange(ref.a, ref.c, 0.3);
        await b.elastic(xb, 0.3);
        elasticExchange(ref.b, ref.c, 0.3);
      }
      let done = 0;
      let restarted = false;
      const loop = (async () => {
        for (let after = 0; after < 10; ) {
          await b.elastic(xb, 0.2);
          elasticExchange(ref.b, ref.c, 0.2);
          done++;
          if (restarted) after++;
        }
      })();
      while (done < 10) await sleep(1);
      await server.restart();
      restarted = true;
      await loop;
      t.true(b.exchangeStats.reconnects >= 1, 'the loop ran across the restart');
      t.true(done >= 20);
      await a.elastic(xa, 0.3);
      elasticExchange(ref.a, ref.c, 0.3);
      const c = new Float32Array(size);
      await a.read(c);
      t.deepEqual(Array.from(c), Array.from(ref.c));
      t.deepEqual(Array.from(xa), Array.from(ref.a));
      t.deepEqual(Array.from(xb), Array.from(ref.b));
      const start = random(size, 3);
      const [a0, b0] = [random(size, 1), random(size, 2)];
      const worst = Math.max(...Array.from(c, (v, i) => Math.abs(v + xa[i]! + xb[i]! - (start[i]! + a0[i]! + b0[i]!))));
      t.true(worst < 1e-4, `Σxⁱ + x̃ moved by ${worst}`);
    } finally {
      await a.destroy();
      await b.close();
      await server.stop();
    }
  });

  test('RedisCenter gives up after retry.giveUpMs without its server, naming the URL', async (t) => {
    const server = await startRedisServer();
    const c = await RedisCenter.open(server.url, { runId: 'give-up', size: 3, retry: { initialMs: 20, maxMs: 50, giveUpMs: 300 } });
    await c.write(Float32Array.of(1, 2, 3));
    await server.stop();
    const started = Date.now();
    await t.throwsAsync(() => c.read(new Float32Array(3)), { message: /^RedisCenter\.read: Redis at redis:\/\/127\.0\.0\.1:\d+\/0 failed: .*gave up reconnecting/ });
    t.true(Date.now() - started < 5000);
    await t.throwsAsync(() => c.elastic(new Float32Array(3), 0.5), { message: /RedisCenter\.elastic: .*Connection is closed/ });
    await c.close();
  });
}
