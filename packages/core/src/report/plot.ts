import { Axes, legendSize, type Box, type Point, type Range } from './Axes.js';
import { Canvas } from './Canvas.js';
import { BLACK, colorAt, PALETTE, VIRIDIS, type Colormap, type RGB } from './colormap.js';
import { formatTick, niceTicks, tickStep } from './ticks.js';

/** One named curve (or set of dots) of a {@link linePlot}. */
export interface Series {
  name: string;
  points: readonly Point[];
  /** Default: the next {@link PALETTE} colour. */
  color?: RGB;
  /** Joined by a line (default) or drawn as dots. */
  style?: 'line' | 'points';
  /** Line width or dot radius in pixels; default 2 (lines) or 3 (dots). */
  size?: number;
  /** Dash pattern `[on, off]` for lines. */
  dash?: readonly [number, number];
}

/** What {@link linePlot} draws. */
export interface LinePlotOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  series: readonly Series[];
  /** Canvas size; default 640 x 420. */
  width?: number;
  height?: number;
  /** Data ranges; default: the data's extent plus 5%. */
  xRange?: Range;
  yRange?: Range;
  /** Logarithmic y axis (for losses); non-positive values are skipped. */
  yLog?: boolean;
  /** Where the legend goes: a corner of the plot, `outside` (right of it) or `none`. Default top-right. */
  legend?: 'top-right' | 'top-left' | 'bottom-right' | 'bottom-left' | 'outside' | 'none';
}

/** A canvas holding a plot, with its {@link Axes} for drawing more in data coordinates. */
export class Figure extends Canvas {
  readonly axes: Axes;

  constructor(width: number, height: number, box: Box, xRange: Range, yRange: Range, yLog = false) {
    super(width, height);
    this.axes = new Axes(this, box, xRange, yRange, yLog);
  }
}

/**
 * Curves (loss, accuracy) or scatters with axes, ticks, a title, axis labels and a legend.
 *
 * @example
 * const fig = linePlot({ title: 'Training loss', xLabel: 'epoch', yLabel: 'loss',
 *   series: [{ name: 'train', points: [[1, 0.9], [2, 0.5], [3, 0.3]] }] });
 * fig.savePNG('runs/demo/loss.png');
 */
export function linePlot(options: LinePlotOptions): Figure {
  const width = options.width ?? 640;
  const height = options.height ?? 420;
  const yLog = options.yLog ?? false;
  const all = options.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!yLog || y > 0));
  const xRange = options.xRange ?? extent(all.map((p) => p[0]), false);
  const yRange = options.yRange ?? extent(all.map((p) => p[1]), yLog);
  const entries = options.series.map((s, i) => ({
    name: s.name,
    color: s.color ?? PALETTE[i % PALETTE.length]!,
    kind: s.style === 'points' ? ('point' as const) : ('line' as const),
    ...(s.dash ? { dash: s.dash } : {}),
  }));
  const legend = entries.filter((e) => e.name !== '');
  const outside = options.legend === 'outside' ? legendSize(legend).w + 20 : 0;
  const box: Box = { x: 80, y: 40, w: width - 100 - outside, h: height - 90 };
  const fig = new Figure(width, height, box, xRange, yRange, yLog);
  fig.axes.drawFrame({ title: options.title, xLabel: options.xLabel, yLabel: options.yLabel });
  options.series.forEach((s, i) => {
    const color = entries[i]!.color;
    const points = yLog ? s.points.filter((p) => p[1] > 0) : s.points;
    if (s.style === 'points') fig.axes.plotPoints(points, color, s.size ?? 3);
    else fig.axes.plotLine(points, color, s.size ?? 2, s.dash);
  });
  if (options.legend === 'outside') fig.axes.legendAt(box.x + box.w + 20, box.y, legend);
  else if (options.legend !== 'none') fig.axes.legend(legend, options.legend ?? 'top-right');
  return fig;
}

/** What {@link heatmap} draws. */
export interface HeatmapOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Data coordinates of the grid's left and right edges; with them, x ticks are drawn. */
  xRange?: Range;
  /** Data coordinates of the grid's bottom and top edges; with them, y ticks are drawn. */
  yRange?: Range;
  /** Row 0 at the top (`upper`, images; default) or at the bottom (`lower`, math surfaces). */
  origin?: 'upper' | 'lower';
  /** Value range mapped to the colormap; default the values' min and max. Values outside are clipped. */
  min?: number;
  max?: number;
  /** Default {@link VIRIDIS}. */
  colormap?: Colormap;
  /** Label of the colour bar; the bar is drawn unless `colorbar` is false. */
  colorbarLabel?: string;
  colorbar?: boolean;
  /** Pixels per cell; default: about 400 pixels across the larger side. */
  cell?: number;
  /** Extra blank pixels right of the colour bar (room for a legend drawn with `axes.legendAt`). */
  marginRight?: number;
}

/**
 * A w x h grid of values (row-major) as coloured cells, with a colour bar, title and, when data
 * ranges are given, axes in data coordinates (drawn over with `figure.axes`).
 *
 * @example
 * const fig = heatmap(values, 100, 100, { title: 'loss surface', xRange: [-2, 2], yRange: [-2, 2], origin: 'lower' });
 * fig.axes.plotLine(trajectory, WHITE);
 */
export function heatmap(values: ArrayLike<number>, w: number, h: number, options: HeatmapOptions = {}): Figure {
  if (values.length !== w * h) throw new RangeError(`heatmap: expected ${w}x${h} = ${w * h} values, got ${values.length}`);
  const [vmin, vmax] = minMax(Array.from(values));
  const lo = options.min ?? vmin;
  const hi = options.max ?? vmax;
  const cell = options.cell ?? Math.max(1, Math.floor(400 / Math.max(w, h)));
  const box: Box = { x: 70, y: 40, w: w * cell, h: h * cell };
  const bar = options.colorbar ?? true;
  const fig = new Figure(box.x + box.w + (bar ? 110 : 30) + (options.marginRight ?? 0), box.y + box.h + 50, box, options.xRange ?? [0, w], options.yRange ?? [0, h]);
  const map = options.colormap ?? VIRIDIS;
  const flip = options.origin === 'lower';
  const grid = new Float32Array(w * h);
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) grid[r * w + c] = values[(flip ? h - 1 - r : r) * w + c]!;
  fig.image(box.x, box.y, grid, w, h, cell, { min: lo, max: hi > lo ? hi : lo + 1, colormap: map });
  fig.strokeRect(box.x - 1, box.y - 1, box.w + 2, box.h + 2, BLACK);
  if (options.xRange || options.yRange) fig.axes.drawTicks(options.xRange ? undefined : [], options.yRange ? undefined : []);
  if (options.title) fig.text(box.x + box.w / 2, Math.max(2, box.y - 24), options.title, BLACK, { scale: 2, align: 'center' });
  if (options.xLabel) fig.text(box.x + box.w / 2, box.y + box.h + 22, options.xLabel, BLACK, { align: 'center' });
  if (options.yLabel) fig.text(box.x - 50, box.y + box.h / 2, options.yLabel, BLACK, { align: 'center', vertical: true });
  if (bar) drawColorbar(fig, { x: box.x + box.w + 20, y: box.y, w: 14, h: box.h }, lo, hi > lo ? hi : lo + 1, map, options.colorbarLabel);
  return fig;
}

function drawColorbar(canvas: Canvas, box: Box, lo: number, hi: number, map: Colormap, label?: string): void {
  for (let i = 0; i < box.h; i++) canvas.fillRect(box.x, box.y + box.h - 1 - i, box.w, 1, colorAt(map, i / (box.h - 1)));
  canvas.strokeRect(box.x - 1, box.y - 1, box.w + 2, box.h + 2, BLACK);
  const ticks = niceTicks(lo, hi, 6);
  for (const t of ticks) {
    const y = box.y + (1 - (t - lo) / (hi - lo)) * (box.h - 1);
    canvas.line(box.x + box.w, y, box.x + box.w + 3, y, BLACK);
    canvas.text(box.x + box.w + 6, y - 3, formatTick(t, tickStep(ticks)), BLACK);
  }
  if (label) canvas.text(box.x + box.w + 52, box.y + box.h / 2, label, BLACK, { align: 'center', vertical: true });
}

function extent(values: readonly number[], log: boolean): Range {
  if (values.length === 0) return log ? [0.1, 10] : [0, 1];
  let [lo, hi] = minMax(values);
  if (log) {
    const [a, b] = [Math.log10(lo), Math.log10(hi)];
    const pad = b > a ? (b - a) * 0.05 : 0.5;
    return [10 ** (a - pad), 10 ** (b + pad)];
  }
  if (hi === lo) [lo, hi] = [lo - (Math.abs(lo) || 1) * 0.1, hi + (Math.abs(hi) || 1) * 0.1];
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

/** The smallest and largest finite values (no spread: arrays may be large); [0, 1] when none. */
function minMax(values: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}
