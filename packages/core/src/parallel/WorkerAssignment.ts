import { workerData } from 'node:worker_threads';
import type { SharedCenterHandle } from '../index.js';

/** Where a worker finds the centre. */
export type StoreAddress =
  | { kind: 'shared'; handle: SharedCenterHandle }
  | { kind: 'ipc' }
  | { kind: 'redis'; url: string };

/** What a worker is told when it starts: who it is, the job, and where the centre lives. */
export interface WorkerAssignment {
  runId: string;
  rank: number;
  workers: number;
  /** `easgd`, `easgd-sync`, `eamsgd`, `downpour` or `sync`. */
  algorithm: string;
  /** The communication period τ. */
  tau: number;
  /** EASGD's β (α = β/p). */
  beta: number;
  /** The parameter count the centre holds. */
  size: number;
  /** The first epoch (a resumed job starts past its checkpoint). */
  startEpoch: number;
  store: StoreAddress;
}

/** The environment variable that carries a child process's assignment (JSON). */
export const WORKER_ENV = 'EOLE_PARALLEL_WORKER';

/**
 * In a worker started by {@link startWorkers}: the assignment it was started with (a thread's
 * `workerData`, a child process's `EOLE_PARALLEL_WORKER`); null in an ordinary run.
 *
 * @example
 * const assignment = workerAssignment();
 * if (assignment) return runAsWorker(assignment);
 */
export function workerAssignment(): WorkerAssignment | null {
  const fromThread = (workerData as { eoleWorker?: WorkerAssignment } | null)?.eoleWorker;
  if (fromThread) return fromThread;
  const fromEnv = process.env[WORKER_ENV];
  if (!fromEnv) return null;
  try {
    return JSON.parse(fromEnv) as WorkerAssignment;
  } catch (error) {
    throw new Error(`${WORKER_ENV} is not valid JSON (${(error as Error).message})`);
  }
}
