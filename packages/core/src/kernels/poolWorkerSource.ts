/**
 * The body of every {@link KernelPool} worker, run with `new Worker(source, { eval: true })` so it
 * needs no file of its own (the same text works from `src` under tsx and from a published `dist`).
 * It imports nothing but `worker_threads`: a worker never compiles a kernel. It receives each
 * compiled WebAssembly module and its shared memory once, by message, and runs spans of output
 * cells of the very module the main thread runs, so every cell is computed by the same code.
 *
 * Control block (Int32Array over a SharedArrayBuffer, one per worker), indices:
 * 0 seq (main bumps it to post a job), 1 done (the worker stores the seq it finished), 2 entry id,
 * 3 start, 4 end, 5 seed, 6 sizeX, 7 status (0 ok, 1 failed), 8 alive (1 running, 0 ended),
 * 9 message length, 10 command (0 run, 1 exit, 2 fail on purpose: a fault-injection hook for tests),
 * 11 spin iterations before sleeping.
 * Messages (a MessagePort read with `receiveMessageOnPort`, never the event loop, which is blocked
 * in `Atomics.wait` while idle): `{ type: 'entry', id, module, memory, mathImports }`,
 * `{ type: 'release', id }`.
 */
export const POOL_WORKER_SOURCE = `
'use strict';
const { workerData, receiveMessageOnPort } = typeof require === 'function' ? require('node:worker_threads') : process.getBuiltinModule('node:worker_threads');
const ctrl = new Int32Array(workerData.control);
const text = new Uint8Array(workerData.text);
const port = workerData.port;
const entries = new Map();

function drain() {
  for (;;) {
    const got = receiveMessageOnPort(port);
    if (!got) return;
    const m = got.message;
    if (m.type === 'entry') {
      const imports = { env: { memory: m.memory } };
      for (const name of m.mathImports) imports.env['math_' + name] = Math[name];
      const instance = new WebAssembly.Instance(m.module, imports);
      entries.set(m.id, { run: instance.exports.run, runSimd: instance.exports.run_simd || null });
    } else if (m.type === 'release') {
      entries.delete(m.id);
    }
  }
}

function entryFor(id) {
  let entry = entries.get(id);
  for (let tries = 0; !entry; tries++) {
    drain();
    entry = entries.get(id);
    if (!entry && tries > 2000000) throw new Error('module ' + id + ' never arrived');
  }
  return entry;
}

function runSpan(entry, start, end, seed, sizeX) {
  if (!entry.runSimd) { entry.run(start, end, seed); return; }
  if ((sizeX & 3) === 0) {
    const quadEnd = end - ((end - start) & 3);
    if (quadEnd > start) entry.runSimd(start, quadEnd, seed);
    if (quadEnd < end) entry.run(quadEnd, end, seed);
    return;
  }
  const quadSpan = sizeX & ~3;
  for (let base = start; base < end; base += sizeX) {
    if (quadSpan > 0) entry.runSimd(base, base + quadSpan, seed);
    entry.run(base + quadSpan, base + sizeX, seed);
  }
}

function fail(error) {
  const message = new TextEncoder().encode(String(error && error.stack || error));
  const n = Math.min(message.length, text.length);
  text.set(message.subarray(0, n));
  Atomics.store(ctrl, 9, n);
  Atomics.store(ctrl, 7, 1);
}

let last = Atomics.load(ctrl, 0);
Atomics.store(ctrl, 8, 1);
try {
  for (;;) {
    let seq = Atomics.load(ctrl, 0);
    for (let spins = 0; seq === last; spins++) {
      if (spins >= ctrl[11]) { Atomics.wait(ctrl, 0, last); spins = 0; }
      seq = Atomics.load(ctrl, 0);
    }
    last = seq;
    const command = ctrl[10];
    if (command === 1) break;
    if (command === 2) throw new Error('worker stopped on purpose (fault injection)');
    try {
      drain();
      runSpan(entryFor(ctrl[2]), ctrl[3], ctrl[4], ctrl[5], ctrl[6]);
      Atomics.store(ctrl, 7, 0);
    } catch (error) {
      fail(error);
    }
    Atomics.store(ctrl, 1, seq);
    Atomics.notify(ctrl, 1);
  }
} catch (error) {
  fail(error);
} finally {
  Atomics.store(ctrl, 8, 0);
  Atomics.store(ctrl, 1, Atomics.load(ctrl, 0));
  Atomics.notify(ctrl, 1);
}
`;
