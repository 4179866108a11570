import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CenterStore } from '../index.js';
import { serveCenter } from './ProcessCenter.js';
import { WORKER_ENV, type WorkerAssignment } from './WorkerAssignment.js';
import type { WorkerExit, WorkerGroup } from './WorkerGroup.js';

/** Options of {@link startWorkers}. */
export interface StartWorkersOptions {
  /** `threads` (worker_threads, the default) or `processes` (child_process.fork). */
  transport: 'threads' | 'processes';
  workers: number;
  /** The program every worker runs: an example's main file (`.ts` under tsx, or built `.js`). */
  script: string;
  /** Its arguments (the coordinator's own, usually). */
  argv: readonly string[];
  /** Rank k's assignment (it reaches the worker as {@link workerAssignment}). */
  assignment(rank: number): WorkerAssignment;
  /** The store child processes reach over IPC (required with `processes` and an `ipc` address). */
  store?: CenterStore;
  /** Called when a worker ends (after the group has recorded it). */
  onExit?(rank: number, exit: WorkerExit): void;
}

/**
 * The body of a worker thread (run with `eval: true`, so no file of its own): registers tsx's
 * loader when the script is TypeScript (a `.ts` worker cannot start under tsx on Node 20 any other
 * way), sets `process.argv` as a command line would, and imports the script, whose
 * `import.meta.url === argv[1]` test then runs its main.
 */
const THREAD_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  process.argv = [process.argv[0], workerData.script, ...workerData.argv];
  await import(workerData.scriptUrl);
})().catch((error) => { process.exitCode = 1; throw error; });
`;

/**
 * Starts the workers of a data-parallel job on this machine, one per rank: threads that share the
 * centre's memory, or child processes that reach the coordinator's store over IPC (or Redis, per
 * their assignment). Each runs `script` with `argv`, and finds its rank, the job and the store
 * through {@link workerAssignment}. Threads use one kernel thread each unless argv says otherwise.
 *
 * @example
 * const store = SharedCenter.create(size, 2, runId);
 * const group = startWorkers({ transport: 'threads', workers: 2, script: fileURLToPath(import.meta.url), argv, assignment: (rank) => ({ ...job, rank, store: { kind: 'shared', handle: store.handle() } }) });
 */
export function startWorkers(o: StartWorkersOptions): WorkerGroup {
  if (!Number.isInteger(o.workers) || o.workers < 1) throw new RangeError(`startWorkers: workers must be an integer >= 1, got ${String(o.workers)}`);
  if (o.transport !== 'threads' && o.transport !== 'processes') throw new RangeError(`startWorkers: transport must be 'threads' or 'processes', got ${String(o.transport)}`);
  const exits = new Map<number, WorkerExit>();
  const current = new Map<number, { kill(signal?: NodeJS.Signals): void; ended: Promise<void> }>();
  const spawn = (rank: number): void => {
    exits.delete(rank);
    const ended = (exit: WorkerExit): void => {
      if (current.get(rank)?.ended !== handle.ended) return;
      exits.set(rank, exit);
      o.onExit?.(rank, exit);
    };
    let finish: () => void = () => undefined;
    const handle = { kill: (_signal?: NodeJS.Signals): void => undefined, ended: new Promise<void>((resolve) => (finish = resolve)) };
    const assignment = o.assignment(rank);
    if (o.transport === 'threads') {
      const worker = startThread(o.script, o.argv, assignment);
      let error: string | undefined;
      worker.on('error', (e) => (error = (e as Error).message));
      worker.on('exit', (code) => {
        ended({ code, signal: null, ...(error ? { error } : {}) });
        finish();
      });
      handle.kill = () => void worker.terminate();
    } else {
      const child = startProcess(o.script, o.argv, assignment);
      const stop = assignment.store.kind === 'ipc' ? serveCenter(requireStore(o.store), child) : () => undefined;
      child.on('exit', (code, signal) => {
        stop();
        ended({ code, signal });
        finish();
      });
      handle.kill = (signal = 'SIGKILL') => void child.kill(signal);
    }
    current.set(rank, handle);
  };
  for (let rank = 0; rank < o.workers; rank++) spawn(rank);
  return {
    workers: o.workers,
    kind: o.transport,
    exited: () => exits,
    kill: (rank, signal) => current.get(rank)?.kill(signal),
    replace: (rank) => {
      if (!exits.has(rank)) throw new Error(`startWorkers: rank ${rank}'s worker is still running; it can be replaced once it has ended`);
      spawn(rank);
    },
    settled: async () => {
      await Promise.all([...current.values()].map((h) => h.ended));
    },
    stop: async () => {
      for (const h of current.values()) h.kill('SIGTERM');
      await Promise.all([...current.values()].map((h) => h.ended));
    },
  };
}

function requireStore(store: CenterStore | undefined): CenterStore {
  if (!store) throw new Error('startWorkers: processes with an ipc store address need options.store to serve');
  return store;
}

function startThread(script: string, argv: readonly string[], assignment: WorkerAssignment): Worker {
  const typescript = /\.[cm]?ts$/.test(script);
  const tsx = typescript ? tsxApi(script) : null;
  return new Worker(THREAD_BOOTSTRAP, {
    eval: true,
    execArgv: conditionFlags(process.execArgv),
    workerData: { script, scriptUrl: pathToFileURL(script).href, argv: [...argv], tsx, eoleWorker: assignment },
  });
}

function startProcess(script: string, argv: readonly string[], assignment: WorkerAssignment): ChildProcess {
  return fork(script, [...argv], {
    execArgv: process.execArgv,
    env: { ...process.env, [WORKER_ENV]: JSON.stringify(assignment) },
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** The file URL of tsx's ESM `register` API as seen from `script` (require resolves its CommonJS twin). */
function tsxApi(script: string): string {
  const cjs = createRequire(script).resolve('tsx/esm/api');
  const esm = cjs.replace(/\.cjs$/, '.mjs');
  return pathToFileURL(existsSync(esm) ? esm : cjs).href;
}

/** The `--conditions` flags of `execArgv` (the only ones a worker thread needs and accepts). */
function conditionFlags(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    if (a.startsWith('--conditions=') || a.startsWith('-C=')) out.push(a);
    else if ((a === '--conditions' || a === '-C') && i + 1 < execArgv.length) out.push(a, execArgv[++i]!);
  }
  return out;
}
