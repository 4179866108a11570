import type { TrainEvent } from '../../stream/events.js';
import { linePanel, type Point, type Range } from './lineChart.js';
import { CHART_CONFIG, SERIES_COLORS, VEGA_LITE_SCHEMA, type ChartSpec } from './theme.js';

/** The curves gathered from a run's events, by epoch. */
export interface Curves {
  trainLoss: Map<number, number>;
  validationLoss: Map<number, number>;
  /** Percent. */
  validationAccuracy: Map<number, number>;
}

/** Empty {@link Curves}, to fill with {@link collectCurves}. */
export function emptyCurves(): Curves {
  return { trainLoss: new Map(), validationLoss: new Map(), validationAccuracy: new Map() };
}

/**
 * Adds what a training event says to `curves`: an epoch event's mean training loss, a validation
 * event's loss and accuracy (as percent). Returns true when the event changed the curves.
 *
 * @example
 * const curves = emptyCurves();
 * for (const e of events) collectCurves(curves, e);
 */
export function collectCurves(curves: Curves, e: TrainEvent): boolean {
  if (e.type === 'epoch') {
    curves.trainLoss.set(e.epoch, e.loss);
    return true;
  }
  if (e.type !== 'validation') return false;
  curves.validationLoss.set(e.epoch, e.metrics.loss);
  if (e.metrics.accuracy !== undefined) curves.validationAccuracy.set(e.epoch, e.metrics.accuracy * 100);
  return true;
}

/**
 * The learning curves of a run as a Vega-Lite spec: on the left the training loss of each epoch and
 * the validation loss (dashed), log scale; on the right, when there are accuracies, the validation
 * accuracy in percent with its last value in the legend. X ticks are whole epochs.
 *
 * @example
 * const spec = curvesChart({ trainLoss: new Map([[1, 0.4], [2, 0.2]]), validationLoss: new Map(), validationAccuracy: new Map() }, 'mnist-mlp');
 * await renderPng(spec, 'runs/mnist-mlp/curves.png'); // or, in a page: new View(parse(compile(spec).spec), { container: '#curves' })
 */
export function curvesChart(curves: Curves, title?: string): ChartSpec {
  const train = points(curves.trainLoss).filter(([, y]) => y > 0);
  const validation = points(curves.validationLoss).filter(([, y]) => y > 0);
  const accuracy = points(curves.validationAccuracy);
  const prefix = title ? `${title}: ` : '';
  const xRange = epochRange([...train, ...validation, ...accuracy].map(([x]) => x));
  const panel = { width: 400, height: 300, xLabel: 'epoch', xRange, integerX: true };
  const loss = linePanel({
    ...panel,
    title: `${prefix}loss`,
    yLabel: 'loss (log scale)',
    yLog: true,
    legend: 'top-right',
    series: [
      { name: 'training loss', points: train, color: SERIES_COLORS[0]!, style: 'line+points' },
      { name: 'validation loss', points: validation, color: SERIES_COLORS[1]!, style: 'line+points', dash: [6, 3] },
    ],
  });
  const panels = [loss];
  if (accuracy.length > 0) {
    const last = accuracy.at(-1)![1];
    panels.push(
      linePanel({
        ...panel,
        title: `${prefix}validation accuracy`,
        yLabel: 'accuracy (%)',
        yRange: percentRange(accuracy.map(([, y]) => y)),
        legend: 'bottom-right',
        series: [{ name: `validation accuracy (last ${last.toFixed(2)}%)`, points: accuracy, color: SERIES_COLORS[2]!, style: 'line+points' }],
      }),
    );
  }
  return { $schema: VEGA_LITE_SCHEMA, config: CHART_CONFIG, hconcat: panels, resolve: { scale: { color: 'independent', strokeDash: 'independent' } } };
}

function points(m: ReadonlyMap<number, number>): Point[] {
  return [...m].filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).sort((a, b) => a[0] - b[0]);
}

function epochRange(epochs: readonly number[]): Range {
  if (epochs.length === 0) return [0.75, 2.25];
  const first = Math.min(...epochs);
  const last = Math.max(...epochs, first + 1);
  return [first - 0.25, last + 0.25];
}

function percentRange(values: readonly number[]): Range {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = hi > lo ? (hi - lo) * 0.1 : 1;
  const top = Math.min(100, hi + pad);
  return [Math.max(0, Math.min(lo - pad, top - 0.5)), top];
}
