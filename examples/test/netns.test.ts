import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisAvailable } from '@eole/core/testing';
import { killChildren, NetworkLab, netnsUnavailable, TSX_NODE, type Child } from './netns.js';

const ci = process.env['CI'];
const required = (ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0') || process.env['EOLE_REQUIRE_NETNS'] === '1';
const TITLE = 'mnist-mlp over Redis across network namespaces: every exchange crosses a network link';

const why = !redisAvailable() ? 'redis-server is not on PATH' : netnsUnavailable();

if (why !== null) {
  if (required) {
    test(`${TITLE}: required here (CI or EOLE_REQUIRE_NETNS=1) but unavailable`, (t) => {
      t.fail(`${why}; run as root on Linux with iproute2 and redis-server`);
    });
  } else {
    test.skip(`${TITLE} (${why}; set EOLE_REQUIRE_NETNS=1 to fail instead), skipped`, () => {});
  }
} else {
  const lab = new NetworkLab(['w1', 'w2']);
  const [l1, l2] = lab.links as [typeof lab.links[0], typeof lab.links[0]];
  const password = 'netns-pa55-never-printed';
  const port = 6379; // the hub's namespace is fresh: nothing else listens there
  let redis: Child | undefined;

  test.before(() => {
    lab.create();
  });
  test.after.always(async () => {
    await killChildren(); // the coordinator, the workers and redis-server: namespaces outlive their processes otherwise
    const problems = lab.destroy();
    if (problems.length > 0 || lab.leftovers().length > 0) throw new Error(`cleanup: ${[...problems, ...lab.leftovers()].join('; ')}`);
  });

  /** A TCP connect from namespace `ns` to host:port: 'connected' or the error code. */
  const connectFrom = async (ns: string, host: string): Promise<string> => {
    const probe = `const s = require('node:net').connect(${port}, '${host}'); s.setTimeout(2000, () => { console.log('ETIMEDOUT'); process.exit(0); }); s.on('connect', () => { console.log('connected'); s.destroy(); }); s.on('error', (e) => console.log(e.code));`;
    const c = lab.exec(ns, process.execPath, ['-e', probe], 10_000);
    await c.exited;
    // Only the probe's own answer: Node may add warnings on stderr (NO_COLOR beside FORCE_COLOR under CI).
    return c.lines.map((l) => l.trim()).filter((l) => /^(connected|E[A-Z]+)$/.test(l)).join(' ');
  };

  test.serial(TITLE, async (t) => {
    redis = lab.exec(lab.hub, 'redis-server', [
      '--bind', l1.hubIp, l2.hubIp, '127.0.0.1', '--port', String(port), '--requirepass', password, '--protected-mode', 'no',
      '--save', '', '--appendonly', 'no', '--dir', mkdtempSync(join(tmpdir(), 'eole-netns-redis-')), '--daemonize', 'no', '--logfile', '',
    ]);
    await redis.waitFor(/Ready to accept connections/, 10_000);

    // Each worker reaches Redis through its own link only: no route from w1 to w2's link, nor back.
    t.is(await connectFrom(l1.ns, l1.hubIp), 'connected');
    t.is(await connectFrom(l2.ns, l2.hubIp), 'connected');
    t.regex(await connectFrom(l1.ns, l2.hubIp), /^E(NETUNREACH|HOSTUNREACH|TIMEDOUT|CONNREFUSED)$/, 'w1 reaches the hub through w2\'s link');
    t.regex(await connectFrom(l2.ns, l1.hubIp), /^E(NETUNREACH|HOSTUNREACH|TIMEDOUT|CONNREFUSED)$/, 'w2 reaches the hub through w1\'s link');
    t.regex(await connectFrom(l1.ns, '127.0.0.1'), /^ECONNREFUSED$/, 'w1 sees the hub\'s loopback');

    const before = [lab.bytes(l1), lab.bytes(l2)];
    const out = mkdtempSync(join(tmpdir(), 'eole-netns-'));
    const runId = `netns-${process.pid}`;
    const script = join('examples', 'mnist-mlp', 'main.ts');
    const node = [...TSX_NODE.slice(1), script];
    const coordinator = lab.exec(lab.hub, TSX_NODE[0], [
      ...node, '--workers', '2', '--local-workers', '0', '--run-id', runId, '--transport', `redis://:${password}@127.0.0.1:${port}`,
      '--epochs', '2', '--train-size', '2000', '--hidden', '64', '--out', out,
    ], 90_000);
    await coordinator.waitFor(new RegExp(`^mnist-mlp: job ${runId} on redis://\\*\\*\\*@127\\.0\\.0\\.1:${port}, 2 ranks, 0 started here`));
    const workers = [l1, l2].map((l, rank) => lab.exec(l.ns, TSX_NODE[0], [...node, '--join', runId, '--rank', String(rank), '--transport', `redis://:${password}@${l.hubIp}:${port}`], 90_000));

    const [done, ...exits] = await Promise.all([coordinator.exited, ...workers.map((w) => w.exited)]);
    t.deepEqual(done, { code: 0, signal: null }, coordinator.text());
    const accuracy = /^held-out accuracy: (\d+\.\d\d)% on \d+ digits$/m.exec(coordinator.text());
    t.truthy(accuracy, coordinator.text());
    t.true(Number(accuracy?.[1]) > 65, `held-out accuracy ${accuracy?.[1]}%`);
    const epochs = readFileSync(join(out, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; epoch?: number }).filter((e) => e.type === 'epoch').map((e) => e.epoch);
    t.deepEqual(epochs, [1, 2]);
    workers.forEach((w, rank) => {
      t.deepEqual(exits[rank], { code: 0, signal: null }, w.text());
      for (const e of [1, 2]) t.true(w.lines.some((l) => l.startsWith(`worker ${rank + 1}/2 (easgd, τ 10): epoch ${e}/2, `)), `worker ${rank} epoch ${e}:\n${w.text()}`);
      t.false(w.text().includes(password));
    });
    t.false(coordinator.text().includes(password));

    // Every exchange moves the whole centre (float32s) over the worker's link: its x up, the centre down.
    const size = Number(/the centre has (\d+) parameters/.exec(coordinator.text())?.[1]);
    t.true(size > 50_000, `the centre's size: ${size}`);
    [l1, l2].forEach((l, rank) => {
      const exchanges = Number(/ (\d+) exchanges /.exec(workers[rank]!.lines.filter((line) => / epoch 2\/2, /.test(line)).join('\n'))?.[1]);
      t.true(exchanges >= 6, `worker ${rank}: ${exchanges} exchanges`);
      const now = lab.bytes(l);
      const rx = now.rx - before[rank]!.rx;
      const tx = now.tx - before[rank]!.tx;
      t.log(`${l.hubIf} (hub ↔ ${l.ns}): ${(rx / 1e6).toFixed(2)} MB received, ${(tx / 1e6).toFixed(2)} MB sent; ${exchanges} exchanges of ${(size * 4 / 1e3).toFixed(0)} kB`);
      t.true(rx >= exchanges * size * 4 && tx >= exchanges * size * 4 && rx > 1e6 && tx > 1e6, `${l.hubIf} moved ${rx} bytes in, ${tx} out for ${exchanges} exchanges of ${size * 4} bytes`);
    });
  });
}
