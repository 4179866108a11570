import { CHART_CONFIG, SERIES_COLORS, VEGA_LITE_SCHEMA, type ChartSpec, type LayeredPanel } from './theme.js';

/** A data point `[x, y]`. */
export type Point = readonly [number, number];

/** A data range `[lo, hi]`. */
export type Range = readonly [number, number];

/** One named curve (or set of dots) of a {@link lineChart}. */
export interface ChartSeries {
  /** Legend entry; an empty name keeps the series out of the legend. */
  name: string;
  points: readonly Point[];
  /** A CSS colour; default the next of {@link SERIES_COLORS}. */
  color?: string;
  /** Joined by a line (default), drawn as dots, or both. */
  style?: 'line' | 'points' | 'line+points';
  /** Line width or dot radius in pixels; default 2 (lines) or 3 (dots). */
  size?: number;
  /** Dash pattern `[on, off]` for lines. */
  dash?: readonly [number, number];
  /** Opacity in [0, 1]; default 1. */
  opacity?: number;
}

/** What {@link lineChart} draws. */
export interface LineChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  series: readonly ChartSeries[];
  /** Size of the plotting area in pixels; default 520 x 330. */
  width?: number;
  height?: number;
  /** Data ranges; default: the data's extent. Marks outside are clipped. */
  xRange?: Range;
  yRange?: Range;
  /** Logarithmic y axis (for losses); non-positive values are left out. */
  yLog?: boolean;
  /** Whole-number x ticks only (epochs). */
  integerX?: boolean;
  /** Where the legend goes: a corner of the plot, `outside` (right of it, default) or `none`. */
  legend?: 'top-right' | 'top-left' | 'bottom-right' | 'bottom-left' | 'outside' | 'none';
}

/** One row of a chart's data table. */
export interface SeriesRow {
  series: string;
  x: number;
  y: number;
  /** Position in its series, so lines join points in the order given. */
  i: number;
}

/**
 * A Vega-Lite spec of curves (loss, accuracy) or dots with axes, a title, axis labels and a legend;
 * render it in a page (vega-lite's `compile`, then a vega `View`) or to a file with `renderPng` of `@eole/core/report`.
 *
 * @example
 * const spec = lineChart({ title: 'Training loss', xLabel: 'epoch', yLabel: 'loss',
 *   series: [{ name: 'train', points: [[1, 0.9], [2, 0.5], [3, 0.3]] }] });
 * await renderPng(spec, 'runs/demo/loss.png');
 */
export function lineChart(options: LineChartOptions): ChartSpec {
  return { $schema: VEGA_LITE_SCHEMA, config: CHART_CONFIG, ...linePanel(options) };
}

/**
 * The panel of {@link lineChart} without `$schema` and `config`, to place beside others
 * (`hconcat`). One layer per series, each with its rows (`series`, `x`, `y`, `i`); colour and dash
 * come from scales over the series names, so one legend shows both.
 *
 * @example
 * const spec = { hconcat: [linePanel(loss), linePanel(accuracy)] };
 */
export function linePanel(options: LineChartOptions): LayeredPanel {
  const yLog = options.yLog ?? false;
  const all = options.series.map((s, k) => ({ ...s, color: s.color ?? SERIES_COLORS[k % SERIES_COLORS.length]! }));
  const named = all.filter((s) => s.name !== '');
  const legend = legendOf(options.legend ?? 'outside', named.length);
  const colorScale = { domain: named.map((s) => s.name), range: named.map((s) => s.color) };
  const dashScale = { domain: named.map((s) => s.name), range: named.map((s) => (s.dash ? [...s.dash] : [1, 0])) };
  const anyDash = named.some((s) => s.dash);
  const x = { field: 'x', type: 'quantitative' as const, title: options.xLabel ?? 'x', scale: axisScale(options.xRange, false), ...(options.integerX ? { axis: { tickMinStep: 1, format: 'd' } } : {}) };
  const yRange = options.yRange ?? (yLog ? logRange(all.flatMap((s) => s.points.map((p) => p[1]))) : undefined);
  const y = { field: 'y', type: 'quantitative' as const, title: options.yLabel ?? 'y', scale: axisScale(yRange, yLog), axis: { tickCount: 6 } };
  const layer = all.map((s) => {
    const values: SeriesRow[] = s.points
      .map(([px, py], i) => ({ series: s.name, x: px, y: py, i }))
      .filter((r) => Number.isFinite(r.x) && Number.isFinite(r.y) && (!yLog || r.y > 0));
    const byName = s.name !== '';
    const color = byName ? { field: 'series', type: 'nominal' as const, scale: colorScale, legend } : { value: s.color };
    const strokeDash = byName && anyDash ? { field: 'series', type: 'nominal' as const, scale: dashScale, legend } : undefined;
    const style = s.style ?? 'line';
    const size = s.size ?? (style === 'points' ? 3 : 2);
    const opacity = s.opacity ?? 1;
    if (style === 'points') {
      return { data: { values }, mark: { type: 'circle' as const, size: Math.PI * size * size, opacity, clip: true }, encoding: { x, y, color } };
    }
    const point = style === 'line+points' ? { filled: true, size: 30, opacity } : false;
    const mark = { type: 'line' as const, strokeWidth: size, clip: true, point, opacity, ...(s.dash && !strokeDash ? { strokeDash: [...s.dash] } : {}) };
    return { data: { values }, mark, encoding: { x, y, order: { field: 'i', type: 'quantitative' as const }, color, ...(strokeDash ? { strokeDash } : {}) } };
  });
  return {
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? 520,
    height: options.height ?? 330,
    layer,
  };
}

/** A scale fixed to `range` (no rounding out, no forced zero), or the data's extent. */
function axisScale(range: Range | undefined, log: boolean): { type: 'linear' | 'log'; zero?: boolean; nice: boolean; domain?: number[] } {
  return { type: log ? 'log' : 'linear', ...(log ? {} : { zero: false }), nice: range === undefined && !log, ...(range ? { domain: [range[0], range[1]] } : {}) };
}

/** The positive values' extent widened by 8% of its decades each side (half a decade for one value); undefined when none. */
function logRange(values: readonly number[]): Range | undefined {
  const logs = values.filter((v) => Number.isFinite(v) && v > 0).map(Math.log10);
  if (logs.length === 0) return undefined;
  const [a, b] = [Math.min(...logs), Math.max(...logs)];
  const pad = b > a ? (b - a) * 0.08 : 0.5;
  return [10 ** (a - pad), 10 ** (b + pad)];
}

/** The legend of the series scales: at a corner inside the plot, right of it, or none. */
function legendOf(where: NonNullable<LineChartOptions['legend']>, count: number): { title: null; orient: 'top-right' | 'top-left' | 'bottom-right' | 'bottom-left' | 'right'; symbolType: string; symbolStrokeWidth: number } | null {
  if (where === 'none' || count === 0) return null;
  return { title: null, orient: where === 'outside' ? 'right' : where, symbolType: 'stroke', symbolStrokeWidth: 2 };
}
