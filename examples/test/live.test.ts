import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Canvas } from '@eole/core/report';
import { CliExit, helpText, parseCli } from '../lib/cli.js';
import { LiveServer } from '../lib/LiveServer.js';
import { readSse } from './sse.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'eole-live-'));
const step = (epoch: number, s: number) => ({ type: 'step' as const, epoch, step: s, steps: 100, loss: 1 / s, lr: 0.1, samples: 32, samplesPerSec: 1000, backend: 'cpu' });
const epoch = (e: number, pad = '') => ({ type: 'epoch' as const, epoch: e, epochs: 3, loss: 1 / e, steps: 100, samples: 3200, seconds: 1, lr: 0.1, backend: pad === '' ? 'cpu' : `cpu${pad}` });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function started(): Promise<{ live: LiveServer; url: string; out: string }> {
  const out = tmp();
  const live = new LiveServer({ out, latestIntervalMs: 20 });
  const url = await live.listen(0);
  return { live, url, out };
}

/** A raw HTTP client of /events that never reads its socket. */
function deafClient(url: string): Promise<Socket> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      socket.pause();
      resolve(socket);
    });
  });
}

test('a tab that opens late gets the history first, then only the newest step, then the run live', async (t) => {
  const { live, url } = await started();
  live.publish({ type: 'start', epochs: 3, startEpoch: 1, parameters: 10 });
  for (let e = 1; e <= 2; e++) {
    for (let s = 1; s <= 100; s++) live.publish(step(e, s));
    live.publish(epoch(e));
    live.publish({ type: 'validation', epoch: e, metrics: { loss: 0.5 / e, accuracy: 0.8 + e / 100, samples: 100 } });
  }
  const tab = readSse(`${url}events`);
  await tab.until((e) => e.type === 'step');
  t.deepEqual(tab.events.map((e) => `${e.type}${'epoch' in e ? e['epoch'] : ''}`), ['start', 'epoch1', 'validation1', 'epoch2', 'validation2', 'step2']);
  t.is(tab.events.at(-1)!['step'], 100, 'the newest step, not the first');
  for (let s = 1; s <= 50; s++) live.publish(step(3, s));
  live.publish(epoch(3));
  await tab.until((e) => e.type === 'epoch' && e['epoch'] === 3);
  const steps = tab.events.filter((e) => e.type === 'step');
  t.true(steps.length < 50, `steps coalesced: ${steps.length} of 51 sent`);
  await live.close();
  await tab.ended;
  t.is(tab.events.at(-1)!.type, 'end');
});

test('a tab that never reads holds one buffer, never the run: publishing stays fast and bounded, other tabs and the slow one lose no epoch', async (t) => {
  const { live, url } = await started();
  const deaf = await deafClient(url);
  const fast = readSse(`${url}events`);
  await sleep(200);
  t.is(live.hub.clientCount, 2);
  const pad = 'x'.repeat(5000);
  const epochs = 2000;
  const times: number[] = [];
  const began = performance.now();
  for (let e = 1; e <= epochs; e++) {
    for (let s = 1; s <= 10; s++) {
      const t0 = performance.now();
      live.publish(step(e, s));
      times.push(performance.now() - t0);
    }
    const t0 = performance.now();
    live.publish(epoch(e, pad)); // 10 MB of kept events in all
    times.push(performance.now() - t0);
  }
  const seconds = (performance.now() - began) / 1000;
  const p99 = times.sort((a, b) => a - b)[Math.floor(times.length * 0.99)]!;
  t.log(`22,000 publishes in ${seconds.toFixed(2)} s; 99% under ${p99.toFixed(3)} ms, slowest ${times.at(-1)!.toFixed(1)} ms (a GC pause)`);
  t.true(seconds < 3, `publishing took ${seconds} s`);
  t.true(p99 < 2, `99% of publishes under ${p99} ms`);
  const stats = live.hub.stats();
  const behind = stats.find((s) => s.behind > 0 && s.waiting)!;
  t.truthy(behind, 'a client is behind, waiting for its buffer to drain');
  t.true(stats.every((s) => s.buffered < 256 * 1024), `buffers bounded: ${stats.map((s) => s.buffered).join(', ')} bytes (10 MB published)`);

  await fast.until((e) => e.type === 'epoch' && e['epoch'] === epochs, 20_000);
  t.deepEqual(fast.events.filter((e) => e.type === 'epoch').map((e) => e['epoch']), [...Array(epochs).keys()].map((i) => i + 1), 'the reading tab got every epoch, in order');

  // The deaf tab starts reading: it catches up on every epoch; its steps were coalesced.
  let text = '';
  deaf.setEncoding('utf8');
  deaf.on('data', (chunk: string) => (text += chunk));
  deaf.resume();
  const caughtUp = async (): Promise<void> => {
    for (let i = 0; i < 400 && !text.includes(`"epoch":${epochs},"epochs"`); i++) await sleep(50);
  };
  await caughtUp();
  const slowEpochs = [...text.matchAll(/"type":"epoch","epoch":(\d+)/g)].map((m) => Number(m[1]));
  t.deepEqual(slowEpochs, [...Array(epochs).keys()].map((i) => i + 1), 'the slow tab got every epoch once it read');
  const slowSteps = [...text.matchAll(/"type":"step"/g)].length;
  t.true(slowSteps < epochs * 10, `its steps were coalesced: ${slowSteps} of ${epochs * 10}`);
  t.true(live.hub.stats().some((s) => s.coalesced > 0));
  deaf.destroy();
  await live.close();
});

test('tabs that disconnect are forgotten; the run and the other tabs go on; a new tab gets the history', async (t) => {
  const { live, url } = await started();
  const stays = readSse(`${url}events`);
  const leaves = readSse(`${url}events`);
  const raw = await deafClient(url);
  live.publish(epoch(1));
  await leaves.until((e) => e.type === 'epoch');
  leaves.request.destroy();
  raw.destroy();
  for (let i = 0; i < 50 && live.hub.clientCount > 1; i++) await sleep(20);
  t.is(live.hub.clientCount, 1);
  t.notThrows(() => {
    for (let s = 1; s <= 100; s++) live.publish(step(2, s));
    live.publish(epoch(2));
  });
  await stays.until((e) => e.type === 'epoch' && e['epoch'] === 2);
  const late = readSse(`${url}events`);
  await late.until((e) => e.type === 'epoch' && e['epoch'] === 2);
  t.deepEqual(late.events.filter((e) => e.type === 'epoch').map((e) => e['epoch']), [1, 2]);
  await live.close();
});

test('the run folder\'s PNGs are announced when written and served under /files/ only; the page is at /', async (t) => {
  const { live, url, out } = await started();
  const tab = readSse(`${url}events`);
  await sleep(100);
  const png = new Canvas(8, 6).toPNG();
  writeFileSync(join(out, 'filters.png'), png);
  writeFileSync(join(out, 'secret.txt'), 'no');
  await tab.until((e) => e.type === 'file');
  const file = tab.events.find((e) => e.type === 'file')!;
  t.is(file['name'], 'filters.png');
  t.false(file['earlier']);
  const got = await fetch(new URL(String(file['url']), url));
  t.is(got.headers.get('content-type'), 'image/png');
  t.deepEqual(Buffer.from(await got.arrayBuffer()), png);
  for (const bad of ['files/secret.txt', 'files/..%2Fsecret.png', 'files/%2e%2e%2fetc%2fpasswd', '../package.json', 'files/missing.png']) t.is((await fetch(`${url}${bad}`)).status, 404, bad);
  const page = await fetch(url);
  t.regex(page.headers.get('content-type')!, /^text\/html/);
  t.regex(await page.text(), /dist\/dashboard\.js/);
  t.regex((await fetch(`${url}dist/dashboard.js`)).headers.get('content-type')!, /^text\/javascript/);
  await live.close();
  await t.throwsAsync(fetch(url), undefined, 'closed');
});

test('cli: --live PORT and --live-linger are common flags', (t) => {
  const spec = { name: 'demo', summary: 'a demo' };
  t.is(parseCli([], spec).live, undefined);
  t.is(parseCli(['--live', '0'], spec).live, 0);
  t.like(parseCli(['--live', '8080', '--live-linger'], spec), { live: 8080, 'live-linger': true });
  t.throws(() => parseCli(['--live', '70000'], spec), { instanceOf: CliExit, message: /--live: expected at most 65535/ });
  t.regex(helpText(spec), /--live PORT/);
});

/** Runs a Node program that serves a live run, publishes for a moment, then has nothing left to do. */
function liveProgram(out: string, linger: boolean) {
  const live = fileURLToPath(new URL('../lib/live.ts', import.meta.url));
  const code = `import { startLive, publishLive } from ${JSON.stringify(live)};
const run = startLive({ live: 0, 'live-linger': ${linger}, out: ${JSON.stringify(out)} });
console.log('URL ' + (await run.url));
setTimeout(() => publishLive({ type: 'done', epochs: 1, seconds: 1 }), 1500);`;
  const child = spawn(process.execPath, ['--import=tsx', '--conditions=eole-src', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /URL (\S+)/.exec(text);
      if (m) resolve(m[1]!);
    });
    child.on('exit', () => reject(new Error(`exited before listening: ${text}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, url, exited };
}

test('the server does not keep a finished run alive: open tabs get the end and the process exits; --live-linger keeps it serving', async (t) => {
  const plain = liveProgram(tmp(), false);
  const tab = readSse(`${await plain.url}events`);
  const code = await Promise.race([plain.exited, sleep(15_000).then(() => 'still running')]);
  t.is(code, 0, 'exited on its own with a tab open');
  await tab.ended;
  t.deepEqual(tab.events.map((e) => e.type).slice(-2), ['done', 'end']);

  const lingering = liveProgram(tmp(), true);
  const watcher = readSse(`${await lingering.url}events`);
  await watcher.until((e) => e.type === 'done');
  const after = await Promise.race([lingering.exited, sleep(1500).then(() => 'still running')]);
  t.is(after, 'still running');
  t.is((await fetch(await lingering.url)).status, 200, 'the page is still served');
  watcher.request.destroy();
  lingering.child.kill();
  await lingering.exited;
});
