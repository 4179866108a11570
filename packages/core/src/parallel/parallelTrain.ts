import { Observable } from 'rxjs';
import {
  evaluateBatches, ParameterVector, SGD, withEpochContext,
  type Batch, type CenterStore, type Criterion, type EpochSource, type Generator, type Module, type Optimizer, type TrainEvent, type WorkerReport,
} from '../index.js';
import type { WorkerGroup } from './WorkerGroup.js';

/** Options of {@link parallelTrain}. */
export interface ParallelTrainOptions {
  /** The coordinator's copy of the model: the centre is loaded into it to evaluate and checkpoint. */
  model: Module;
  criterion: Criterion;
  /** Where the workers keep the centre. */
  store: CenterStore;
  /** The number of ranks. */
  workers: number;
  epochs: number;
  /** The first epoch (after `--resume`). */
  startEpoch?: number;
  /** Held-out batches, evaluated on the centre after every epoch. */
  validation?: EpochSource;
  /** The workers this coordinator started, if any (their exits are noticed at once). */
  group?: WorkerGroup;
  /** Generators a checkpoint keeps. */
  rngs?: Record<string, Generator>;
  /**
   * The optimizer a checkpoint records (default a plain `SGD` with lr 0: the coordinator optimizes
   * nothing; the workers' own optimizers stay with them). Pass the one `--resume` restores into.
   */
  optimizer?: Optimizer;
  /** Local steps per epoch of all workers together, for the progress bar (null: learnt after epoch 1). */
  stepsPerEpoch?: number | null;
  /** How often to read the workers' reports (default 200 ms). */
  pollMs?: number;
  /** A worker silent this long is counted out (default 120 s): the only sign of a remote worker's death. */
  staleMs?: number;
}

/**
 * The coordinator of a data-parallel run as a training stream: it trains nothing itself; it reads
 * the workers' reports from the store and emits the events of core's `train(...)`, so every
 * consumer (progress bar, `events.jsonl`, checkpoint, curves) works unchanged:
 * `start`; `step` with the job's progress (steps of all workers, their mean loss, the samples/s of
 * all together); an `epoch` once every live worker has finished it, carrying the centre x̃ loaded
 * into `model` (so `checkpoint(dir)` saves the centre, atomically) and then `validation` on it;
 * `done` when every live worker is done.
 *
 * A worker that dies (its thread or process ends before it reported done, or it stays silent for
 * `staleMs`) is counted out: the others go on and the epochs complete without it; a replacement
 * that joins under its rank is counted in again. When every worker is gone the stream errors,
 * naming how each ended.
 *
 * @example
 * const store = SharedCenter.create(size, 2);
 * const group = startWorkers({ transport: 'threads', workers: 2, script, argv, assignment });
 * parallelTrain({ model, criterion, store, group, workers: 2, epochs: 10, validation }).pipe(progressBar(), checkpoint(out)).subscribe();
 */
export function parallelTrain(o: ParallelTrainOptions): Observable<TrainEvent> {
  const pollMs = o.pollMs ?? 200;
  const staleMs = o.staleMs ?? 120_000;
  const startEpoch = o.startEpoch ?? 1;
  const vector = new ParameterVector(o.model.parameters());
  if (vector.size !== o.store.size) throw new RangeError(`parallelTrain: the model holds ${vector.size} values, the store's centre ${o.store.size}`);
  const state = { model: o.model, optimizer: o.optimizer ?? new SGD(o.model.parameters(), { lr: 0 }), ...(o.rngs ? { rngs: o.rngs } : {}) };
  return new Observable<TrainEvent>((subscriber) => {
    let stopped = false;
    const run = async (): Promise<void> => {
      const started = performance.now();
      subscriber.next({ type: 'start', epochs: o.epochs, startEpoch, parameters: vector.size });
      let epoch = startEpoch;
      let epochStarted = performance.now();
      let epochSamples: number | null = null;
      let lastSamples: number | null = null;
      let lastTime = performance.now();
      let steps = o.stepsPerEpoch ?? null;
      const epochLoss = new Map<number, number>();
      const x = new Float32Array(vector.size);
      while (epoch <= o.epochs && !stopped) {
        await sleep(pollMs);
        if (stopped) return;
        const reports = new Map((await o.store.reports()).map((r) => [r.rank, r]));
        const live = liveRanks(o, reports, staleMs);
        if (live.length === 0) throw new Error(`parallelTrain: every worker is gone (${describeExits(o, reports)})`);
        const now = performance.now();
        const samples = [...reports.values()].reduce((s, r) => s + r.samples, 0);
        epochSamples ??= samples;
        const inEpoch = live.map((k) => reports.get(k)).filter((r): r is WorkerReport => r !== undefined && r.epoch === epoch && !r.done);
        if (lastSamples !== null && samples > lastSamples && inEpoch.length > 0) {
          subscriber.next({
            type: 'step',
            epoch,
            step: inEpoch.reduce((s, r) => s + r.step, 0),
            steps,
            loss: inEpoch.reduce((s, r) => s + r.loss, 0) / inEpoch.length,
            lr: 0,
            samples: samples - lastSamples,
            samplesPerSec: (samples - lastSamples) / Math.max((now - lastTime) / 1000, 1e-9),
            backend: `${live.length} workers`,
          });
        }
        if (lastSamples === null || samples > lastSamples) {
          lastSamples = samples;
          lastTime = now;
        }
        for (const r of reports.values()) if (r.step === 0 && r.epoch === epoch + 1) epochLoss.set(r.rank, r.loss);
        while (epoch <= o.epochs && live.every((k) => finished(reports.get(k), epoch))) {
          await o.store.read(x);
          vector.scatter(x);
          const finishers = live.map((k) => reports.get(k)!);
          const losses = finishers.map((r) => (r.done ? r.loss : (epochLoss.get(r.rank) ?? r.loss)));
          const seconds = (performance.now() - epochStarted) / 1000;
          epochStarted = performance.now();
          const event: TrainEvent & { type: 'epoch' } = {
            type: 'epoch', epoch, epochs: o.epochs, loss: losses.reduce((s, v) => s + v, 0) / losses.length,
            steps: finishers.reduce((s, r) => s + (r.epoch > epoch ? 0 : r.step), 0) || (steps ?? 0), samples: samples - epochSamples, seconds, lr: 0, backend: `${live.length} workers`,
          };
          steps ??= event.steps || null;
          subscriber.next(withEpochContext(event, state));
          if (o.validation) {
            const source = typeof o.validation === 'function' ? o.validation(epoch) : o.validation;
            const metrics = await evaluateBatches(o.model, o.criterion, source as Observable<Batch>, () => stopped);
            if (stopped) return;
            subscriber.next({ type: 'validation', epoch, metrics });
          }
          epochLoss.clear();
          epochSamples = samples;
          epoch++;
        }
      }
      if (!stopped) {
        subscriber.next({ type: 'done', epochs: o.epochs, seconds: (performance.now() - started) / 1000 });
        subscriber.complete();
      }
    };
    run().catch((error: unknown) => {
      if (!stopped) subscriber.error(error);
    });
    return () => {
      stopped = true;
    };
  });
}

/** True when `r` shows its worker past `epoch` (or done with all its epochs). */
function finished(r: WorkerReport | undefined, epoch: number): boolean {
  return r !== undefined && (r.done || r.epoch > epoch);
}

/** The ranks still working or done: not ended early, not silent for `staleMs`. */
function liveRanks(o: ParallelTrainOptions, reports: Map<number, WorkerReport>, staleMs: number): number[] {
  const exits = o.group?.exited();
  const out: number[] = [];
  for (let k = 0; k < o.workers; k++) {
    const r = reports.get(k);
    if (r?.done) {
      out.push(k);
      continue;
    }
    if (exits?.has(k)) continue;
    if (r && Date.now() - r.time > staleMs) continue;
    out.push(k);
  }
  return out;
}

function describeExits(o: ParallelTrainOptions, reports: Map<number, WorkerReport>): string {
  const exits = o.group?.exited();
  return Array.from({ length: o.workers }, (_, k) => {
    const e = exits?.get(k);
    if (e) return `rank ${k} ${e.signal ? `killed by ${e.signal}` : `exited with code ${e.code}`}${e.error ? `: ${e.error}` : ''}`;
    const r = reports.get(k);
    return r ? `rank ${k} silent since ${new Date(r.time).toISOString()}` : `rank ${k} never reported`;
  }).join('; ');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
