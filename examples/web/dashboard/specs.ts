// The dashboard's charts as Vega-Lite specs, from core's chart builders (no DOM: Node tests import it).
import { curvesChart, lineChart, type ChartSeries, type ChartSpec } from '@eole/core/charts';
import type { RunState } from './state.js';

/**
 * The run's learning curves: `curvesChart(curves, name)`, the very spec `plotCurves` renders into
 * the run's `curves.png` after the same events.
 *
 * @example
 * view.show(curvesSpec(run));
 */
export function curvesSpec(run: RunState): ChartSpec {
  return curvesChart(run.curves, run.config?.name);
}

/**
 * The latest step losses (no PNG twin): a line over the step's number in the whole run.
 *
 * @example
 * view.show(stepsSpec(run));
 */
export function stepsSpec(run: RunState): ChartSpec {
  return lineChart({ title: 'step loss (latest steps)', xLabel: 'step', yLabel: 'loss', width: 400, height: 220, legend: 'none', series: [{ name: 'step loss', points: run.steps, size: 1.5 }] });
}

/**
 * The epochs' mean loss terms (a GAN's `lossD`, `lossG`, `D(x)`, …), or null when the run's epochs have none.
 *
 * @example
 * const spec = termsSpec(run);
 * if (spec) view.show(spec);
 */
export function termsSpec(run: RunState): ChartSpec | null {
  const epochs = [...run.epochs.values()].sort((a, b) => a.epoch - b.epoch);
  const names = [...new Set(epochs.flatMap((e) => Object.keys(e.terms ?? {})))];
  if (names.length === 0) return null;
  const series: ChartSeries[] = names.map((name) => ({ name, style: 'line+points', points: epochs.flatMap((e) => (e.terms && name in e.terms ? [[e.epoch, e.terms[name]!] as const] : [])) }));
  return lineChart({ title: 'loss terms per epoch', xLabel: 'epoch', yLabel: 'mean of the epoch', width: 400, height: 220, integerX: true, series });
}
