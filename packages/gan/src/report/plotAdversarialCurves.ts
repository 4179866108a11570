import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { TrainEvent } from '@eole/core';
import { linePlot, type Point } from '@eole/core/report';

/** Options of {@link plotAdversarialCurves}. */
export interface PlotAdversarialCurvesOptions {
  /** Epoch events of a resumed run's earlier epochs (from its `events.jsonl`). */
  history?: readonly TrainEvent[];
  title?: string;
}

/**
 * The curves of an adversarial run, redrawn after every epoch: the discriminator's and the
 * generator's losses per step (light, behind) and per epoch (bold), with D(x) and D(G(z)) per epoch on the
 * same axes (both in [0, 1]). Reads the `terms` of the step and epoch events of `adversarialTrain`.
 *
 * @example
 * adversarialTrain(options).pipe(plotAdversarialCurves('runs/dcgan/losses.png')).subscribe();
 */
export function plotAdversarialCurves(path: string, options: PlotAdversarialCurvesOptions = {}): MonoTypeOperatorFunction<TrainEvent> {
  return (source) =>
    new Observable<TrainEvent>((subscriber) => {
      const epochs = new Map<number, Record<string, number>>();
      for (const e of options.history ?? []) if (e.type === 'epoch' && e.terms) epochs.set(e.epoch, e.terms);
      const steps: { epoch: number; step: number; terms: Record<string, number> }[] = [];
      const lastStep = new Map<number, number>();
      return source.subscribe({
        next: (event) => {
          subscriber.next(event);
          try {
            if (event.type === 'step' && event.terms) {
              steps.push({ epoch: event.epoch, step: event.step, terms: event.terms });
              lastStep.set(event.epoch, event.step);
            }
            if (event.type !== 'epoch' || !event.terms) return;
            epochs.set(event.epoch, event.terms);
            const byEpoch = (k: string): Point[] => [...epochs].sort((a, b) => a[0] - b[0]).map(([x, t]) => [x, t[k] ?? Number.NaN] as Point);
            const bySteps = (k: string): Point[] => steps.map((s) => [s.epoch - 1 + s.step / lastStep.get(s.epoch)!, s.terms[k] ?? Number.NaN] as Point);
            linePlot({
              title: options.title ?? 'adversarial losses',
              xLabel: 'epoch',
              yLabel: 'loss, probability',
              series: [
                ...(steps.length > 1 ? [{ name: 'D step', points: bySteps('lossD'), color: [174, 199, 232] as const, size: 1 }, { name: 'G step', points: bySteps('lossG'), color: [255, 152, 150] as const, size: 1 }] : []),
                { name: 'loss D', points: byEpoch('lossD'), color: [31, 119, 180], size: 3 },
                { name: 'loss G', points: byEpoch('lossG'), color: [214, 39, 40], size: 3 },
                { name: 'D(x)', points: byEpoch('D(x)'), color: [44, 160, 44], dash: [6, 4] },
                { name: 'D(G(z))', points: byEpoch('D(G(z))'), color: [255, 127, 14], dash: [6, 4] },
              ],
              legend: 'outside',
            }).savePNG(path);
          } catch (error) {
            subscriber.error(error);
          }
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}
