/** How a worker ended. */
export interface WorkerExit {
  /** The exit code (null when a signal ended it). */
  code: number | null;
  /** The signal that ended it (`SIGKILL`), or null. */
  signal: string | null;
  /** An error it reported on the way out, if any. */
  error?: string;
}

/**
 * The workers a coordinator started (threads or child processes, {@link startWorkers}): which have
 * ended and how, and the verbs to end or replace one. Workers that join from elsewhere (other
 * machines through Redis) are in no group; the coordinator watches their reports instead.
 */
export interface WorkerGroup {
  /** The number of ranks. */
  readonly workers: number;
  /** `threads` or `processes`. */
  readonly kind: string;
  /** The ranks whose current worker has ended, and how. */
  exited(): ReadonlyMap<number, WorkerExit>;
  /** Ends rank `rank`'s worker (SIGKILL for a process, `terminate()` for a thread). */
  kill(rank: number, signal?: NodeJS.Signals): void;
  /** Starts a new worker for rank `rank` (after its previous one ended): it joins the running job. */
  replace(rank: number): void;
  /** Resolves when every current worker has ended. */
  settled(): Promise<void>;
  /** Ends every worker. */
  stop(): Promise<void>;
}
