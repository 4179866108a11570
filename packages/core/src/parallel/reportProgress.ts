import { concatMap, Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { CenterStore, TrainEvent, WorkerReport } from '../index.js';

/**
 * A worker's side of the progress a coordinator shows: passes the worker's training events through
 * unchanged and writes its {@link WorkerReport} to the store at most every `everyMs` (default 250 ms)
 * during an epoch, at every epoch's end (step 0 of the next epoch, with the finished epoch's mean
 * loss) and when done. `samples` counts from `samplesBefore` (what this rank trained before a
 * resume or a replacement).
 *
 * @example
 * train({ model, criterion, optimizer, parallel, data, epochs }).pipe(reportProgress(store, rank)).subscribe();
 */
export function reportProgress(store: CenterStore, rank: number, options: { everyMs?: number; samplesBefore?: number } = {}): MonoTypeOperatorFunction<TrainEvent> {
  const everyMs = options.everyMs ?? 250;
  return (events: Observable<TrainEvent>) => {
    let samples = options.samplesBefore ?? 0;
    let last = 0;
    let epochs = 0;
    let epochLoss = Number.NaN;
    let reportedDone = false;
    return events.pipe(
      concatMap(async (e) => {
        let report: WorkerReport | null = null;
        if (e.type === 'start') epochs = e.epochs;
        if (e.type === 'step') {
          samples += e.samples ?? 0;
          if (Date.now() - last >= everyMs) report = { rank, epoch: e.epoch, step: e.step, samples, loss: e.loss, done: false, time: Date.now() };
        } else if (e.type === 'epoch') {
          epochLoss = e.loss;
          report = { rank, epoch: e.epoch + 1, step: 0, samples, loss: e.loss, done: e.epoch >= epochs, time: Date.now() };
        } else if (e.type === 'done' && !reportedDone) {
          // a run with no epoch left to train (resumed past its last) still says it is done
          report = { rank, epoch: e.epochs, step: 0, samples, loss: epochLoss, done: true, time: Date.now() };
        }
        if (report) {
          reportedDone ||= report.done;
          last = Date.now();
          await store.report(report);
        }
        return e;
      }),
    );
  };
}
