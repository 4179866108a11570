import { elasticExchange } from './elasticExchange.js';
import { addInto, CENTER_PROTOCOL_VERSION, checkAlpha, checkCenterArray, checkReport, checkRound, sumInOrder, type CenterStore, type WorkerReport } from './CenterStore.js';

// Int32 control words at the start of the buffer.
const LOCK = 0;
const HAS_CENTER = 1;
const SEQ = 2;
const MAX_WORKERS = 3;
const SIZE = 4;
const VERSION = 5;
const CONTROL = 8;
const REPORT_FIELDS = 8;

/** `Atomics.waitAsync` (Node ≥ 16, ES2024; the project's lib is ES2022). */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, index: number, value: number, timeoutMs: number): { async: boolean; value: Promise<string> | string } }).waitAsync;

/** What a thread needs to open a {@link SharedCenter}: structured-cloneable, so it fits `workerData`. */
export interface SharedCenterHandle {
  buffer: SharedArrayBuffer;
  runId: string;
}

/**
 * A {@link CenterStore} in a `SharedArrayBuffer`, for workers on threads of one process
 * (`worker_threads`, or Web Workers): the centre, the all-reduce slots and the progress reports sit
 * in shared memory, and a spin lock on an `Atomics` word makes each exchange atomic; all-reduce
 * waits with `Atomics.waitAsync`, so even handles on one event loop can meet. Nothing is copied
 * through messages: an exchange costs one pass over the parameters.
 *
 * Layout (bytes): 8 int32 control words (lock, has-centre, notify sequence, max workers, size,
 * version), 2·maxWorkers int32 round stamps, maxWorkers·8 float64 report fields, the centre (size
 * float32), 2·maxWorkers·size float32 all-reduce slots (even and odd rounds).
 *
 * @example
 * const center = SharedCenter.create(parameterCount, 4, 'run-1');
 * new Worker(url, { workerData: center.handle() });           // there: SharedCenter.open(workerData)
 */
export class SharedCenter implements CenterStore {
  readonly size: number;
  readonly runId: string;
  readonly maxWorkers: number;
  private readonly control: Int32Array;
  private readonly stamps: Int32Array;
  private readonly reportFields: Float64Array;
  private readonly center: Float32Array;
  private readonly slots: Float32Array;

  private constructor(readonly buffer: SharedArrayBuffer, runId: string) {
    const control = new Int32Array(buffer, 0, CONTROL);
    if (control[VERSION] !== CENTER_PROTOCOL_VERSION) throw new Error(`SharedCenter.open: the buffer holds protocol version ${control[VERSION]}, this code speaks ${CENTER_PROTOCOL_VERSION}`);
    this.control = control;
    this.size = control[SIZE]!;
    this.maxWorkers = control[MAX_WORKERS]!;
    this.runId = runId;
    const p = this.maxWorkers;
    let at = CONTROL * 4;
    this.stamps = new Int32Array(buffer, at, 2 * p);
    at += 2 * p * 4;
    at = Math.ceil(at / 8) * 8;
    this.reportFields = new Float64Array(buffer, at, p * REPORT_FIELDS);
    at += p * REPORT_FIELDS * 8;
    this.center = new Float32Array(buffer, at, this.size);
    at += this.size * 4;
    this.slots = new Float32Array(buffer, at, 2 * p * this.size);
  }

  /** A new, empty store for `size` values and up to `maxWorkers` ranks. */
  static create(size: number, maxWorkers: number, runId = 'shared'): SharedCenter {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`SharedCenter.create: size must be an integer >= 1 (the parameter count), got ${String(size)}`);
    if (!Number.isInteger(maxWorkers) || maxWorkers < 1) throw new RangeError(`SharedCenter.create: maxWorkers must be an integer >= 1, got ${String(maxWorkers)}`);
    const reportsAt = Math.ceil((CONTROL + 2 * maxWorkers) * 4 / 8) * 8;
    const bytes = reportsAt + maxWorkers * REPORT_FIELDS * 8 + (1 + 2 * maxWorkers) * size * 4;
    const buffer = new SharedArrayBuffer(bytes);
    const control = new Int32Array(buffer, 0, CONTROL);
    control[MAX_WORKERS] = maxWorkers;
    control[SIZE] = size;
    control[VERSION] = CENTER_PROTOCOL_VERSION;
    return new SharedCenter(buffer, runId);
  }

  /** Opens a store another thread created, from its {@link SharedCenter.handle}. */
  static open(handle: SharedCenterHandle, expected?: { runId?: string; size?: number }): SharedCenter {
    if (typeof SharedArrayBuffer === 'undefined' || !(handle?.buffer instanceof SharedArrayBuffer)) throw new TypeError('SharedCenter.open: handle.buffer must be a SharedArrayBuffer');
    const center = new SharedCenter(handle.buffer, handle.runId);
    if (expected?.runId !== undefined && expected.runId !== handle.runId) throw new Error(`SharedCenter.open: the buffer belongs to run "${handle.runId}", expected "${expected.runId}"`);
    if (expected?.size !== undefined && expected.size !== center.size) throw new RangeError(`SharedCenter.open: the buffer holds a centre of ${center.size} values, this model has ${expected.size}`);
    return center;
  }

  /** The structured-cloneable handle another thread opens. */
  handle(): SharedCenterHandle {
    return { buffer: this.buffer, runId: this.runId };
  }

  async join(x: Float32Array): Promise<boolean> {
    checkCenterArray('SharedCenter.join', 'x', x, this.size);
    return this.locked(() => {
      if (this.control[HAS_CENTER] === 1) {
        x.set(this.center);
        return false;
      }
      this.center.set(x);
      Atomics.store(this.control, HAS_CENTER, 1);
      return true;
    });
  }

  async read(out: Float32Array): Promise<void> {
    checkCenterArray('SharedCenter.read', 'out', out, this.size);
    this.locked(() => out.set(this.stored('SharedCenter.read')));
  }

  async write(values: Float32Array): Promise<void> {
    checkCenterArray('SharedCenter.write', 'values', values, this.size);
    this.locked(() => {
      this.center.set(values);
      Atomics.store(this.control, HAS_CENTER, 1);
    });
  }

  async elastic(x: Float32Array, alpha: number): Promise<void> {
    checkCenterArray('SharedCenter.elastic', 'x', x, this.size);
    checkAlpha('SharedCenter.elastic', alpha);
    this.locked(() => elasticExchange(x, this.stored('SharedCenter.elastic'), alpha));
  }

  async push(delta: Float32Array, out: Float32Array): Promise<void> {
    checkCenterArray('SharedCenter.push', 'delta', delta, this.size);
    checkCenterArray('SharedCenter.push', 'out', out, this.size);
    this.locked(() => {
      const c = this.stored('SharedCenter.push');
      addInto(c, delta);
      out.set(c);
    });
  }

  async allReduceSum(values: Float32Array, round: number, rank: number, workers: number, timeoutMs = 60_000): Promise<void> {
    const where = 'SharedCenter.allReduceSum';
    checkCenterArray(where, 'values', values, this.size);
    checkRound(where, round, rank, workers);
    if (workers > this.maxWorkers) throw new RangeError(`${where}: workers is ${workers}, this store was made for at most ${this.maxWorkers}`);
    const parity = round % 2;
    const stamp = round + 1;
    this.slot(parity, rank).set(values);
    Atomics.store(this.stamps, parity * this.maxWorkers + rank, stamp);
    Atomics.add(this.control, SEQ, 1);
    Atomics.notify(this.control, SEQ);
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const seen = Atomics.load(this.control, SEQ);
      const missing = this.missing(parity, stamp, workers);
      if (missing.length === 0) break;
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`${where}: round ${round} timed out after ${timeoutMs} ms waiting for rank(s) ${missing.join(', ')}`);
      const waited = waitAsync(this.control, SEQ, seen, Math.min(left, 1000));
      // A pending waitAsync does not keep Node's event loop alive; a timer beside it does.
      if (waited.async) await keepAlive(waited.value as Promise<string>, Math.min(left, 1000));
    }
    sumInOrder(Array.from({ length: workers }, (_, k) => this.slot(parity, k)), values);
  }

  async report(report: WorkerReport): Promise<void> {
    checkReport('SharedCenter.report', report);
    const { rank } = report;
    if (!Number.isInteger(rank) || rank < 0 || rank >= this.maxWorkers) throw new RangeError(`SharedCenter.report: rank must be an integer in [0, ${this.maxWorkers - 1}], got ${rank}`);
    this.locked(() => this.reportFields.set([1, report.epoch, report.step, report.samples, report.loss, report.done ? 1 : 0, report.time, 0], rank * REPORT_FIELDS));
  }

  async reports(): Promise<WorkerReport[]> {
    return this.locked(() => {
      const out: WorkerReport[] = [];
      for (let rank = 0; rank < this.maxWorkers; rank++) {
        const f = this.reportFields.subarray(rank * REPORT_FIELDS, (rank + 1) * REPORT_FIELDS);
        if (f[0] !== 1) continue;
        out.push({ rank, epoch: f[1]!, step: f[2]!, samples: f[3]!, loss: f[4]!, done: f[5] === 1, time: f[6]! });
      }
      return out;
    });
  }

  async close(): Promise<void> {}

  private slot(parity: number, rank: number): Float32Array {
    const at = (parity * this.maxWorkers + rank) * this.size;
    return this.slots.subarray(at, at + this.size);
  }

  private missing(parity: number, stamp: number, workers: number): number[] {
    const out: number[] = [];
    for (let k = 0; k < workers; k++) if (Atomics.load(this.stamps, parity * this.maxWorkers + k) !== stamp) out.push(k);
    return out;
  }

  private stored(where: string): Float32Array {
    if (Atomics.load(this.control, HAS_CENTER) !== 1) throw new Error(`${where}: no centre yet; a worker must join first (or the coordinator write one)`);
    return this.center;
  }

  /** Runs `body` holding the lock (spinning briefly, then sleeping on the lock word). */
  private locked<T>(body: () => T): T {
    for (let spins = 0; Atomics.compareExchange(this.control, LOCK, 0, 1) !== 0; spins++) {
      if (spins > 100) Atomics.wait(this.control, LOCK, 1, 1);
    }
    try {
      return body();
    } finally {
      Atomics.store(this.control, LOCK, 0);
      Atomics.notify(this.control, LOCK, 1);
    }
  }
}

function keepAlive<T>(pending: Promise<T>, ms: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([pending, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() => clearTimeout(timer));
}
