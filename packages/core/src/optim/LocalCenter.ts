import { elasticExchange } from './elasticExchange.js';
import { addInto, checkAlpha, checkCenterArray, checkReport, checkRound, sumInOrder, type CenterStore, type WorkerReport } from './CenterStore.js';

interface Round {
  parts: (Float32Array | undefined)[];
  arrived: number;
  waiters: (() => void)[];
}

/**
 * A {@link CenterStore} in one process's memory: the reference the other stores are tested
 * against, the store of workers that share one event loop (tests), and what a coordinator serves
 * to child processes. Atomic because JavaScript runs one call at a time.
 *
 * @example
 * const center = new LocalCenter(model.parameters().reduce((s, p) => s + p.size, 0));
 * const worker = new EASGD(model.parameters(), center, { rank: 0, workers: 1 });
 */
export class LocalCenter implements CenterStore {
  readonly size: number;
  readonly runId: string;
  private center: Float32Array | null = null;
  private readonly rounds = new Map<number, Round>();
  private readonly latest = new Map<number, WorkerReport>();

  constructor(size: number, runId = 'local') {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`LocalCenter: size must be an integer >= 1 (the parameter count), got ${String(size)}`);
    this.size = size;
    this.runId = runId;
  }

  async join(x: Float32Array): Promise<boolean> {
    checkCenterArray('LocalCenter.join', 'x', x, this.size);
    const created = this.center === null;
    if (created) this.center = x.slice();
    else x.set(this.center!);
    return created;
  }

  async read(out: Float32Array): Promise<void> {
    checkCenterArray('LocalCenter.read', 'out', out, this.size);
    out.set(this.stored('LocalCenter.read'));
  }

  async write(values: Float32Array): Promise<void> {
    checkCenterArray('LocalCenter.write', 'values', values, this.size);
    this.center = values.slice();
  }

  async elastic(x: Float32Array, alpha: number): Promise<void> {
    checkCenterArray('LocalCenter.elastic', 'x', x, this.size);
    checkAlpha('LocalCenter.elastic', alpha);
    elasticExchange(x, this.stored('LocalCenter.elastic'), alpha);
  }

  async push(delta: Float32Array, out: Float32Array): Promise<void> {
    checkCenterArray('LocalCenter.push', 'delta', delta, this.size);
    checkCenterArray('LocalCenter.push', 'out', out, this.size);
    const c = this.stored('LocalCenter.push');
    addInto(c, delta);
    out.set(c);
  }

  async allReduceSum(values: Float32Array, round: number, rank: number, workers: number, timeoutMs = 60_000): Promise<void> {
    const where = 'LocalCenter.allReduceSum';
    checkCenterArray(where, 'values', values, this.size);
    checkRound(where, round, rank, workers);
    let r = this.rounds.get(round);
    if (!r) {
      r = { parts: new Array<Float32Array | undefined>(workers).fill(undefined), arrived: 0, waiters: [] };
      this.rounds.set(round, r);
    }
    if (r.parts.length !== workers) throw new RangeError(`${where}: round ${round} has ${r.parts.length} workers, this call says ${workers}`);
    if (r.parts[rank]) throw new Error(`${where}: rank ${rank} already contributed to round ${round}`);
    r.parts[rank] = values.slice();
    r.arrived++;
    if (r.arrived === workers) for (const wake of r.waiters.splice(0)) wake();
    else {
      const current = r;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          const missing = current.parts.flatMap((p, i) => (p ? [] : [i]));
          reject(new Error(`${where}: round ${round} timed out after ${timeoutMs} ms waiting for rank(s) ${missing.join(', ')}`));
        }, timeoutMs);
        current.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    sumInOrder(r.parts as Float32Array[], values);
    this.rounds.delete(round - 2);
  }

  async report(report: WorkerReport): Promise<void> {
    checkReport('LocalCenter.report', report);
    this.latest.set(report.rank, { ...report });
  }

  async reports(): Promise<WorkerReport[]> {
    return [...this.latest.values()].sort((a, b) => a.rank - b.rank).map((r) => ({ ...r }));
  }

  async close(): Promise<void> {}

  private stored(where: string): Float32Array {
    if (this.center === null) throw new Error(`${where}: no centre yet; a worker must join first (or the coordinator write one)`);
    return this.center;
  }
}
