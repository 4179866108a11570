/**
 * Data-parallel training for every example that trains one net (mnist-mlp, mnist-lenet,
 * spoken-digits): the flags (`--workers N --parallel easgd|easgd-sync|eamsgd|downpour|sync --tau T
 * --transport threads|processes|redis://…`), and the two roles an invocation can take:
 *
 * - the **coordinator** (the command a person types with `--workers N`, N ≥ 2, or any Redis
 *   transport): makes the store, writes the initial centre (the model's initialisation, or the
 *   checkpoint's with `--resume`), starts the workers and turns their progress into the usual
 *   training events (one overall bar, `events.jsonl`, a checkpoint of the centre every epoch,
 *   curves), evaluating the centre after each epoch;
 * - a **worker** (started by the coordinator, or by a person on another machine with `--join RUN-ID
 *   --rank K --transport redis://…`): trains its shard of the data with the example's own optimizer
 *   and the algorithm's exchanges, and prints its own line per epoch.
 */
import { lastValueFrom, Observable, tap } from 'rxjs';
import {
  CosineAnnealingLR, DataParallelSGD, Downpour, EASGD, eamsgd, kernels, LocalCenter, ParameterVector, SGD, SharedCenter, train,
  type CenterStore, type Criterion, type EpochSource, type LRScheduler, type Module, type Optimizer, type ParallelWorker, type TrainEvent,
} from '@eole/core';
import { openStore, parallelTrain, RedisCenter, redactRedisUrl, reportProgress, startWorkers, workerAssignment, type WorkerAssignment, type WorkerGroup } from '@eole/core/parallel';
import { numberFlag, optionalFlag, stringFlag } from './cli.js';

/** The algorithms `--parallel` names. */
export const PARALLEL_ALGORITHMS = ['easgd', 'easgd-sync', 'eamsgd', 'downpour', 'sync'] as const;

/** The flags of data-parallel training, for an example's CLI spec (`flags: { ...PARALLEL_FLAGS }`). */
export const PARALLEL_FLAGS = {
  workers: numberFlag(1, 'data-parallel workers, the ranks of the job (1: an ordinary run)', { integer: true, min: 1, max: 64 }),
  'local-workers': numberFlag(-1, 'with a Redis transport: how many of the ranks this command starts here (ranks 0 …; the others --join from elsewhere; default all)', { integer: true, min: -1, max: 64 }),
  parallel: stringFlag('easgd', 'the parallel algorithm: easgd (asynchronous), easgd-sync, eamsgd (Nesterov momentum workers), downpour, sync (gradients averaged every step)', { metavar: 'NAME', choices: PARALLEL_ALGORITHMS }),
  tau: numberFlag(10, 'communication period τ: local steps between exchanges (sync: between publications of the centre)', { integer: true, min: 1 }),
  beta: numberFlag(0.9, 'EASGD β: the moving rate is α = β/workers', { min: 0, max: 1 }),
  delta: numberFlag(0.9, "EAMSGD's momentum δ", { min: 0, max: 0.999 }),
  'local-lr': numberFlag(0.05, "EAMSGD's local learning rate (cosine schedule over --epochs; not scaled by --lr-scale)", { min: 0 }),
  'lr-scale': stringFlag('linear', "linear: with EASGD and sync, each worker's --lr is multiplied by --workers (Goyal et al. 2017: p workers take p times fewer steps each; DOWNPOUR's centre adds them all, so it keeps --lr); none: as given", { metavar: 'RULE', choices: ['linear', 'none'] }),
  transport: stringFlag('threads', 'where workers run: threads, processes, or redis://[:PASSWORD@]HOST:PORT', { metavar: 'WHERE' }),
  join: optionalFlag('join the running Redis job RUN-ID as a worker (with --transport redis://… and --rank)', 'RUN-ID'),
  rank: numberFlag(-1, 'the rank a --join worker takes (a replacement takes the rank of the worker it replaces)', { integer: true, min: -1 }),
  'run-id': optionalFlag('the job id in the store (default: <example>-<time>-<pid>)', 'ID'),
} as const;

/** The parsed {@link PARALLEL_FLAGS}. */
export interface ParallelFlags {
  workers: number;
  'local-workers': number;
  parallel: string;
  tau: number;
  beta: number;
  delta: number;
  'local-lr': number;
  'lr-scale': string;
  transport: string;
  join?: string | undefined;
  rank: number;
  'run-id'?: string | undefined;
  seed: number;
  epochs: number;
}

/** How this invocation takes part in training. */
export type ParallelRole = { kind: 'single' } | { kind: 'coordinator' } | { kind: 'worker'; assignment: WorkerAssignment };

/** The role of this invocation: a worker when started as one, a coordinator with `--workers` ≥ 2 or a Redis transport. */
export function parallelRole(flags: ParallelFlags): ParallelRole {
  const assignment = workerAssignment() ?? joined;
  if (assignment) return { kind: 'worker', assignment };
  checkTransport(flags.transport);
  if (flags.join !== undefined) throw new Error('--join: this command line was not turned into a worker; call joinedArgv() before parsing');
  const redis = flags.transport.startsWith('redis://');
  if (flags['local-workers'] >= 0 && !redis) throw new Error('--local-workers goes with --transport redis://… (threads and processes start every worker here)');
  if (flags['local-workers'] > flags.workers) throw new Error(`--local-workers ${flags['local-workers']} is more than --workers ${flags.workers}`);
  if (flags.workers >= 2 || redis) return { kind: 'coordinator' };
  return { kind: 'single' };
}

/** What the parallel kit needs from an example: the net, its loss, its local optimizer and the data. */
export interface ParallelJob {
  /** The example's name (logs, the default run id). */
  name: string;
  /** The example's main file (what a worker runs: `fileURLToPath(import.meta.url)`). */
  script: string;
  /** The command line the workers get (the coordinator's own). */
  argv: readonly string[];
  model: Module;
  criterion: Criterion;
  /** The worker's local optimizer and schedule (EAMSGD swaps in Nesterov SGD). */
  optimizer: Optimizer;
  scheduler?: LRScheduler;
  /** Rank `rank`'s shard, one epoch at a time. */
  data(rank: number, workers: number): EpochSource;
  /** Held-out batches the coordinator evaluates the centre on. */
  validation?: EpochSource;
  /** Local steps per epoch of all workers together (for the bar). */
  stepsPerEpoch: number;
}

/**
 * The assignment the last {@link joinedArgv} read, for every {@link parallelRole} of the same
 * invocation that follows (the coordinator's argv it returns holds no --join; spoken-digits asks
 * for its role more than once). The next `joinedArgv` call resets it.
 */
let joined: WorkerAssignment | null = null;

/** The job the coordinator stores in Redis for workers that `--join` (their command line and assignment). */
interface StoredJob {
  argv: string[];
  assignment: Omit<WorkerAssignment, 'rank'>;
}

/**
 * `--join RUN-ID --rank K --transport redis://…`: reads the job RUN-ID from Redis and returns the
 * coordinator's command line (so the worker builds the same net and data) and this worker's
 * assignment; without `--join`, null.
 *
 * @example
 * const joined = await joinedArgv(argv);
 * const flags = parseCli(joined?.argv ?? argv, CLI);
 */
export async function joinedArgv(argv: readonly string[]): Promise<{ argv: string[]; assignment: WorkerAssignment } | null> {
  joined = null;
  const at = argv.indexOf('--join');
  if (at < 0) return null;
  const runId = argv[at + 1];
  const url = argv[argv.indexOf('--transport') + 1];
  const rank = Number(argv[argv.indexOf('--rank') + 1]);
  if (!runId || runId.startsWith('--')) throw new Error('--join: give the job id, e.g. --join mnist-lenet-20261202-1234');
  if (argv.indexOf('--transport') < 0 || !url?.startsWith('redis://')) throw new Error(`--join: workers join through Redis; give --transport redis://[:PASSWORD@]HOST:PORT (got ${url === undefined ? 'none' : redactRedisUrl(url)})`);
  if (argv.indexOf('--rank') < 0 || !Number.isInteger(rank) || rank < 0) throw new Error('--join: give this worker its --rank (0 … workers−1)');
  const text = await RedisCenter.readJob(url, runId);
  if (text === null) throw new Error(`--join: no job "${runId}" on ${redactRedisUrl(url)} (is its coordinator running?)`);
  const job = JSON.parse(text) as StoredJob;
  if (rank >= job.assignment.workers) throw new Error(`--join: --rank ${rank} is out of range; job "${runId}" has ${job.assignment.workers} workers (ranks 0 … ${job.assignment.workers - 1})`);
  joined = { ...job.assignment, rank, store: { kind: 'redis', url } };
  return { argv: job.argv, assignment: joined };
}

/** The local optimizer, scheduler and parallel side of one worker, as its assignment says. */
function workerSide(job: ParallelJob, flags: ParallelFlags, a: WorkerAssignment, store: CenterStore): { optimizer: Optimizer; scheduler?: LRScheduler; parallel: ParallelWorker } {
  const params = job.model.parameters();
  const base = { rank: a.rank, workers: a.workers, tau: a.tau };
  if (a.algorithm === 'eamsgd') {
    const { optimizer, parallel } = eamsgd(params, store, { ...base, beta: a.beta, lr: flags['local-lr'], delta: flags.delta });
    return { optimizer, scheduler: new CosineAnnealingLR(optimizer, { tMax: Math.max(1, flags.epochs) }), parallel };
  }
  // DOWNPOUR adds every worker's updates to the centre (as many per epoch as one worker alone makes), so its rate stays.
  if (flags['lr-scale'] === 'linear' && a.algorithm !== 'downpour') {
    job.optimizer.lr *= a.workers;
    if (job.scheduler) job.scheduler.baseLr *= a.workers;
  }
  const parallel =
    a.algorithm === 'downpour' ? new Downpour(params, store, base)
    : a.algorithm === 'sync' ? new DataParallelSGD(params, store, base)
    : new EASGD(params, store, { ...base, beta: a.beta, synchronous: a.algorithm === 'easgd-sync' });
  return { optimizer: job.optimizer, ...(job.scheduler ? { scheduler: job.scheduler } : {}), parallel };
}

/**
 * A worker's whole life: opens the store, trains its shard from its start epoch (a replacement
 * continues where the rank it replaces stopped) with the algorithm's exchanges, reports its progress
 * and prints one line per epoch.
 */
export async function runWorker(job: ParallelJob, flags: ParallelFlags, a: WorkerAssignment, log: (line: string) => void): Promise<void> {
  const store = await openStore(a);
  try {
    const previous = (await store.reports()).find((r) => r.rank === a.rank);
    const startEpoch = previous && !previous.done ? Math.max(previous.epoch, a.startEpoch) : a.startEpoch;
    const side = workerSide(job, flags, a, store);
    for (let e = 1; e < startEpoch; e++) side.scheduler?.step();
    const who = `worker ${a.rank + 1}/${a.workers} (${a.algorithm}, τ ${a.tau})`;
    log(`${who}: ${previous && !previous.done ? 'replacing a worker that ended; ' : ''}starting at epoch ${startEpoch} of ${flags.epochs}`);
    let samples = 0;
    let began = performance.now();
    const events = train({
      model: job.model, criterion: job.criterion, optimizer: side.optimizer, ...(side.scheduler ? { scheduler: side.scheduler } : {}),
      data: job.data(a.rank, a.workers), epochs: flags.epochs, startEpoch, parallel: side.parallel,
    }).pipe(
      reportProgress(store, a.rank, { samplesBefore: previous?.samples ?? 0 }),
      tap((e: TrainEvent) => {
        if (e.type === 'step') samples += e.samples ?? 0;
        if (e.type !== 'epoch') return;
        const seconds = (performance.now() - began) / 1000;
        const p = side.parallel;
        log(`${who}: epoch ${e.epoch}/${e.epochs}, ${e.steps} steps, loss ${e.loss.toFixed(4)}, ${(samples / seconds).toFixed(0)} samples/s, ${p.exchanges} exchanges (${(p.exchangeMs / Math.max(1, p.exchanges)).toFixed(1)} ms each)`);
        samples = 0;
        began = performance.now();
      }),
    );
    await lastValueFrom(events);
  } finally {
    await store.close();
  }
}

/** A running job seen from its coordinator. */
export interface Coordination {
  events: Observable<TrainEvent>;
  runId: string;
  store: CenterStore;
  group: WorkerGroup | undefined;
  /** Ends the workers still running and closes the store. */
  close(): Promise<void>;
}

/**
 * The coordinator's start: the store (threads: shared memory; processes: this process's memory,
 * served over IPC; redis: the server, which also keeps the job for `--join`), the centre written
 * from `job.model` (fresh or just restored by `--resume`), the workers started, and the event
 * stream of {@link parallelTrain} to record like any run. `optimizer` is what checkpoints record.
 */
export async function startCoordinator(job: ParallelJob, flags: ParallelFlags, startEpoch: number, optimizer: Optimizer, log: (line: string) => void): Promise<Coordination> {
  const size = new ParameterVector(job.model.parameters()).size;
  const runId = flags['run-id'] ?? `${job.name}-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}-${process.pid}`;
  const transport = flags.transport;
  const workers = flags.workers;
  const ranks = workers;
  const local = transport.startsWith('redis://') && flags['local-workers'] >= 0 ? flags['local-workers'] : workers;
  const assignment = { runId, workers: ranks, algorithm: flags.parallel, tau: flags.tau, beta: flags.beta, size, startEpoch };
  const centre = new ParameterVector(job.model.parameters()).gather();
  let store: CenterStore;
  let group: WorkerGroup | undefined;
  const argv = [...job.argv];
  if (!argv.includes('--threads')) {
    // One kernel thread per worker; the coordinator too, when workers share its machine, so that its
    // evaluation after each epoch takes one core's share and not the pool's two.
    argv.push('--threads', '1');
    if (local > 0) kernels.setThreads(1);
  }
  if (transport === 'threads') {
    const shared = SharedCenter.create(size, workers, runId);
    store = shared;
    await store.write(centre);
    group = startWorkers({ transport: 'threads', workers, script: job.script, argv, assignment: (rank) => ({ ...assignment, rank, store: { kind: 'shared', handle: shared.handle() } }) });
  } else if (transport === 'processes') {
    store = new LocalCenter(size, runId);
    await store.write(centre);
    group = startWorkers({ transport: 'processes', workers, script: job.script, argv, store, assignment: (rank) => ({ ...assignment, rank, store: { kind: 'ipc' } }) });
  } else {
    const redis = await RedisCenter.open(transport, { runId, size });
    store = redis;
    await store.write(centre);
    const stored: StoredJob = { argv: [...argv], assignment: { ...assignment, store: { kind: 'redis', url: '' } } };
    await redis.writeJob(JSON.stringify(stored));
    if (local > 0) group = startWorkers({ transport: 'processes', workers: local, script: job.script, argv, assignment: (rank) => ({ ...assignment, rank, store: { kind: 'redis', url: transport } }) });
    log(`${job.name}: job ${runId} on ${redactRedisUrl(transport)}, ${ranks} ranks, ${local} started here${local < ranks ? `; the others join with: --join ${runId} --rank K --transport redis://[:PASSWORD@]HOST:PORT` : ''}`);
  }
  log(`${job.name}: ${flags.parallel} over ${ranks} workers on ${transport.startsWith('redis://') ? 'redis' : transport}, τ ${flags.tau}${flags.parallel.startsWith('easgd') || flags.parallel === 'eamsgd' ? `, α = β/p = ${(flags.beta / ranks).toFixed(3)}` : ''}; the centre has ${size} parameters${flags['lr-scale'] === 'linear' && flags.parallel !== 'eamsgd' && flags.parallel !== 'downpour' && ranks > 1 ? `; each worker's learning rate × ${ranks} (--lr-scale linear)` : ''}`);
  const events = parallelTrain({
    model: job.model, criterion: job.criterion, store, ...(group ? { group } : {}), workers: ranks, epochs: flags.epochs, startEpoch,
    ...(job.validation ? { validation: job.validation } : {}), stepsPerEpoch: job.stepsPerEpoch, optimizer,
  });
  return {
    events, runId, store, group,
    close: async () => {
      await group?.stop();
      if (store instanceof RedisCenter) await store.destroy();
      await store.close();
    },
  };
}

/** The centre's placeholder optimizer for a coordinator's checkpoints (the coordinator optimizes nothing). */
export function coordinatorOptimizer(model: Module): Optimizer {
  return new SGD(model.parameters(), { lr: 0 });
}

function checkTransport(transport: string): void {
  if (transport === 'threads' || transport === 'processes' || /^redis:\/\/.+/.test(transport)) return;
  throw new Error(`--transport must be threads, processes or redis://[:PASSWORD@]HOST:PORT, got ${transport}`);
}

/** Used by the examples' shards: items rank, rank + workers, … of `count`. */
export function shardIndices(count: number, rank: number, workers: number): number[] {
  const out: number[] = [];
  for (let i = rank; i < count; i += workers) out.push(i);
  return out;
}

