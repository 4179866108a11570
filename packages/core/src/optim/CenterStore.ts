/** The wire and layout version of every centre store; a store holding another version is refused. */
export const CENTER_PROTOCOL_VERSION = 1;

/** What a worker reports about itself (the coordinator draws progress and epochs from these). */
export interface WorkerReport {
  /** The worker's rank, 0 ≤ rank < workers. */
  rank: number;
  /** The epoch it is in (1-based) and the steps it has taken in it. */
  epoch: number;
  step: number;
  /** Samples it has trained on since the run began (resumed epochs included). */
  samples: number;
  /** Its latest minibatch loss. */
  loss: number;
  /** True once it has trained all its epochs. */
  done: boolean;
  /** When it reported (ms since the epoch, `Date.now()`). */
  time: number;
}

/**
 * Where the centre variable x̃ of a parallel run lives, shared by all its workers (DESIGN.md,
 * layer 5: "EASGD with a pluggable store for the center variable"). Every method is atomic with
 * respect to the others, whichever worker calls it: in one process ({@link LocalCenter}), in shared
 * memory between threads (`SharedCenter`), in the coordinator for child processes, or on a Redis
 * server for workers on several machines (`RedisCenter`, `@eole/core/parallel`). Methods are
 * asynchronous so that a store across a network fits; values travel as float32 arrays.
 *
 * The parallel algorithms ({@link EASGD}, {@link Downpour}, {@link DataParallelSGD}) need only these
 * verbs: `join` and `elastic` (EASGD), `push` (DOWNPOUR), `allReduceSum` (synchronous EASGD and
 * synchronous data-parallel SGD); `report` / `reports` carry progress, `read` / `write` serve the
 * coordinator (evaluation, checkpoints, `--resume`).
 *
 * Every array argument must hold exactly `size` values (a RangeError names the argument, the
 * expected and the actual length).
 */
export interface CenterStore {
  /** The number of float32 values of the centre (the model's parameter count). */
  readonly size: number;
  /** The run this store belongs to; a store of another run is refused when opened. */
  readonly runId: string;
  /**
   * A worker joins: x̃ := x when the store holds no centre yet, then x ← x̃ (EASGD starts every
   * worker at the centre). Resolves true when this call created the centre.
   */
  join(x: Float32Array): Promise<boolean>;
  /** out ← x̃. Rejects when no centre exists yet. */
  read(out: Float32Array): Promise<void>;
  /** x̃ ← values (a coordinator starting or resuming a run). */
  write(values: Float32Array): Promise<void>;
  /**
   * The asynchronous elastic exchange of EASGD, atomically: d = α(x − x̃); x ← x − d; x̃ ← x̃ + d
   * (float32 arithmetic, as {@link elasticExchange}).
   */
  elastic(x: Float32Array, alpha: number): Promise<void>;
  /** DOWNPOUR's push and fetch, atomically: x̃ ← x̃ + delta; out ← x̃. */
  push(delta: Float32Array, out: Float32Array): Promise<void>;
  /**
   * Synchronous all-reduce: each of `workers` ranks calls it once per `round` (0, 1, 2, … in turn)
   * and `values` becomes Σ over ranks 0 … workers−1 of their values, accumulated in float32 in rank
   * order, so every rank gets the same bits. Rejects after `timeoutMs` (default 60 s) naming the
   * ranks that never arrived.
   */
  allReduceSum(values: Float32Array, round: number, rank: number, workers: number, timeoutMs?: number): Promise<void>;
  /** Records a worker's latest progress. */
  report(report: WorkerReport): Promise<void>;
  /** The latest report of every rank that has reported, by rank. */
  reports(): Promise<WorkerReport[]>;
  /** Releases connections and timers (the stored centre stays where it lives). */
  close(): Promise<void>;
}

/** Throws unless `values` is a Float32Array of `size` values; names the store method and argument. */
export function checkCenterArray(where: string, name: string, values: unknown, size: number): asserts values is Float32Array {
  if (!(values instanceof Float32Array)) {
    const kind = values === null ? 'null' : typeof values === 'object' ? ((values as object).constructor?.name ?? 'object') : typeof values;
    throw new TypeError(`${where}: ${name} must be a Float32Array of ${size} values, got ${kind}`);
  }
  if (values.length !== size) throw new RangeError(`${where}: ${name} has ${values.length} values, the centre has ${size} (a model of another shape?)`);
}

/** Throws unless `alpha` is a number in [0, 1]. */
export function checkAlpha(where: string, alpha: unknown): asserts alpha is number {
  if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) throw new RangeError(`${where}: alpha must be a number in [0, 1] (β/p), got ${String(alpha)}`);
}

/** Throws unless round, rank and workers make sense for {@link CenterStore.allReduceSum}. */
export function checkRound(where: string, round: unknown, rank: unknown, workers: unknown): void {
  if (typeof workers !== 'number' || !Number.isInteger(workers) || workers < 1) throw new RangeError(`${where}: workers must be an integer >= 1, got ${String(workers)}`);
  if (typeof rank !== 'number' || !Number.isInteger(rank) || rank < 0 || rank >= workers) throw new RangeError(`${where}: rank must be an integer in [0, ${workers - 1}], got ${String(rank)}`);
  if (typeof round !== 'number' || !Number.isInteger(round) || round < 0) throw new RangeError(`${where}: round must be an integer >= 0, got ${String(round)}`);
}

/** Throws unless `r` is a well-formed {@link WorkerReport}. */
export function checkReport(where: string, r: unknown): asserts r is WorkerReport {
  const o = r as Record<string, unknown>;
  if (typeof r !== 'object' || r === null) throw new TypeError(`${where}: report must be an object, got ${String(r)}`);
  for (const k of ['rank', 'epoch', 'step', 'samples', 'loss', 'time'] as const) {
    if (typeof o[k] !== 'number') throw new TypeError(`${where}: report.${k} must be a number, got ${typeof o[k]}`);
  }
  if (typeof o['done'] !== 'boolean') throw new TypeError(`${where}: report.done must be a boolean, got ${typeof o['done']}`);
}

/** Σ of `parts` in order, accumulated in float32, into `out` (what every all-reduce returns). */
export function sumInOrder(parts: readonly Float32Array[], out: Float32Array): void {
  out.set(parts[0]!);
  for (let k = 1; k < parts.length; k++) {
    const p = parts[k]!;
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + p[i]!;
  }
}

/** center ← center + delta in float32, element by element (DOWNPOUR's push, the same in every store). */
export function addInto(center: Float32Array, delta: Float32Array): void {
  for (let i = 0; i < center.length; i++) center[i] = center[i]! + delta[i]!;
}
