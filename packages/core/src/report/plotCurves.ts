import { defer, type MonoTypeOperatorFunction } from 'rxjs';
import type { TrainEvent } from '../stream/events.js';
import { collectCurves, curvesChart, emptyCurves } from './charts/curvesChart.js';
import { drawChart } from './drawChart.js';

/** Options of {@link plotCurves}. */
export interface PlotCurvesOptions {
  /** Events of earlier epochs (a resumed run's log), drawn before the live ones. */
  history?: readonly TrainEvent[];
  /** Prefix of the panel titles, e.g. the example's name. */
  title?: string;
}

/**
 * Draws a run's learning curves ({@link curvesChart}) into a PNG at `path`, rewritten (atomically)
 * after every validation event, so the file always shows the run so far: on the left the training
 * loss of each epoch and the validation loss (log scale), on the right the validation accuracy in
 * percent (left out when the outputs are not class scores). Without any validation event the loss
 * panel is written once, when training is done. Events pass through unchanged; the stream completes
 * once the last picture is on disk.
 *
 * @example
 * train({ model, criterion, optimizer, data, epochs: 10, validation })
 *   .pipe(plotCurves('runs/mlp/curves.png'))
 *   .subscribe();
 */
export function plotCurves(path: string, options: PlotCurvesOptions = {}): MonoTypeOperatorFunction<TrainEvent> {
  return (source) =>
    defer(() => {
      const curves = emptyCurves();
      for (const e of options.history ?? []) collectCurves(curves, e);
      let validated = false;
      return source.pipe(
        drawChart(path, (event: TrainEvent) => {
          collectCurves(curves, event);
          const draw = event.type === 'validation' || (event.type === 'done' && !validated && curves.trainLoss.size > 0);
          if (event.type === 'validation') validated = true;
          return draw ? curvesChart(curves, options.title) : null;
        }),
      );
    });
}
