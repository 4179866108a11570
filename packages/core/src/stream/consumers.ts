import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { TrainEvent } from './events.js';
import { epochContext } from './train.js';
import { loadTrainState, saveTrainState, type TrainState } from './TrainState.js';

/**
 * Writes a checkpoint (`<dir>/checkpoint.safetensors`: model, optimizer, scheduler, generator
 * states) after every `every`-th epoch, atomically, so the folder always holds the last good one,
 * and inserts a `checkpoint` event after the epoch event.
 *
 * @example
 * train(opts).pipe(checkpoint('runs/mlp')).subscribe();
 */
export function checkpoint(dir: string, every = 1): MonoTypeOperatorFunction<TrainEvent> {
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`checkpoint: every must be a positive integer, got ${every}`);
  return (source) =>
    new Observable<TrainEvent>((subscriber) =>
      source.subscribe({
        next: (event) => {
          subscriber.next(event);
          const context = epochContext(event);
          if (event.type !== 'epoch' || !context || event.epoch % every !== 0) return;
          try {
            mkdirSync(dir, { recursive: true });
            subscriber.next({ type: 'checkpoint', epoch: event.epoch, path: saveTrainState(dir, context.state, event.epoch) });
          } catch (error) {
            subscriber.error(error);
          }
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      }),
    );
}

/**
 * Restores the last checkpoint in `dir` into the live model, optimizer, scheduler and generators,
 * and returns the epoch to start from (1 when there is none): pass it as `train({ startEpoch })`.
 * A damaged or foreign checkpoint is an error that names the file and the field, and changes
 * nothing (see {@link loadTrainState}).
 *
 * @example
 * const startEpoch = resume('runs/mlp', { model, optimizer, scheduler, rngs: { shuffle } });
 * train({ model, criterion, optimizer, data, epochs: 10, startEpoch }).pipe(checkpoint('runs/mlp')).subscribe();
 */
export function resume(dir: string, state: TrainState): number {
  return loadTrainState(dir, state) + 1;
}

/**
 * Appends every event as one JSON line to `path` (created, with its folder; truncated first unless
 * `append`), the machine-readable log of a run.
 */
export function jsonLines(path: string, options: { append?: boolean; steps?: boolean } = {}): MonoTypeOperatorFunction<TrainEvent> {
  return (source) =>
    new Observable<TrainEvent>((subscriber) => {
      mkdirSync(dirname(path), { recursive: true });
      if (!options.append) writeFileSync(path, '');
      return source.subscribe({
        next: (event) => {
          if (event.type !== 'step' || options.steps !== false) appendFileSync(path, `${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
          subscriber.next(event);
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}
