import type { Range } from './lineChart.js';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, type ChartSpec, type LayerPanel } from './theme.js';

/** What {@link heatmapChart} draws. */
export interface HeatmapChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Data coordinates of the grid's left and right edges; default [0, w]. */
  xRange?: Range;
  /** Data coordinates of the grid's bottom and top edges; default [0, h]. */
  yRange?: Range;
  /** Row 0 at the top (`upper`, images; default) or at the bottom (`lower`, math surfaces). */
  origin?: 'upper' | 'lower';
  /** Value range mapped to the colour scheme; default the values' min and max. Values outside are clamped. */
  min?: number;
  max?: number;
  /** A Vega colour scheme; default `viridis`. */
  scheme?: string;
  /** Title of the colour legend (the colour bar). */
  colorbarLabel?: string;
  /** Draw the colour bar (default true). */
  colorbar?: boolean;
  /** Pixels per cell; default: about 400 pixels across the larger side. */
  cell?: number;
  /** Tick values of the axes; default Vega's. */
  xTicks?: readonly number[];
  yTicks?: readonly number[];
  /** Layers drawn over the grid, in the same data coordinates (fields `x`, `y`): curves, markers, notes. */
  overlays?: readonly LayerPanel[];
}

/** One cell of a {@link heatmapChart}: its edges in data coordinates and its value. */
export interface HeatmapCell {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  v: number;
}

/**
 * A w x h grid of values (row-major) as coloured cells with a colour bar, axes in data coordinates
 * and optional overlay layers: a confusion matrix, a loss surface with descent paths.
 *
 * @example
 * const spec = heatmapChart(confusion.flat(), 10, 10, { title: 'confusion', xLabel: 'predicted', yLabel: 'true', origin: 'lower' });
 * await renderPng(spec, 'runs/spoken-digits/confusion.png');
 */
export function heatmapChart(values: ArrayLike<number>, w: number, h: number, options: HeatmapChartOptions = {}): ChartSpec {
  if (values.length !== w * h) throw new RangeError(`heatmapChart: expected ${w}x${h} = ${w * h} values, got ${values.length}`);
  const [xa, xb] = options.xRange ?? [0, w];
  const [ya, yb] = options.yRange ?? [0, h];
  const [dx, dy] = [(xb - xa) / w, (yb - ya) / h];
  const flip = options.origin === 'lower';
  const cells: HeatmapCell[] = [];
  for (let r = 0; r < h; r++) {
    const row = flip ? r : h - 1 - r; // row index counted from the bottom edge
    for (let c = 0; c < w; c++) {
      const v = values[r * w + c]!;
      // each cell reaches a little into the next, so anti-aliasing leaves no seams between cells
      if (Number.isFinite(v)) cells.push({ x0: xa + c * dx, x1: xa + (c + (c < w - 1 ? 1.05 : 1)) * dx, y0: ya + row * dy, y1: ya + (row + (row < h - 1 ? 1.05 : 1)) * dy, v });
    }
  }
  const [vmin, vmax] = minMax(values);
  const lo = options.min ?? vmin;
  const hi = Math.max(options.max ?? vmax, lo + 1e-12);
  const cell = options.cell ?? Math.max(1, Math.floor(400 / Math.max(w, h)));
  const axis = (title: string | undefined, ticks: readonly number[] | undefined) => ({ title: title ?? null, ...(ticks ? { values: [...ticks] } : {}) });
  const scale = (a: number, b: number) => ({ domain: [a, b], zero: false, nice: false });
  const legend = options.colorbar === false ? null : { title: options.colorbarLabel ?? null, gradientLength: Math.min(300, h * cell) };
  const grid = {
    data: { values: cells },
    mark: { type: 'rect' as const, strokeWidth: 0 },
    encoding: {
      x: { field: 'x0', type: 'quantitative' as const, scale: scale(xa, xb), axis: axis(options.xLabel, options.xTicks) },
      x2: { field: 'x1' },
      y: { field: 'y0', type: 'quantitative' as const, scale: scale(ya, yb), axis: axis(options.yLabel, options.yTicks) },
      y2: { field: 'y1' },
      color: { field: 'v', type: 'quantitative' as const, scale: { scheme: options.scheme ?? 'viridis', domain: [lo, hi], clamp: true }, legend },
    },
  };
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: CHART_CONFIG,
    ...(options.title ? { title: options.title } : {}),
    width: w * cell,
    height: h * cell,
    layer: [grid, ...(options.overlays ?? [])],
  };
}

/** The smallest and largest finite values (no spread: arrays may be large); [0, 1] when none. */
function minMax(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}
