import { legendSize, type Box, type LegendEntry, type Range } from './Axes.js';
import { PALETTE, type RGB } from './colormap.js';
import { Figure } from './plot.js';

/** What {@link scatterPlot} draws. */
export interface ScatterPlotOptions {
  /** The points, row-major [N, 2]: `x0, y0, x1, y1, …` (a [N, 2] tensor's `data`). */
  points: ArrayLike<number>;
  /** The class of each point, an integer in [0, classes); N of them. */
  labels: ArrayLike<number>;
  /** The legend's name of each class; default `'0'`, `'1'`, …. Its length sets the number of classes when given. */
  classNames?: readonly string[];
  /** One colour per class; default the {@link PALETTE} cycle. */
  colors?: readonly RGB[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Canvas size; default 640 x 560. */
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

/**
 * A scatter plot of labelled 2-D points, one colour per class, with axes and a legend: the picture
 * of a learned embedding (Hadsell, Chopra & LeCun, "Dimensionality Reduction by Learning an
 * Invariant Mapping", CVPR 2006, figures 4 to 7). Points are drawn in the order given, so a
 * shuffled order keeps any one class from hiding the others.
 *
 * @example
 * const fig = scatterPlot({ points: emb.data, labels: digits, title: 'DrLIM embedding', xLabel: 'z1', yLabel: 'z2' });
 * fig.savePNG('runs/mnist-drlim/embedding.png');
 * fig.axes.px(0); // the pixel column of x = 0, to draw more in data coordinates
 */
export function scatterPlot(options: ScatterPlotOptions): Figure {
  const { points, labels } = options;
  const n = labels.length;
  if (points.length !== 2 * n) throw new RangeError(`scatterPlot: points must hold 2 values per label (shape [${n}, 2] = ${2 * n} values), got ${points.length} values for ${n} labels`);
  const classes = options.classNames?.length ?? maxLabel(labels) + 1;
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= classes) throw new RangeError(`scatterPlot: labels[${i}] must be an integer in [0, ${classes}), got ${c}`);
  }
  const colors = options.colors ?? PALETTE;
  if (colors.length === 0) throw new RangeError('scatterPlot: colors must not be empty');
  const names = options.classNames ?? Array.from({ length: classes }, (_, c) => String(c));
  const colorOf = (c: number): RGB => colors[c % colors.length]!;

  const width = options.width ?? 640;
  const height = options.height ?? 560;
  const legend: LegendEntry[] = names.map((name, c) => ({ name, color: colorOf(c), kind: 'point' }));
  const where = options.legend ?? 'outside';
  const outside = where === 'outside' ? legendSize(legend).w + 20 : 0;
  const box: Box = { x: 80, y: 40, w: width - 100 - outside, h: height - 90 };
  if (box.w < 10 || box.h < 10) throw new RangeError(`scatterPlot: a ${width}x${height} canvas leaves no room for the plot`);

  let xRange = options.xRange ?? padded(points, 0);
  let yRange = options.yRange ?? padded(points, 1);
  if (options.equalAspect ?? true) [xRange, yRange] = equalAspect(xRange, yRange, box);

  const fig = new Figure(width, height, box, xRange, yRange);
  fig.axes.drawFrame({ title: options.title, xLabel: options.xLabel, yLabel: options.yLabel });
  const radius = options.radius ?? 2;
  fig.axes.clipped(() => {
    for (let i = 0; i < n; i++) {
      const x = points[2 * i]!;
      const y = points[2 * i + 1]!;
      if (Number.isFinite(x) && Number.isFinite(y)) fig.circle(fig.axes.px(x), fig.axes.py(y), radius, colorOf(labels[i]!));
    }
  });
  if (where === 'outside') fig.axes.legendAt(box.x + box.w + 20, box.y, legend);
  else if (where !== 'none') fig.axes.legend(legend, where);
  return fig;
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
function equalAspect(x: Range, y: Range, box: Box): [Range, Range] {
  const sx = (x[1] - x[0]) / (box.w - 1);
  const sy = (y[1] - y[0]) / (box.h - 1);
  const widen = (r: Range, pixels: number, scale: number): Range => {
    const mid = (r[0] + r[1]) / 2;
    const half = (scale * (pixels - 1)) / 2;
    return [mid - half, mid + half];
  };
  return sx >= sy ? [x, widen(y, box.h, sx)] : [widen(x, box.w, sy), y];
}
