import type { ChildProcess } from 'node:child_process';
import { CENTER_PROTOCOL_VERSION, type CenterStore, type WorkerReport } from '../index.js';

type Method = 'join' | 'read' | 'write' | 'elastic' | 'push' | 'allReduceSum' | 'report' | 'reports';

/** A request from a child process to the coordinator's store. */
interface Request {
  eole: 'center';
  version: number;
  runId: string;
  id: number;
  method: Method;
  args: unknown[];
}

/** The coordinator's answer: the method's result and the arrays it wrote into. */
interface Reply {
  eole: 'center-reply';
  id: number;
  ok: boolean;
  result?: unknown;
  arrays?: Float32Array[];
  error?: string;
}

const METHODS: ReadonlySet<string> = new Set(['join', 'read', 'write', 'elastic', 'push', 'allReduceSum', 'report', 'reports']);

/**
 * A {@link CenterStore} in a child process that forwards every call to the coordinator's store
 * over the IPC channel of `child_process.fork` (started with `serialization: 'advanced'`, so
 * Float32Arrays travel as binary structured clones). The coordinator answers with
 * {@link serveCenter}; its store does the atomic work. Arrays a method writes into (`x` of
 * `elastic`, `out` of `read`/`push`, `values` of `allReduceSum`) come back in the reply.
 *
 * @example
 * const center = new ProcessCenter(assignment.size, assignment.runId); // in the child
 */
export class ProcessCenter implements CenterStore {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void }>();
  private readonly onMessage = (m: unknown): void => {
    const reply = m as Reply;
    if (reply?.eole !== 'center-reply') return;
    this.pending.get(reply.id)?.resolve(reply);
    this.pending.delete(reply.id);
  };

  constructor(readonly size: number, readonly runId: string, private readonly channel: NodeJS.Process = process) {
    if (typeof channel.send !== 'function') throw new Error('ProcessCenter: this process has no IPC channel (start it with child_process.fork)');
    channel.on('message', this.onMessage);
  }

  join(x: Float32Array): Promise<boolean> {
    return this.call('join', [x], [x]) as Promise<boolean>;
  }
  async read(out: Float32Array): Promise<void> {
    await this.call('read', [out], [out]);
  }
  async write(values: Float32Array): Promise<void> {
    await this.call('write', [values], []);
  }
  async elastic(x: Float32Array, alpha: number): Promise<void> {
    await this.call('elastic', [x, alpha], [x]);
  }
  async push(delta: Float32Array, out: Float32Array): Promise<void> {
    await this.call('push', [delta, out], [out]);
  }
  async allReduceSum(values: Float32Array, round: number, rank: number, workers: number, timeoutMs?: number): Promise<void> {
    await this.call('allReduceSum', [values, round, rank, workers, timeoutMs], [values]);
  }
  async report(report: WorkerReport): Promise<void> {
    await this.call('report', [report], []);
  }
  reports(): Promise<WorkerReport[]> {
    return this.call('reports', [], []) as Promise<WorkerReport[]>;
  }
  async close(): Promise<void> {
    this.channel.off('message', this.onMessage);
  }

  private async call(method: Method, args: unknown[], written: Float32Array[]): Promise<unknown> {
    const id = this.next++;
    const reply = await new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve });
      const request: Request = { eole: 'center', version: CENTER_PROTOCOL_VERSION, runId: this.runId, id, method, args };
      this.channel.send!(request, undefined, undefined, (error: Error | null) => {
        if (error) {
          this.pending.delete(id);
          reject(new Error(`ProcessCenter.${method}: the coordinator is gone (${error.message})`));
        }
      });
    });
    if (!reply.ok) throw new Error(reply.error ?? `ProcessCenter.${method} failed`);
    reply.arrays?.forEach((a, i) => written[i]!.set(a));
    return reply.result;
  }
}

/**
 * The coordinator's side of {@link ProcessCenter}: answers `child`'s store requests from `store`.
 * A message of another protocol version, another run or an unknown method is refused with an
 * error reply naming what was wrong (and the child's call rejects with it). Returns a function
 * that stops serving.
 *
 * @example
 * const child = fork(script, argv, { serialization: 'advanced', env });
 * const stop = serveCenter(store, child);
 */
export function serveCenter(store: CenterStore, child: ChildProcess): () => void {
  const onMessage = (m: unknown): void => {
    const request = m as Request;
    if (request?.eole !== 'center') return;
    void answer(store, request).then((reply) => {
      // A child that died meanwhile (SIGKILL) cannot take its answer; that is no error of the coordinator's.
      if (child.connected) child.send(reply, (error: Error | null) => void error);
    });
  };
  child.on('message', onMessage);
  return () => child.off('message', onMessage);
}

async function answer(store: CenterStore, r: Request): Promise<Reply> {
  const id = typeof r.id === 'number' ? r.id : -1;
  const refuse = (error: string): Reply => ({ eole: 'center-reply', id, ok: false, error });
  if (r.version !== CENTER_PROTOCOL_VERSION) return refuse(`refused: the message speaks protocol version ${String(r.version)}, the coordinator ${CENTER_PROTOCOL_VERSION}`);
  if (r.runId !== store.runId) return refuse(`refused: the message is for run "${String(r.runId)}", the coordinator runs "${store.runId}"`);
  if (!METHODS.has(r.method) || !Array.isArray(r.args)) return refuse(`refused: unknown store method ${String(r.method)}`);
  try {
    const target = store as unknown as Record<Method, (...args: unknown[]) => Promise<unknown>>;
    const result = await target[r.method].apply(store, r.args);
    const arrays = r.method === 'push' ? [r.args[1] as Float32Array] : ['join', 'read', 'elastic', 'allReduceSum'].includes(r.method) ? [r.args[0] as Float32Array] : [];
    return { eole: 'center-reply', id, ok: true, result, arrays };
  } catch (error) {
    return refuse((error as Error).message);
  }
}
