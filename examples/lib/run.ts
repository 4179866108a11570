/**
 * The run kit every example shares: {@link startRun} applies `--backend`, makes the `--out` folder
 * and resolves the data (`--data`, else its place under `EOLE_DATA`), and the run operators turn
 * core's `train(...)` event stream into a run folder (DESIGN.md, "Examples: one convention for
 * all"): {@link resumeRun} for `--resume`, {@link recordRun} (checkpoint, weights, progress bar,
 * `events.jsonl`, `curves.png`), {@link recordTraining} (all that, `--stop-after` and the run's
 * history), {@link afterEpoch} for validation computed outside `train(...)`, and
 * {@link confusionTable} for the printed confusion matrix.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { lastValueFrom, Observable, takeWhile, tap, type MonoTypeOperatorFunction } from 'rxjs';
import { checkpoint, CHECKPOINT_FILE, jsonLines, kernels, resume, saveModule, type BackendChoice, type Module, type TrainEvent, type TrainState } from '@eole/core';
import { plotCurves, progressBar } from '@eole/core/report';
import { numberFlag, type NumberFlag, type PROGRAM, type Program } from './cli.js';
import { live, publishLive, startLive } from './live.js';
import { REPO_ROOT } from './paths.js';

/** The JSON-lines event log of a run, in its `--out` folder. */
export const EVENTS_FILE = 'events.jsonl';

/** The learning curves of a run, in its `--out` folder. */
export const CURVES_FILE = 'curves.png';

/**
 * The shared data folder (DESIGN.md, "Data"): `EOLE_DATA`, by default `<repo root>/../shared/data`,
 * resolved from the repository root.
 *
 * @example
 * join(dataRoot(), 'fsdd', 'recordings'); // where FSDD's WAVs are
 */
export function dataRoot(): string {
  return resolve(REPO_ROOT, process.env['EOLE_DATA'] || join('..', 'shared', 'data'));
}

/**
 * A dataset's default place under {@link dataRoot}.
 *
 * @example
 * dataFolder('babi', 'en'); // <repo>/../shared/data/babi/en unless EOLE_DATA says otherwise
 */
export function dataFolder(...parts: string[]): string {
  return join(dataRoot(), ...parts);
}

/** The common flags {@link startRun} reads. */
export interface RunFlags {
  backend: BackendChoice;
  /** Kernel threads (see `kernels.setThreads`); absent: the default (`EOLE_THREADS`, else the core count). */
  threads?: number;
  out: string;
  data?: string | undefined;
  eval?: string | undefined;
  /** `--live PORT` and `--live-linger`: the run's live dashboard (./live.ts). */
  live?: number | undefined;
  'live-linger'?: boolean;
  readonly [PROGRAM]?: Program;
}

/** What {@link startRun} resolved. */
export interface Run {
  /** `--out`, absolute (created unless the run only evaluates a checkpoint): by default `<repo>/runs/<example>`. */
  out: string;
  /** `--data`, else the dataset's default place under {@link dataRoot} (the data root itself when it has none). */
  data: string;
  /** `name` inside `--out`. */
  file(name: string): string;
}

/** Options of {@link startRun}. */
export interface StartRunOptions {
  /** The dataset's default path under the data root, used without `--data` (a folder or a file). */
  data?: readonly string[];
}

/**
 * The first thing an example's `main` does after parsing its flags: selects the kernel backend of
 * `--backend` and the threads of `--threads`, creates the `--out` folder (not for `--eval`, which only reads a checkpoint),
 * starts the live dashboard of `--live` (see ./live.ts) and resolves the data path (`--data`, else `options.data` under `EOLE_DATA`).
 *
 * @example
 * const flags = parseCli(argv, CLI);
 * const run = startRun(flags, { data: ['fsdd', 'recordings'] });
 * readDigitFolder(run.data);
 * saveModule(run.file('model.safetensors'), model);
 */
export function startRun(flags: RunFlags, options: StartRunOptions = {}): Run {
  kernels.setBackend(flags.backend);
  if (flags.threads !== undefined) kernels.setThreads(flags.threads);
  const out = flags.out;
  if (flags.eval === undefined) mkdirSync(out, { recursive: true });
  if (flags.eval === undefined) startLive(flags);
  const data = flags.data ?? dataFolder(...(options.data ?? []));
  return { out, data, file: (name) => join(out, name) };
}

/** `--stop-after`: end the run early, as if interrupted, for `--resume`. */
export const STOP_AFTER_FLAG: NumberFlag = numberFlag(0, 'stop after this epoch, as if interrupted (0: never); the schedule still spans --epochs and --resume continues', { integer: true, min: 0 });

/** Where a run starts: afresh, or after the checkpoint in its folder. */
export interface RunStart {
  /** The first epoch to train (pass it to `train({ startEpoch })`). */
  startEpoch: number;
  /** True when the state came from a checkpoint. */
  resumed: boolean;
  /**
   * The run's epoch and validation events: those logged before `startEpoch` (read back from
   * `events.jsonl`), then the new ones, appended by {@link recordTraining} as they pass.
   */
  events: TrainEvent[];
}

/**
 * `--resume` for every training example: with `resume`, restores the model, optimizer, scheduler and
 * generators of `state` from the checkpoint in `out` (a clear error when there is none) and reads
 * back the earlier epochs of `events.jsonl` (for the curves and the history); without, a fresh start
 * at epoch 1.
 *
 * @example
 * const start = resumeRun(run.out, { model, optimizer, scheduler, rngs }, flags.resume);
 * train({ model, criterion, optimizer, scheduler, rngs, data, epochs, startEpoch: start.startEpoch });
 */
export function resumeRun(out: string, state: TrainState, resumeFromCheckpoint = true): RunStart {
  if (!resumeFromCheckpoint) return { startEpoch: 1, resumed: false, events: [] };
  if (!existsSync(join(out, CHECKPOINT_FILE))) throw new Error(`--resume: no ${CHECKPOINT_FILE} in '${out}' (run without --resume first, with the same --out)`);
  const startEpoch = resume(out, state);
  const events = readEvents(join(out, EVENTS_FILE)).filter((e) => (e.type === 'epoch' || e.type === 'validation') && e.epoch < startEpoch);
  return { startEpoch, resumed: true, events };
}

/** The plain weights a run keeps beside its checkpoint: what `--eval` reads. */
export interface SavedWeights {
  /** The file, `<out>/<name>.safetensors`. */
  path: string;
  /** The module saved (the model trained, or the net inside it: a Siamese's branch). */
  module: Module;
  /** Metadata saved with the weights (how to rebuild the module); `epoch` is set to the epoch they are from. */
  metadata: Readonly<Record<string, string>>;
}

/** Writes {@link SavedWeights} after `epoch`. */
function saveWeights(w: SavedWeights, epoch: number): void {
  saveModule(w.path, w.module, { ...w.metadata, epoch: String(epoch) });
}

/** Options of {@link recordRun}. */
export interface RecordRunOptions {
  /** The run's folder: the checkpoint, `events.jsonl` and `curves.png` go there. */
  out: string;
  /** Saved after every checkpoint. */
  weights: SavedWeights;
  /** Steps per epoch, for the progress bar. */
  stepsPerEpoch: number;
  /** Append to `events.jsonl` (a resumed run) instead of starting it afresh. */
  append: boolean;
  /** Draw `curves.png` (core's `plotCurves`) with this title, after the earlier epochs `history`. */
  curves?: { title: string; history: readonly TrainEvent[] };
}

/**
 * What every training example does with its events: a checkpoint in `out` after every epoch, the
 * plain weights saved beside it, the progress bar, the JSON-lines log `events.jsonl` and
 * (optionally) the curves `curves.png`.
 *
 * @example
 * train(options).pipe(recordRun({ out, weights: { path, module: model, metadata }, stepsPerEpoch: 125, append: false }));
 */
export function recordRun(o: RecordRunOptions): MonoTypeOperatorFunction<TrainEvent> {
  return (events) => {
    const logged = events.pipe(
      checkpoint(o.out),
      tap((e) => {
        if (e.type === 'checkpoint') saveWeights(o.weights, e.epoch);
      }),
      progressBar({ stepsPerEpoch: o.stepsPerEpoch }),
      jsonLines(join(o.out, EVENTS_FILE), { append: o.append }),
      live(),
    );
    return o.curves ? logged.pipe(plotCurves(join(o.out, CURVES_FILE), { history: o.curves.history, title: o.curves.title })) : logged;
  };
}

/** Options of {@link recordTraining}. */
export interface RecordTrainingOptions {
  /** The run's folder. */
  out: string;
  /** Where the run started ({@link resumeRun}); its `events` collect the new epochs. */
  start: RunStart;
  weights: SavedWeights;
  stepsPerEpoch: number;
  /** The title of `curves.png` (omit to draw none). */
  curves?: string;
  /** End after this epoch, as if interrupted (0 or absent: never). */
  stopAfter?: number;
  /**
   * A time budget in minutes (0 or absent: none): the run ends after the epoch at which the next
   * epoch, as long as the last one, would end past the budget; `--resume` continues it.
   */
  minutes?: number;
  /** The event that closes an epoch, for `stopAfter`: `validation` (default) or, without validation, `checkpoint`. */
  epochEnd?: 'validation' | 'checkpoint';
  /** Between `train(...)` and the recording: validation events made outside `train` ({@link afterEpoch}), extra metrics. */
  before?: MonoTypeOperatorFunction<TrainEvent>;
  /** After the recording: further consumers (they see `start.events` with the current epoch in it). */
  after?: MonoTypeOperatorFunction<TrainEvent>;
  /** With `name`, prints `<name>: stopped after epoch N (--stop-after); continue with --resume` when `stopAfter` ended the run. */
  log?: (line: string) => void;
  name?: string;
}

/** What {@link recordTraining} returns. */
export interface RecordedTraining {
  /** Every epoch and validation event of the run, resumed ones included (= `start.events`). */
  events: TrainEvent[];
  startEpoch: number;
  /** The last epoch checkpointed (startEpoch − 1 when none ran). */
  lastEpoch: number;
  /** True when `stopAfter` or `minutes` ended the run before its last epoch. */
  stopped: boolean;
  /** The files of the run that exist: the weights, the checkpoint, `events.jsonl`, `curves.png`. */
  files: string[];
}

/**
 * Runs a training stream to its end as every example does: `before` → {@link recordRun} (checkpoint
 * and weights after every epoch, progress, `events.jsonl`, `curves.png`) → the run's history →
 * `after` → `--stop-after`; then saves the weights once more (so a run with nothing left to train
 * still writes them) and lists the run's files.
 *
 * @example
 * const start = resumeRun(run.out, { model, optimizer, rngs }, flags.resume);
 * const done = await recordTraining(train({ model, criterion, optimizer, rngs, data, epochs, startEpoch: start.startEpoch }), {
 *   out: run.out, start, weights: { path: run.file('mlp.safetensors'), module: model, metadata: {} }, stepsPerEpoch: 125, curves: 'mlp',
 * });
 */
export async function recordTraining(events$: Observable<TrainEvent>, o: RecordTrainingOptions): Promise<RecordedTraining> {
  const { start } = o;
  const earlier = [...start.events];
  for (const e of earlier) publishLive(e);
  let lastEpoch = start.startEpoch - 1;
  let epochs = Number.POSITIVE_INFINITY;
  const stopAfter = o.stopAfter !== undefined && o.stopAfter > 0 ? o.stopAfter : Number.POSITIVE_INFINITY;
  const epochEnd = o.epochEnd ?? 'validation';
  const identity: MonoTypeOperatorFunction<TrainEvent> = (s) => s;
  const budget = (o.minutes ?? 0) > 0 ? o.minutes! * 60_000 : Number.POSITIVE_INFINITY;
  const began = performance.now();
  let lastEnd = began;
  let timedOut = false;
  const outOfTime = (): boolean => {
    const now = performance.now();
    const epoch = now - lastEnd;
    lastEnd = now;
    timedOut = now - began + epoch > budget;
    return timedOut;
  };
  const recorded = events$.pipe(
    o.before ?? identity,
    recordRun({
      out: o.out,
      weights: o.weights,
      stepsPerEpoch: o.stepsPerEpoch,
      append: start.resumed,
      ...(o.curves !== undefined ? { curves: { title: o.curves, history: earlier } } : {}),
    }),
    tap((e) => {
      if (e.type === 'start') epochs = e.epochs;
      if (e.type === 'checkpoint') lastEpoch = e.epoch;
      if (e.type === 'epoch' || e.type === 'validation') start.events.push(e);
    }),
    o.after ?? identity,
    takeWhile((e) => !(e.type === epochEnd && (e.epoch >= stopAfter || outOfTime())), true),
  );
  await lastValueFrom(recorded, { defaultValue: null });
  saveWeights(o.weights, lastEpoch);
  const stopped = (lastEpoch === stopAfter || timedOut) && lastEpoch < epochs;
  if (stopped && o.log && o.name !== undefined) {
    const why = lastEpoch === stopAfter ? '--stop-after' : `--minutes ${o.minutes}: the next epoch would end past the budget`;
    o.log(`${o.name}: stopped after epoch ${lastEpoch} (${why}); continue with --resume`);
  }
  const files = [o.weights.path, join(o.out, CHECKPOINT_FILE), join(o.out, EVENTS_FILE), join(o.out, CURVES_FILE)].filter((f) => existsSync(f));
  return { events: start.events, startEpoch: start.startEpoch, lastEpoch, stopped, files };
}

/**
 * Inserts the event `make(epoch)` after every epoch event, synchronously (the training loop waits
 * for it, so it sees the model that ended the epoch); consumers downstream see the epoch event
 * first, as with `train({ validation })`. For validation that `train(...)` cannot compute itself
 * (embeddings scored by nearest neighbours, say).
 *
 * @example
 * train(options).pipe(afterEpoch((epoch) => ({ type: 'validation', epoch, metrics: { loss, accuracy: knn(), samples } })));
 */
export function afterEpoch(make: (epoch: number) => TrainEvent): MonoTypeOperatorFunction<TrainEvent> {
  return (source) =>
    new Observable<TrainEvent>((subscriber) =>
      source.subscribe({
        next: (event) => {
          subscriber.next(event);
          if (event.type !== 'epoch') return;
          try {
            subscriber.next(make(event.epoch));
          } catch (error) {
            subscriber.error(error);
          }
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      }),
    );
}

/** The events of a run's log `events.jsonl` (a torn last line, from a crash, is skipped). */
export function readEvents(path: string): TrainEvent[] {
  if (!existsSync(path)) return [];
  const events: TrainEvent[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      events.push(JSON.parse(line) as TrainEvent);
    } catch {
      // an incomplete line
    }
  }
  return events;
}

/** One epoch of a classifier's run: its training loss and held-out accuracy. */
export interface EpochRecord {
  epoch: number;
  /** Mean training loss over the epoch's steps. */
  loss: number;
  /** Held-out accuracy after the epoch (NaN without validation). */
  accuracy: number;
  seconds: number;
  backend: string;
}

/**
 * One record per epoch, joining its epoch and validation events.
 *
 * @example
 * records(done.events).map((r) => r.accuracy); // held-out accuracy by epoch
 */
export function records(events: readonly TrainEvent[]): EpochRecord[] {
  const byEpoch = new Map<number, EpochRecord>();
  for (const e of events) {
    if (e.type === 'epoch') byEpoch.set(e.epoch, { epoch: e.epoch, loss: e.loss, accuracy: Number.NaN, seconds: e.seconds, backend: e.backend });
    if (e.type === 'validation') {
      const r = byEpoch.get(e.epoch);
      if (r) r.accuracy = e.metrics.accuracy ?? Number.NaN;
    }
  }
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

/**
 * A confusion matrix as text: rows are true classes, columns predictions, each column as wide as
 * its largest count needs (at least 4).
 *
 * @example
 * log(confusionTable(confusion)); // "true\pred   0   1 …" then one row per true digit
 */
export function confusionTable(confusion: readonly (readonly number[])[]): string {
  const w = Math.max(4, ...confusion.flat().map((v) => String(v).length + 1));
  const head = `true\\pred${[...Array(confusion[0]?.length ?? 0).keys()].map((d) => String(d).padStart(w)).join('')}`;
  return [head, ...confusion.map((row, d) => `${String(d).padStart(9)}${row.map((v) => String(v).padStart(w)).join('')}`)].join('\n');
}
