/**
 * `--live PORT` for every example: {@link startLive} (called by `startRun`) serves the run's live
 * dashboard on http://127.0.0.1:PORT, the {@link live} operator (in `recordRun`, so in every example
 * that records a `train(...)` stream) sends the run's events to it, and the PNGs the run writes to
 * `--out` appear on the page as they are written. Several tabs may watch one run; none can slow it
 * (see ./SseHub.ts). The server ends with the process: when the run's work is done, the tabs get an
 * `end` event and the process exits, unless `--live-linger` keeps the page served until Ctrl-C.
 */
import { tap, type MonoTypeOperatorFunction } from 'rxjs';
import { backendsUsed, kernels, yieldTurn, type BackendName, type EpochEvent, type Metrics, type TrainEvent } from '@eole/core';
import { workerAssignment } from '@eole/core/parallel';
import { PROGRAM, type Program } from './cli.js';
import { LiveServer, type LiveEvent } from './LiveServer.js';

/** The flags {@link startLive} reads: `--live`, `--live-linger`, `--out` and, for the page, all the others. */
export interface LiveFlags {
  live?: number | undefined;
  'live-linger'?: boolean;
  out: string;
  readonly [PROGRAM]?: Program;
}

/** The live view of this process's run, when `--live` asked for one. */
export interface LiveRun {
  readonly server: LiveServer;
  /** Resolves with the dashboard's URL once the server listens (rejects when it cannot). */
  readonly url: Promise<string>;
}

let current: LiveRun | null = null;
let exitHook = false;

/**
 * Starts the live dashboard of a run when `flags.live` is set (does nothing otherwise; a run started
 * earlier in this process is closed first; nor in a worker of a parallel run): listens on 127.0.0.1:`flags.live` (0: a free port),
 * prints `live: <url>` to stderr, publishes the run's configuration and watches `flags.out` for
 * PNGs. When the port is taken, says so on stderr and the run goes on without it.
 *
 * @example
 * const flags = parseCli(['--live', '8080'], CLI);
 * const live = startLive(flags); // http://127.0.0.1:8080/ shows the run
 * await live?.url;
 */
export function startLive(flags: LiveFlags): LiveRun | null {
  if (flags.live === undefined || workerAssignment() !== null) return null;
  void closeLive();
  const linger = flags['live-linger'] === true;
  const server = new LiveServer({ out: flags.out, keepProcessAlive: linger });
  const program = flags[PROGRAM] ?? { name: 'run', summary: '' };
  server.publish({
    type: 'config',
    name: program.name,
    summary: program.summary,
    out: flags.out,
    flags: Object.fromEntries(Object.entries(flags as object)),
    started: new Date().toISOString(),
    pid: process.pid,
    backend: kernels.backend,
  });
  const url = server.listen(flags.live);
  url.then(
    (u) => process.stderr.write(`live: ${u} shows this run${linger ? ' (and keeps showing it after the run ends: Ctrl-C to quit)' : ''}\n`),
    (error: Error) => process.stderr.write(`live: cannot serve on 127.0.0.1:${flags.live} (${error.message}); the run goes on without its dashboard\n`),
  );
  current = { server, url };
  if (!exitHook) {
    exitHook = true;
    // The loop is empty: the run is over. Say so to the tabs and let the process end (--live-linger keeps serving).
    process.on('beforeExit', () => {
      void closeLive();
    });
  }
  return current;
}

/** The live view of the current run, or null. */
export function liveRun(): LiveRun | null {
  return current;
}

/** Sends one event to the current run's dashboard (nothing without `--live`): for loops that do not go through `train(...)`. */
export function publishLive(event: LiveEvent): void {
  current?.server.publish(event);
}

/** Closes the current run's dashboard (its tabs get the `end` event); resolves when the server is closed. */
export async function closeLive(): Promise<void> {
  const run = current;
  current = null;
  await run?.server.close();
}

/**
 * Passes a training stream through unchanged and sends every event to the current run's dashboard
 * (a no-op without `--live`). `recordRun` applies it, so every example that records its run has it.
 *
 * @example
 * train(options).pipe(live(), progressBar());
 */
export function live(): MonoTypeOperatorFunction<TrainEvent> {
  return tap((event) => publishLive(event));
}

/** Options of {@link EpochReporter}. */
export interface EpochReporterOptions {
  /** The run's epochs (its `start` and `epoch` events carry it). */
  epochs: number;
  /** The first epoch this process trains (a resumed run's; default 1). */
  startEpoch?: number;
  /** Steps per epoch when known beforehand (default: unknown in the first epoch, then the previous epoch's, as `train(...)` says). */
  steps?: number;
  /** The learning rate the events carry unless a step or an epoch gives its own. */
  lr?: number;
  /** Milliseconds of training between the event-loop turns {@link EpochReporter.turn} gives (default 25). */
  turnMs?: number;
}

/** What a step or an epoch may add to its event. */
export interface ReportExtras {
  /** The learning rate of the step or epoch (default: the reporter's). */
  lr?: number;
  /** Further named figures beside the loss (the epoch event has the means of its steps' unless given). */
  terms?: Record<string, number>;
}

/**
 * Core's training events for a loop of an example's own (one that does not go through `train(...)`),
 * built from its numbers and sent to the live dashboard with {@link publishLive}: `start`, a `step`
 * per step (loss, samples/s, backends: the hub passes the newest on), an `epoch` per epoch (mean
 * loss, steps, samples, seconds), `validation` and `done`. Without `--live` ({@link active} false)
 * every method returns at once and measures nothing, so the run is the same to the last bit and
 * the last millisecond; {@link turn} lets a long synchronous loop give the dashboard its turns.
 *
 * @example
 * const live = new EpochReporter({ epochs, steps: batches, lr });
 * live.start(parameters);
 * for (let epoch = 1; epoch <= epochs; epoch++) {
 *   for (const b of batches) {
 *     live.step(trainStep(b), b.size);
 *     if (live.active) await live.turn();
 *   }
 *   live.endEpoch();
 *   live.validation({ loss: validationLoss(), samples: heldOut.length });
 * }
 * live.done();
 */
export class EpochReporter {
  /** True when the run has a live dashboard (`--live`): only then do the other methods do anything. */
  readonly active: boolean;
  private readonly epochs: number;
  private readonly startEpoch: number;
  private readonly lr: number;
  private readonly turnMs: number;
  private knownSteps: number | null;
  private current: number;
  private began = 0;
  private started = false;
  // the epoch in progress
  private steps = 0;
  private samples = 0;
  private total = 0;
  private seconds = 0;
  private sums = new Map<string, number>();
  private epochCalls: Record<BackendName, number> | null = null;
  // the step in progress: its start and the kernel calls before it
  private mark = 0;
  private calls: Record<BackendName, number> | null = null;
  private lastTurn = 0;

  constructor(options: EpochReporterOptions) {
    this.active = liveRun() !== null;
    this.epochs = options.epochs;
    this.startEpoch = options.startEpoch ?? 1;
    this.current = this.startEpoch;
    this.knownSteps = options.steps ?? null;
    this.lr = options.lr ?? Number.NaN;
    this.turnMs = options.turnMs ?? 25;
    if (!this.active) return;
    this.began = performance.now();
    this.restart();
  }

  /** The epoch in progress (the one the next {@link endEpoch} closes). */
  get epoch(): number {
    return this.current;
  }

  /** Publishes `start` (once; later calls do nothing) and starts the clocks. */
  start(parameters: number): void {
    if (!this.active || this.started) return;
    this.started = true;
    this.began = performance.now();
    publishLive({ type: 'start', epochs: this.epochs, startEpoch: this.startEpoch, parameters });
    this.restart();
  }

  /**
   * One step of the epoch in progress: its loss and its samples. Its time is the time since the
   * previous call (or `seconds` when the loop measured it); its backends those of the kernels run since.
   */
  step(loss: number, samples: number, extras: ReportExtras & { seconds?: number } = {}): void {
    if (!this.active) return;
    const now = performance.now();
    const seconds = extras.seconds ?? (now - this.mark) / 1000;
    const calls = kernels.stats().calls;
    this.steps++;
    this.samples += samples;
    this.total += loss;
    this.seconds += seconds;
    for (const [k, v] of Object.entries(extras.terms ?? {})) this.sums.set(k, (this.sums.get(k) ?? 0) + v);
    publishLive({
      type: 'step',
      epoch: this.current,
      step: this.steps,
      steps: this.knownSteps,
      loss,
      lr: extras.lr ?? this.lr,
      samples,
      samplesPerSec: samples / Math.max(seconds, 1e-9),
      backend: backendsUsed(this.calls ?? calls, calls),
      ...(extras.terms ? { terms: { ...extras.terms } } : {}),
    });
    this.calls = calls;
    this.mark = now;
  }

  /**
   * Closes the epoch in progress: publishes its `epoch` event (the mean loss of its steps unless
   * `loss` is given; its seconds are those of its steps) and returns it; the next epoch begins.
   */
  endEpoch(extras: ReportExtras & { loss?: number } = {}): EpochEvent | null {
    if (!this.active) return null;
    const steps = Math.max(this.steps, 1);
    const terms = extras.terms ?? (this.sums.size > 0 ? Object.fromEntries([...this.sums].map(([k, v]) => [k, v / steps])) : undefined);
    const event: EpochEvent = {
      type: 'epoch',
      epoch: this.current,
      epochs: this.epochs,
      loss: extras.loss ?? this.total / steps,
      steps: this.steps,
      samples: this.samples,
      seconds: this.seconds + (performance.now() - this.mark) / 1000,
      lr: extras.lr ?? this.lr,
      backend: backendsUsed(this.epochCalls ?? kernels.stats().calls, kernels.stats().calls),
      ...(terms ? { terms } : {}),
    };
    publishLive(event);
    if (this.steps > 0) this.knownSteps = this.steps;
    this.current++;
    this.restart();
    return event;
  }

  /** Publishes held-out `metrics` for `epoch` (default: the epoch last closed). Its time is not the next step's. */
  validation(metrics: Metrics, epoch: number = this.current - 1): void {
    if (!this.active) return;
    publishLive({ type: 'validation', epoch, metrics });
    this.mark = performance.now();
  }

  /** Publishes `done` (its seconds: since {@link start}). */
  done(): void {
    if (!this.active) return;
    publishLive({ type: 'done', epochs: this.epochs, seconds: (performance.now() - this.began) / 1000 });
  }

  /**
   * Gives the event loop a turn (the dashboard's sockets, its timers) once `turnMs` of work have
   * passed since the last one; resolves at once otherwise. Guard it with {@link active}
   * (`if (live.active) await live.turn()`) so that a run without `--live` never awaits.
   */
  async turn(): Promise<void> {
    if (!this.active) return;
    const now = performance.now();
    if (now - this.lastTurn < this.turnMs) return;
    await yieldTurn();
    this.lastTurn = performance.now();
    this.mark += this.lastTurn - now; // the turn is not the step's time
  }

  private restart(): void {
    this.steps = 0;
    this.samples = 0;
    this.total = 0;
    this.seconds = 0;
    this.sums = new Map();
    this.mark = performance.now();
    this.calls = kernels.stats().calls;
    this.epochCalls = this.calls;
  }
}
