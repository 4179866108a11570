import type { Range } from './lineChart.js';
import { CHART_CONFIG, SERIES_COLORS, VEGA_LITE_SCHEMA, type ChartSpec } from './theme.js';

/** What {@link scatterChart} draws. */
export interface ScatterChartOptions {
  /** The points, row-major [N, 2]: `x0, y0, x1, y1, …` (a [N, 2] tensor's `data`). */
  points: ArrayLike<number>;
  /** The class of each point, an integer in [0, classes); N of them. */
  labels: ArrayLike<number>;
  /** The legend's name of each class; default `'0'`, `'1'`, …. Its length sets the number of classes when given. */
  classNames?: readonly string[];
  /** One CSS colour per class; default the {@link SERIES_COLORS} cycle. */
  colors?: readonly string[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Size of the plotting area in pixels; default 480 x 480. */
  width?: number;
  height?: number;
  /** Dot radius in pixels; default 2. */
  radius?: number;
  /** Data ranges; default the points' extent plus 5% (non-finite points are left out). */
  xRange?: Range;
  yRange?: Range;
  /**
   * One data unit is as long across as up (default true): the shorter range is widened about its
   * centre, so distances in the picture are the distances of the embedding.
   */
  equalAspect?: boolean;
  /** Where the legend goes: right of the plot (`outside`, default), a corner inside it, or `none`. */
  legend?: 'outside' | 'top-right' | 'top-left' | 'bottom-right' | 'bottom-left' | 'none';
}

/** One dot of a {@link scatterChart}. */
export interface ScatterRow {
  x: number;
  y: number;
  /** The class name. */
  label: string;
}

/**
 * A scatter plot of labelled 2-D points as a Vega-Lite spec, one colour per class, with axes and a
 * legend: the picture of a learned embedding (Hadsell, Chopra & LeCun, "Dimensionality Reduction by
 * Learning an Invariant Mapping", CVPR 2006, figures 4 to 7). Points are drawn in the order given,
 * so a shuffled order keeps any one class from hiding the others.
 *
 * @example
 * const spec = scatterChart({ points: emb.data, labels: digits, title: 'DrLIM embedding', xLabel: 'z1', yLabel: 'z2' });
 * await renderPng(spec, 'runs/mnist-drlim/embedding.png');
 */
export function scatterChart(options: ScatterChartOptions): ChartSpec {
  const { points, labels } = options;
  const n = labels.length;
  if (points.length !== 2 * n) throw new RangeError(`scatterChart: points must hold 2 values per label (shape [${n}, 2] = ${2 * n} values), got ${points.length} values for ${n} labels`);
  const classes = options.classNames?.length ?? maxLabel(labels) + 1;
  const names = options.classNames ?? Array.from({ length: classes }, (_, c) => String(c));
  const colors = options.colors ?? SERIES_COLORS;
  if (colors.length === 0) throw new RangeError('scatterChart: colors must not be empty');
  const values: ScatterRow[] = [];
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= classes) throw new RangeError(`scatterChart: labels[${i}] must be an integer in [0, ${classes}), got ${c}`);
    const x = points[2 * i]!;
    const y = points[2 * i + 1]!;
    if (Number.isFinite(x) && Number.isFinite(y)) values.push({ x, y, label: names[c]! });
  }
  const width = options.width ?? 480;
  const height = options.height ?? 480;
  let xRange = options.xRange ?? padded(points, 0);
  let yRange = options.yRange ?? padded(points, 1);
  if (options.equalAspect ?? true) [xRange, yRange] = equalAspect(xRange, yRange, width, height);
  const where = options.legend ?? 'outside';
  const legend = where === 'none' ? null : { title: null, orient: where === 'outside' ? ('right' as const) : where };
  const radius = options.radius ?? 2;
  const scale = (r: Range) => ({ domain: [r[0], r[1]], zero: false, nice: false });
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: CHART_CONFIG,
    ...(options.title ? { title: options.title } : {}),
    width,
    height,
    data: { values },
    mark: { type: 'circle', size: Math.PI * radius * radius, opacity: 1, clip: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: options.xLabel ?? 'x', scale: scale(xRange) },
      y: { field: 'y', type: 'quantitative', title: options.yLabel ?? 'y', scale: scale(yRange) },
      color: { field: 'label', type: 'nominal', scale: { domain: [...names], range: names.map((_, c) => colors[c % colors.length]!) }, legend },
    },
  };
}

function maxLabel(labels: ArrayLike<number>): number {
  let m = -1;
  for (let i = 0; i < labels.length; i++) if (labels[i]! > m) m = labels[i]!;
  return Math.max(0, Math.floor(m));
}

/** The finite extent of coordinate `axis` of the points, plus 5% each side ([−1, 1] when there is none). */
function padded(points: ArrayLike<number>, axis: 0 | 1): Range {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = axis; i < points.length; i += 2) {
    const v = points[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(lo <= hi)) return [-1, 1];
  if (hi === lo) return [lo - (Math.abs(lo) || 1) * 0.1, hi + (Math.abs(hi) || 1) * 0.1];
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

/** Widens the range with fewer data units per pixel about its centre, so both axes have the same scale. */
function equalAspect(x: Range, y: Range, width: number, height: number): [Range, Range] {
  const sx = (x[1] - x[0]) / width;
  const sy = (y[1] - y[0]) / height;
  const widen = (r: Range, pixels: number, scale: number): Range => {
    const mid = (r[0] + r[1]) / 2;
    const half = (scale * pixels) / 2;
    return [mid - half, mid + half];
  };
  return sx >= sy ? [x, widen(y, height, sx)] : [widen(x, width, sy), y];
}
