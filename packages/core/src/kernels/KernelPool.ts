import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { POOL_WORKER_SOURCE } from './poolWorkerSource.js';

/** A compiled gpu.js webasm module over shared memory: what a worker needs to run spans of it. */
export interface SharedEntry {
  /** gpu.js's id of the module cache entry (unique in the process). */
  readonly id: number;
  /** A compiled `WebAssembly.Module` (structured-cloneable to a worker). */
  readonly module: object;
  /** Its shared `WebAssembly.Memory`. */
  readonly memory: object;
  readonly mathImports: readonly string[];
  /** `run(start, end, seed)`: the scalar driver over flat output cells. */
  readonly run: (start: number, end: number, seed: number) => void;
  /** `run_simd(start, end, seed)`: four cells of one row per step; null when gpu.js made none. */
  readonly runSimd: ((start: number, end: number, seed: number) => void) | null;
}

/** Control-block slots shared with the worker (see poolWorkerSource.ts). */
const SEQ = 0;
const DONE = 1;
const ENTRY = 2;
const START = 3;
const END = 4;
const SEED = 5;
const SIZE_X = 6;
const STATUS = 7;
const ALIVE = 8;
const TEXT_LENGTH = 9;
const COMMAND = 10;
const SPIN = 11;
const SLOTS = 16;

const RUN = 0;
const EXIT = 1;
const FAIL = 2;

/** One worker thread and its side of the shared control block. */
class PoolWorker {
  readonly control = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  readonly text = new Uint8Array(new SharedArrayBuffer(4096));
  readonly worker: Worker;
  readonly port: MessagePort;
  /** Entry ids this worker has been sent. */
  readonly known = new Set<number>();
  seq = 0;
  /** Fault injection: the next job ends this worker with an error instead of running. */
  failNext = false;

  constructor(spin: number) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.control[SPIN] = spin;
    this.worker = new Worker(POOL_WORKER_SOURCE, {
      eval: true,
      // The worker imports nothing: no loader (tsx), no module-type flag of the parent applies.
      execArgv: [],
      workerData: { control: this.control.buffer, text: this.text.buffer, port: port2 },
      transferList: [port2],
      stdout: false,
      stderr: false,
    });
    // A worker that ends reports through the control block; the event is only kept from throwing.
    this.worker.on('error', () => undefined);
    this.worker.unref();
    port1.unref();
  }

  get alive(): boolean {
    return Atomics.load(this.control, ALIVE) === 1;
  }

  post(entry: SharedEntry, start: number, end: number, seed: number, sizeX: number): void {
    if (!this.known.has(entry.id)) {
      this.port.postMessage({ type: 'entry', id: entry.id, module: entry.module, memory: entry.memory, mathImports: [...entry.mathImports] });
      this.known.add(entry.id);
    }
    const c = this.control;
    c[ENTRY] = entry.id;
    c[START] = start;
    c[END] = end;
    c[SEED] = seed;
    c[SIZE_X] = sizeX;
    c[COMMAND] = this.failNext ? FAIL : RUN;
    this.failNext = false;
    this.seq = (this.seq + 1) | 0;
    Atomics.store(c, SEQ, this.seq);
    Atomics.notify(c, SEQ);
  }

  /** Waits for the posted job; returns null when it succeeded, else what went wrong. */
  wait(): string | null {
    const c = this.control;
    for (let spins = 0; Atomics.load(c, DONE) !== this.seq; spins++) {
      if (spins > 1000) Atomics.wait(c, DONE, Atomics.load(c, DONE), 50);
    }
    if (Atomics.load(c, STATUS) !== 0 || !this.alive) {
      const n = Atomics.load(c, TEXT_LENGTH);
      const message = n > 0 ? new TextDecoder().decode(this.text.slice(0, n)).split('\n')[0]! : 'it ended';
      Atomics.store(c, STATUS, 0);
      Atomics.store(c, TEXT_LENGTH, 0);
      return this.alive ? message : `the worker died (${message})`;
    }
    return null;
  }

  release(id: number): void {
    if (this.known.delete(id)) this.port.postMessage({ type: 'release', id });
  }

  stop(): void {
    const c = this.control;
    c[COMMAND] = EXIT;
    Atomics.store(c, SEQ, (this.seq + 1) | 0);
    Atomics.notify(c, SEQ);
    void this.worker.terminate();
    this.port.close();
  }
}

/**
 * A persistent pool of `worker_threads` that run spans of one gpu.js webasm launch beside the main
 * thread, behind a synchronous call: the main thread posts each worker its span through a shared
 * control block (`Atomics.notify`), runs the first span itself, and waits with `Atomics.wait`.
 * Workers never compile: each receives the launch's compiled `WebAssembly.Module` and shared
 * `WebAssembly.Memory` once and runs `run_simd` / `run` over its cells, so a result is the same
 * bits for any thread count (a split only divides output cells, quads stay inside one row).
 * Workers spin briefly after a job before sleeping (a wake-up from sleep costs ~70–90 µs in a VM,
 * a spinning worker answers in ~1 µs), never keep the process alive, and are replaced when one dies.
 */
export class KernelPool {
  private readonly workers: PoolWorker[] = [];

  /**
   * @param spin polling iterations a worker spins after a job before it sleeps (default 40,000, about
   *   200 µs; `EOLE_POOL_SPIN` overrides it). On the 2-core VM this was measured, 0, 2,000 and 40,000
   *   made no difference beyond the noise to a LeNet-5 step; a short spin keeps back-to-back launches
   *   from paying a wake-up.
   */
  constructor(private readonly spin = Number(process.env["EOLE_POOL_SPIN"] ?? 40_000)) {}

  /** Workers alive now (they start in the background; a launch uses those that are ready). */
  get size(): number {
    return this.workers.filter((w) => w.alive).length;
  }

  /** Workers started (alive or starting). */
  get workerCount(): number {
    return this.workers.length;
  }

  /** Starts or stops workers so that `n` exist (the main thread is not counted). */
  resize(n: number): void {
    while (this.workers.length > n) this.workers.pop()!.stop();
    while (this.workers.length < n) this.workers.push(new PoolWorker(this.spin));
  }

  /** Ends every worker. */
  close(): void {
    this.resize(0);
  }

  /** Tells workers to drop a module gpu.js evicted. */
  release(id: number): void {
    for (const w of this.workers) w.release(id);
  }

  /**
   * Runs the `cells` output cells of `entry` over the main thread and up to `threads − 1` ready
   * workers. Throws after every span has ended when any failed, naming `kernel`.
   */
  run(kernel: string, entry: SharedEntry, cells: number, sizeX: number, seed: number, threads: number): void {
    const ready = this.workers.filter((w) => w.alive).slice(0, Math.max(0, threads - 1));
    const spans = splitCells(cells, sizeX, entry.runSimd !== null, ready.length + 1);
    const used = ready.slice(0, spans.length - 1);
    used.forEach((w, i) => w.post(entry, spans[i + 1]![0], spans[i + 1]![1], seed, sizeX));
    let mainError: unknown = null;
    try {
      runSpan(entry, spans[0]![0], spans[0]![1], seed, sizeX);
    } catch (error) {
      mainError = error;
    }
    const failures: string[] = [];
    used.forEach((w, i) => {
      const why = w.wait();
      if (why !== null) failures.push(`worker ${i + 1}: ${why}`);
    });
    this.replaceDead();
    if (mainError !== null) throw mainError;
    if (failures.length > 0) throw new Error(`kernel '${kernel}' failed on the thread pool: ${failures.join('; ')}`);
  }

  /**
   * Fault injection for tests: worker `index` dies with an error at its next job, so that launch
   * fails and the pool replaces the worker.
   */
  failNext(index: number): void {
    const w = this.workers[index];
    if (!w) throw new RangeError(`failNext: index must be below ${this.workers.length}, got ${index}`);
    w.failNext = true;
  }

  /** Waits (up to `ms`) until `n` workers are alive; true when they are. */
  waitReady(n = this.workers.length, ms = 10_000): boolean {
    const until = Date.now() + ms;
    const probe = new Int32Array(new SharedArrayBuffer(4));
    while (this.size < n && Date.now() < until) Atomics.wait(probe, 0, 0, 2);
    return this.size >= n;
  }

  private replaceDead(): void {
    for (let i = 0; i < this.workers.length; i++) {
      const w = this.workers[i]!;
      if (!w.alive && w.seq !== 0) {
        w.stop();
        this.workers[i] = new PoolWorker(this.spin);
      }
    }
  }
}

/**
 * Splits `cells` into at most `parts` contiguous spans for the pool. With SIMD, a row width that is
 * a multiple of 4 allows any 4-aligned boundary; other widths split on row boundaries (each row runs
 * its quads with SIMD and its tail scalar, as one thread would). Without SIMD any boundary works.
 */
export function splitCells(cells: number, sizeX: number, simd: boolean, parts: number): [number, number][] {
  const unit = !simd ? 1 : sizeX % 4 === 0 ? 4 : sizeX;
  const units = Math.ceil(cells / unit);
  const n = Math.max(1, Math.min(parts, units));
  const spans: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const start = Math.min(cells, Math.round((units * i) / n) * unit);
    const end = i === n - 1 ? cells : Math.min(cells, Math.round((units * (i + 1)) / n) * unit);
    if (end > start) spans.push([start, end]);
  }
  return spans;
}

/** Runs cells [start, end) of `entry` on this thread exactly as a pool worker does. */
export function runSpan(entry: SharedEntry, start: number, end: number, seed: number, sizeX: number): void {
  const simd = entry.runSimd;
  if (!simd) {
    entry.run(start, end, seed);
    return;
  }
  if ((sizeX & 3) === 0) {
    const quadEnd = end - ((end - start) & 3);
    if (quadEnd > start) simd(start, quadEnd, seed);
    if (quadEnd < end) entry.run(quadEnd, end, seed);
    return;
  }
  const quadSpan = sizeX & ~3;
  for (let base = start; base < end; base += sizeX) {
    if (quadSpan > 0) simd(base, base + quadSpan, seed);
    entry.run(base + quadSpan, base + sizeX, seed);
  }
}
