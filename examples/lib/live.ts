/**
 * `--live PORT` for every example: {@link startLive} (called by `startRun`) serves the run's live
 * dashboard on http://127.0.0.1:PORT, the {@link live} operator (in `recordRun`, so in every example
 * that records a `train(...)` stream) sends the run's events to it, and the PNGs the run writes to
 * `--out` appear on the page as they are written. Several tabs may watch one run; none can slow it
 * (see ./SseHub.ts). The server ends with the process: when the run's work is done, the tabs get an
 * `end` event and the process exits, unless `--live-linger` keeps the page served until Ctrl-C.
 */
import { tap, type MonoTypeOperatorFunction } from 'rxjs';
import { kernels, type TrainEvent } from '@eole/core';
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
