import { Observable } from 'rxjs';
import { kernels } from '../kernels/KernelRegistry.js';
import { pull, yieldTurn } from './operators.js';
import { backendsUsed, type TrainEvent } from './events.js';
import { samplesOf, withEpochContext, type Batch, type EpochSource } from './train.js';
import type { TrainState } from './TrainState.js';

/** What one step of a {@link trainLoop} reports. */
export interface StepResult {
  /** The step's loss (its event's `loss`; the epoch event has their mean). */
  loss: number;
  /** Further named figures (the epoch event has their means). */
  terms?: Record<string, number>;
}

/** Options of {@link trainLoop}. */
export interface TrainLoopOptions {
  data: EpochSource;
  epochs: number;
  /** The first epoch to run (1-based; from `resume`). */
  startEpoch?: number;
  /** What a checkpoint after an epoch saves (the model's parameters are counted for the start event). */
  state: TrainState;
  /** One optimisation step on a batch; `where` (`<name>: epoch E, step S`) starts its error messages. */
  step(batch: Batch, where: string): StepResult | Promise<StepResult>;
  /** Awaited once before the first epoch (a parallel worker joins its run). */
  begin?(): Promise<void>;
  /** Awaited once after the last epoch, before `done`. */
  end?(): Promise<void>;
  /** The name in error messages (`train`, `adversarialTrain`). */
  name: string;
  /** Called before each epoch's first step (`model.train()`). */
  beginEpoch?(epoch: number): void;
  /** Called after each step's event (a per-step scheduler: the event keeps the step's lr). */
  endStep?(): void;
  /** Called after an epoch's last step, before its event (a scheduler's step: the event keeps the epoch's lr). */
  endEpoch?(epoch: number): void;
  /** Events after the epoch event (held-out metrics); `cancelled()` turns true on unsubscribe. */
  afterEpoch?(epoch: number, cancelled: () => boolean): Promise<TrainEvent | null>;
}

/**
 * The loop every training stream shares: subscribing runs it and emits `start`, a `step` per batch
 * (loss, terms, samples/s, backends), an `epoch` per pass over `data` (means, the state behind it
 * for `checkpoint`), whatever `afterEpoch` adds, and `done`. Unsubscribing stops it within a step;
 * an error in a step ends the stream with it. `train(...)` and `@eole/gan`'s `adversarialTrain(...)`
 * are this loop with their own step.
 *
 * @example
 * trainLoop({ name: 'mine', data, epochs: 3, state: { model, optimizer }, step: (b) => ({ loss: myStep(b) }) })
 *   .pipe(progressBar(), checkpoint('runs/mine')).subscribe();
 */
export function trainLoop(o: TrainLoopOptions): Observable<TrainEvent> {
  const { epochs, state } = o;
  const startEpoch = o.startEpoch ?? 1;
  return new Observable<TrainEvent>((subscriber) => {
    let stopped = false;
    const run = async (): Promise<void> => {
      const started = performance.now();
      const parameters = state.model.parameters().reduce((s, p) => s + p.size, 0);
      subscriber.next({ type: 'start', epochs, startEpoch, parameters });
      await o.begin?.();
      let knownSteps: number | null = null;
      for (let epoch = startEpoch; epoch <= epochs && !stopped; epoch++) {
        o.beginEpoch?.(epoch);
        const epochStart = performance.now();
        const before = kernels.stats().calls;
        let step = 0;
        let samples = 0;
        let total = 0;
        const sums = new Map<string, number>();
        let lastLr = state.optimizer.lr;
        const iterator = pull(typeof o.data === 'function' ? o.data(epoch) : o.data);
        try {
          for await (const b of iterator) {
            if (stopped) break;
            step++;
            const t0 = performance.now();
            const callsBefore = kernels.stats().calls;
            const pending = o.step(b, `${o.name}: epoch ${epoch}, step ${step}`);
            const result = pending instanceof Promise ? await pending : pending;
            const count = samplesOf(b);
            samples += count;
            total += result.loss;
            for (const [k, v] of Object.entries(result.terms ?? {})) sums.set(k, (sums.get(k) ?? 0) + v);
            lastLr = state.optimizer.lr;
            subscriber.next({
              type: 'step',
              epoch,
              step,
              steps: knownSteps,
              loss: result.loss,
              lr: lastLr,
              samples: count,
              samplesPerSec: count / Math.max((performance.now() - t0) / 1000, 1e-9),
              backend: backendsUsed(callsBefore, kernels.stats().calls),
              ...(result.terms ? { terms: { ...result.terms } } : {}),
            });
            o.endStep?.();
            await yieldTurn();
          }
        } finally {
          await iterator.return(undefined);
        }
        if (stopped) return;
        if (step === 0) throw new Error(`${o.name}: epoch ${epoch} had no batches`);
        knownSteps = step;
        const lr = lastLr;
        o.endEpoch?.(epoch);
        const event: TrainEvent & { type: 'epoch' } = {
          type: 'epoch',
          epoch,
          epochs,
          loss: total / step,
          steps: step,
          samples,
          seconds: (performance.now() - epochStart) / 1000,
          lr,
          backend: backendsUsed(before, kernels.stats().calls),
          ...(sums.size > 0 ? { terms: Object.fromEntries([...sums].map(([k, v]) => [k, v / step])) } : {}),
        };
        subscriber.next(withEpochContext(event, state));
        if (stopped) return;
        const extra = await o.afterEpoch?.(epoch, () => stopped);
        if (stopped) return;
        if (extra) subscriber.next(extra);
      }
      if (!stopped) await o.end?.();
      if (!stopped) {
        subscriber.next({ type: 'done', epochs, seconds: (performance.now() - started) / 1000 });
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
