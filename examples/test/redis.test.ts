import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { redisAvailable, startRedisServer, type RedisServer } from '@eole/core/testing';
import { main as mlp } from '../mnist-mlp/main.js';
import { killChildren, startChild, TSX_NODE, type Child } from './netns.js';

const ci = process.env['CI'];
const required = (ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0') || process.env['EOLE_REQUIRE_REDIS'] === '1';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'eole-redis-'));
const epochs = (out: string): number[] =>
  readFileSync(join(out, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; epoch?: number }).filter((e) => e.type === 'epoch').map((e) => e.epoch!);
const SMALL = ['--epochs', '2', '--train-size', '2000', '--hidden', '64'];

/** `KEYS pattern` on the server, through a bare RESP connection (AUTH first). */
async function redisKeys(port: number, password: string, pattern: string): Promise<string[]> {
  const resp = (...args: string[]): string => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let text = '';
    socket.setTimeout(5000, () => (socket.destroy(), reject(new Error('redisKeys: no answer within 5 s'))));
    socket.once('error', reject);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (!text.startsWith('+OK\r\n')) {
        if (text.includes('\r\n')) (socket.destroy(), reject(new Error(`redisKeys: AUTH answered ${text.split('\r\n')[0]}`)));
        return;
      }
      const reply = text.slice(5).split('\r\n');
      const count = /^\*(\d+)$/.exec(reply[0] ?? '');
      if (!count || reply.length < 1 + 2 * Number(count[1]) + 1) return;
      socket.destroy();
      resolve(Array.from({ length: Number(count[1]) }, (_, i) => reply[2 + 2 * i]!));
    });
    socket.connect(port, '127.0.0.1', () => socket.write(resp('AUTH', password) + resp('KEYS', pattern)));
  });
}

if (!redisAvailable()) {
  if (required) {
    test('examples on Redis: redis-server is required here (CI or EOLE_REQUIRE_REDIS=1) but is not on PATH', (t) => {
      t.fail('install it (Debian: apt-get install redis-server); .ci/run does');
    });
  } else {
    test.skip('examples on Redis (needs redis-server on PATH, absent here; set EOLE_REQUIRE_REDIS=1 to fail instead), skipped', () => {});
  }
} else {
  const password = 'examples-pa55-never-printed';
  let redis: RedisServer;

  test.before(async () => {
    redis = await startRedisServer({ password });
  });
  test.after.always(async () => {
    await killChildren();
    await redis?.stop();
  });

  test.serial('mnist-mlp --workers 2 on redis://: both ranks train through Redis, the centre learns, and the run leaves no keys behind', async (t) => {
    const out = tmp();
    const runId = `redis-mlp-${process.pid}`;
    const lines: string[] = [];
    const summary = await mlp(['--workers', '2', '--transport', redis.url, '--run-id', runId, ...SMALL, '--out', out], (l) => lines.push(l));
    t.true(
      lines.some((l) => l === `mnist-mlp: job ${runId} on redis://***@127.0.0.1:${redis.port}, 2 ranks, 2 started here`),
      `the coordinator names the job, the server (without the password) and its ranks:\n${lines.join('\n')}`,
    );
    t.true(lines.some((l) => /^mnist-mlp: easgd over 2 workers on redis, τ 10/.test(l)));
    t.false(lines.some((l) => l.includes(password)), 'a line shows the password');
    t.true(summary.accuracy > 0.65, `held-out accuracy of the centre after 2 epochs on 2,000 digits: ${summary.accuracy}`);
    t.deepEqual(epochs(out), [1, 2]);
    t.deepEqual(await redisKeys(redis.port, password, `eole:${runId}:*`), [], 'the coordinator destroys the run at its end');
  });

  test.serial('a wrong or missing password is refused, naming the server and never the password', async (t) => {
    const wrong = `not-the-${password}`;
    for (const [url, message] of [
      [`redis://:${wrong}@127.0.0.1:${redis.port}`, /^RedisCenter\.open: Redis at redis:\/\/127\.0\.0\.1:\d+\/0 refused the user name or password of the URL \(WRONGPASS/],
      [`redis://127.0.0.1:${redis.port}`, /^RedisCenter\.open: Redis at redis:\/\/127\.0\.0\.1:\d+\/0 requires a password and the URL holds none \(NOAUTH/],
    ] as const) {
      const lines: string[] = [];
      const e = await t.throwsAsync(mlp(['--workers', '2', '--transport', url, ...SMALL, '--out', tmp()], (l) => lines.push(l)), { message });
      for (const secret of [password, wrong]) {
        t.false(inspect(e).includes(secret), 'the error shows the password');
        t.false(lines.some((l) => l.includes(secret)), 'a line shows the password');
      }
    }
  });

  test.serial('--join: a coordinator with --local-workers 0 waits for two workers that join from other processes; unknown jobs and ranks are refused', async (t) => {
    const out = tmp();
    const runId = `redis-join-${process.pid}`;
    const lines: string[] = [];
    let announced: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (announced = resolve));
    const coordinator = mlp(['--workers', '2', '--local-workers', '0', '--run-id', runId, '--transport', redis.url, ...SMALL, '--out', out], (l) => {
      lines.push(l);
      if (l.includes(`job ${runId} on`)) announced();
    });
    coordinator.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
    await Promise.race([ready, coordinator.then(() => { throw new Error('the coordinator ended before announcing its job'); })]);
    t.true(
      lines.some((l) => l === `mnist-mlp: job ${runId} on redis://***@127.0.0.1:${redis.port}, 2 ranks, 0 started here; the others join with: --join ${runId} --rank K --transport redis://[:PASSWORD@]HOST:PORT`),
      lines.join('\n'),
    );

    // Refusals, while the job exists: a rank past the job's, a job that does not exist.
    const e1 = await t.throwsAsync(mlp(['--join', runId, '--rank', '5', '--transport', redis.url], () => undefined), {
      message: `--join: --rank 5 is out of range; job "${runId}" has 2 workers (ranks 0 … 1)`,
    });
    const e2 = await t.throwsAsync(mlp(['--join', 'no-such-run', '--rank', '0', '--transport', redis.url], () => undefined), {
      message: `--join: no job "no-such-run" on redis://***@127.0.0.1:${redis.port} (is its coordinator running?)`,
    });
    for (const e of [e1, e2]) t.false(inspect(e).includes(password));

    const script = join('examples', 'mnist-mlp', 'main.ts');
    const workers: Child[] = [0, 1].map((rank) => startChild(TSX_NODE[0], [...TSX_NODE.slice(1), script, '--join', runId, '--rank', String(rank), '--transport', redis.url], 90_000));
    const summary = await coordinator;
    const exits = await Promise.all(workers.map((w) => w.exited));
    workers.forEach((w, rank) => {
      t.deepEqual(exits[rank], { code: 0, signal: null }, w.text());
      for (const e of [1, 2]) t.true(w.lines.some((l) => l.startsWith(`worker ${rank + 1}/2 (easgd, τ 10): epoch ${e}/2, `)), `worker ${rank} epoch ${e}:\n${w.text()}`);
      t.false(w.text().includes(password), 'a worker printed the password');
      t.false(w.lines.some((l) => l.startsWith('mnist-mlp: job ')), 'a joined worker acted as a coordinator');
    });
    t.deepEqual(epochs(out), [1, 2]);
    t.true(summary.accuracy > 0.65, `held-out accuracy ${summary.accuracy}`);
    t.deepEqual(await redisKeys(redis.port, password, `eole:${runId}:*`), []);
  });
}
