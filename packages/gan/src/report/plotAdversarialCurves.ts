import { defer, type MonoTypeOperatorFunction } from 'rxjs';
import type { TrainEvent } from '@eole/core';
import { drawChart } from '@eole/core/report';
import { adversarialChart, type AdversarialStep } from './adversarialChart.js';

/** Options of {@link plotAdversarialCurves}. */
export interface PlotAdversarialCurvesOptions {
  /** Epoch events of a resumed run's earlier epochs (from its `events.jsonl`). */
  history?: readonly TrainEvent[];
  title?: string;
}

/**
 * The curves of an adversarial run ({@link adversarialChart}), redrawn into a PNG at `path` after
 * every epoch. Reads the `terms` of the step and epoch events of `adversarialTrain`; events pass
 * through at once, and the stream completes once the last picture is written.
 *
 * @example
 * adversarialTrain(options).pipe(plotAdversarialCurves('runs/dcgan/losses.png')).subscribe();
 */
export function plotAdversarialCurves(path: string, options: PlotAdversarialCurvesOptions = {}): MonoTypeOperatorFunction<TrainEvent> {
  return (source) =>
    defer(() => {
      const epochs = new Map<number, Record<string, number>>();
      for (const e of options.history ?? []) if (e.type === 'epoch' && e.terms) epochs.set(e.epoch, e.terms);
      const steps: AdversarialStep[] = [];
      const stepsPerEpoch = new Map<number, number>();
      return source.pipe(
        drawChart(path, (event: TrainEvent) => {
          if (event.type === 'step' && event.terms) {
            steps.push({ epoch: event.epoch, step: event.step, terms: event.terms });
            stepsPerEpoch.set(event.epoch, event.step);
          }
          if (event.type !== 'epoch' || !event.terms) return null;
          epochs.set(event.epoch, event.terms);
          return adversarialChart({ epochs: new Map(epochs), steps: [...steps], stepsPerEpoch: new Map(stepsPerEpoch) }, options.title);
        }),
      );
    });
}
