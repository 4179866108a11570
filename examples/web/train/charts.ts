// The page's loss and accuracy curves as Vega-Lite specs of @eole/core/charts (the builders the
// PNGs of Node runs use), drawn by vega (../lib/VegaChart.ts). No DOM here: Node tests import it.
import { lineChart, SERIES_COLORS, type ChartSpec, type Point } from '@eole/core/charts';

/** The curves the page gathers as it trains, by step. */
export interface TrainCurves {
  /** Smoothed training loss after each step. */
  loss: Point[];
  /** Smoothed training-batch accuracy (fraction) after each step. */
  accuracy: Point[];
  /** Held-out accuracy (fraction) at the steps it was measured. */
  heldOut: Point[];
}

const PANEL = { width: 340, height: 150, xLabel: 'step' } as const;
const percent = (points: readonly Point[]): Point[] => points.map(([x, y]) => [x, 100 * y]);

/**
 * The training loss (exponentially smoothed) against the step, on a fixed 0–2.5 range so that a
 * new step only changes the data (the page's view swaps it in).
 *
 * @example
 * chart.show(lossSpec({ loss: [[1, 2.3], [2, 2.1]], accuracy: [], heldOut: [] }));
 */
export function lossSpec(curves: TrainCurves): ChartSpec {
  return lineChart({ ...PANEL, title: 'loss', yLabel: 'cross-entropy', yRange: [0, 2.5], legend: 'top-right', series: [{ name: 'training loss (smoothed)', points: curves.loss, color: SERIES_COLORS[0]! }] });
}

/**
 * The training-batch accuracy (smoothed) and the held-out accuracy with its measurements as dots,
 * in percent against the step.
 *
 * @example
 * chart.show(accuracySpec({ loss: [], accuracy: [[1, 0.1]], heldOut: [[0, 0.12]] }));
 */
export function accuracySpec(curves: TrainCurves): ChartSpec {
  return lineChart({
    ...PANEL,
    title: 'accuracy',
    yLabel: 'accuracy (%)',
    yRange: [0, 100],
    legend: 'bottom-right',
    series: [
      { name: 'training batch (smoothed)', points: percent(curves.accuracy), color: SERIES_COLORS[0]! },
      { name: 'held-out', points: percent(curves.heldOut), color: SERIES_COLORS[1]!, style: 'line+points' },
    ],
  });
}
