import { Canvas } from './Canvas.js';
import { BLACK, GREY, LIGHT_GREY, WHITE, type RGB } from './colormap.js';
import { formatTick, logTicks, niceTicks, tickStep } from './ticks.js';

/** A rectangle in canvas pixels. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A closed interval of data values, `[low, high]`. */
export type Range = readonly [number, number];

/** A point in data coordinates. */
export type Point = readonly [number, number];

/** Labels and options of {@link Axes.drawFrame}. */
export interface FrameOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Light grid lines at the ticks; default true. */
  grid?: boolean;
}

/** One line of a legend. */
export interface LegendEntry {
  name: string;
  color: RGB;
  /** A short line sample or a dot; default line. */
  kind?: 'line' | 'point';
  /** Dash pattern of the line sample. */
  dash?: readonly [number, number];
}

/**
 * A data rectangle on a canvas: maps data coordinates (x right, y up) to pixels, draws the
 * frame, ticks, labels and a legend, and draws lines and points clipped to the box. The y axis
 * may be logarithmic.
 *
 * @example
 * const axes = new Axes(canvas, { x: 60, y: 30, w: 400, h: 300 }, [0, 10], [0, 1]);
 * axes.drawFrame({ title: 'loss', xLabel: 'epoch', yLabel: 'loss' });
 * axes.plotLine([[0, 1], [10, 0.1]], PALETTE[0]);
 */
export class Axes {
  constructor(
    readonly canvas: Canvas,
    readonly box: Box,
    readonly xRange: Range,
    readonly yRange: Range,
    readonly yLog = false,
  ) {
    for (const [name, r] of [['xRange', xRange], ['yRange', yRange]] as const) {
      if (!(r[1] > r[0]) || !r.every(Number.isFinite)) throw new RangeError(`Axes: ${name} must be finite [low, high] with low < high, got [${r.join(', ')}]`);
    }
    if (yLog && !(yRange[0] > 0)) throw new RangeError(`Axes: a log y axis needs yRange[0] > 0, got ${yRange[0]}`);
  }

  /** Pixel column of data x. */
  px(x: number): number {
    const [lo, hi] = this.xRange;
    return this.box.x + ((x - lo) / (hi - lo)) * (this.box.w - 1);
  }

  /** Pixel row of data y (y grows up in data, down on the canvas). */
  py(y: number): number {
    const t = this.yLog ? (Math.log10(y) - Math.log10(this.yRange[0])) / (Math.log10(this.yRange[1]) - Math.log10(this.yRange[0])) : (y - this.yRange[0]) / (this.yRange[1] - this.yRange[0]);
    return this.box.y + (1 - t) * (this.box.h - 1);
  }

  /** Data x at a pixel column (inverse of {@link Axes.px}). */
  dataX(px: number): number {
    const [lo, hi] = this.xRange;
    return lo + ((px - this.box.x) / (this.box.w - 1)) * (hi - lo);
  }

  /** Data y at a pixel row (inverse of {@link Axes.py}). */
  dataY(py: number): number {
    const t = 1 - (py - this.box.y) / (this.box.h - 1);
    if (this.yLog) return 10 ** (Math.log10(this.yRange[0]) + t * (Math.log10(this.yRange[1]) - Math.log10(this.yRange[0])));
    return this.yRange[0] + t * (this.yRange[1] - this.yRange[0]);
  }

  /** Tick values along x. */
  xTicks(): number[] {
    return niceTicks(this.xRange[0], this.xRange[1], Math.max(3, Math.round(this.box.w / 80)));
  }

  /** Tick values along y (on a log axis: 1, 2, 5 times powers of ten, or evenly spaced round values when fewer than 3 of those fit). */
  yTicks(): number[] {
    const linear = (): number[] => niceTicks(this.yRange[0], this.yRange[1], Math.max(3, Math.round(this.box.h / 60)));
    if (!this.yLog) return linear();
    const ticks = logTicks(this.yRange[0], this.yRange[1]);
    return ticks.length >= 3 ? ticks : linear().filter((t) => t > 0);
  }

  /** Grid, box, ticks with labels, title above, axis labels below and left. Draw the data after. */
  drawFrame(options: FrameOptions = {}): this {
    const { canvas, box } = this;
    const xt = this.xTicks();
    const yt = this.yTicks();
    if (options.grid ?? true) {
      for (const t of xt) canvas.line(this.px(t), box.y, this.px(t), box.y + box.h - 1, LIGHT_GREY);
      for (const t of yt) canvas.line(box.x, this.py(t), box.x + box.w - 1, this.py(t), LIGHT_GREY);
    }
    this.drawTicks(xt, yt);
    canvas.strokeRect(box.x - 1, box.y - 1, box.w + 2, box.h + 2, BLACK);
    if (options.title) canvas.text(box.x + box.w / 2, Math.max(2, box.y - 24), options.title, BLACK, { scale: 2, align: 'center' });
    if (options.xLabel) canvas.text(box.x + box.w / 2, box.y + box.h + 22, options.xLabel, BLACK, { align: 'center' });
    if (options.yLabel) {
      // Left of the widest tick label, leaving room for the glyphs' 9 rows (descenders included).
      const widest = Math.max(0, ...yt.map((t) => Canvas.textWidth(this.yLabel(t, yt))));
      canvas.text(Math.max(2, box.x - 7 - widest - 5 - 9), box.y + box.h / 2, options.yLabel, BLACK, { align: 'center', vertical: true });
    }
    return this;
  }

  /** Tick marks and their labels only (for a frame drawn over an image). */
  drawTicks(xt = this.xTicks(), yt = this.yTicks()): this {
    const { canvas, box } = this;
    const bottom = box.y + box.h;
    const xStep = tickStep(xt);
    for (const t of xt) {
      const x = this.px(t);
      canvas.line(x, bottom, x, bottom + 3, BLACK);
      canvas.text(x, bottom + 7, formatTick(t, xStep), BLACK, { align: 'center' });
    }
    for (const t of yt) {
      const y = this.py(t);
      canvas.line(box.x - 4, y, box.x - 1, y, BLACK);
      canvas.text(box.x - 7, y - 3, this.yLabel(t, yt), BLACK, { align: 'right' });
    }
    return this;
  }

  /** A polyline through data points, clipped to the box. */
  plotLine(points: readonly Point[], color: RGB, width = 2, dash?: readonly [number, number]): this {
    return this.clipped(() => this.canvas.polyline(points.map(([x, y]) => [this.px(x), this.py(y)] as const), color, { width, ...(dash ? { dash } : {}) }));
  }

  /** A dot at each data point, clipped to the box. */
  plotPoints(points: readonly Point[], color: RGB, radius = 3, outline?: RGB): this {
    return this.clipped(() => {
      for (const [x, y] of points) if (Number.isFinite(x) && Number.isFinite(y)) this.canvas.point(this.px(x), this.py(y), color, radius, outline);
    });
  }

  /** A framed legend in the top-right (default) or another corner of the box. */
  legend(entries: readonly LegendEntry[], corner: 'top-right' | 'top-left' | 'bottom-right' | 'bottom-left' = 'top-right'): this {
    const { w, h } = legendSize(entries);
    const x = corner.endsWith('right') ? this.box.x + this.box.w - w - 8 : this.box.x + 8;
    const y = corner.startsWith('top') ? this.box.y + 8 : this.box.y + this.box.h - h - 8;
    return this.legendAt(x, y, entries);
  }

  /** A framed legend with its top-left corner at canvas pixel (x, y) (e.g. outside the box). */
  legendAt(x: number, y: number, entries: readonly LegendEntry[]): this {
    if (entries.length === 0) return this;
    const { canvas } = this;
    const { w, h } = legendSize(entries);
    canvas.fillRect(x, y, w, h, WHITE).strokeRect(x, y, w, h, GREY);
    entries.forEach((e, i) => {
      const cy = y + 10 + 14 * i;
      if (e.kind === 'point') canvas.point(x + 14, cy, e.color, 3, BLACK);
      else canvas.line(x + 4, cy, x + 24, cy, e.color, { width: 2, ...(e.dash ? { dash: e.dash } : {}) });
      canvas.text(x + 28, cy - 3, e.name, BLACK);
    });
    return this;
  }

  /** Runs `draw` with the canvas clipped to the box. */
  clipped(draw: () => void): this {
    this.canvas.clip(this.box.x, this.box.y, this.box.w, this.box.h);
    try {
      draw();
    } finally {
      this.canvas.clip();
    }
    return this;
  }

  private yLabel(t: number, yt: readonly number[]): string {
    if (!this.yLog) return formatTick(t, tickStep(yt));
    // Log ticks are unevenly spaced: as many decimals as the gap to the nearest neighbour needs.
    const i = yt.indexOf(t);
    const gaps = [yt[i - 1], yt[i + 1]].filter((n): n is number => n !== undefined).map((n) => Math.abs(n - t));
    return formatTick(t, Math.min(t, ...gaps));
  }
}

/** The pixel size of a legend box. */
export function legendSize(entries: readonly LegendEntry[]): { w: number; h: number } {
  return { w: 34 + Math.max(0, ...entries.map((e) => Canvas.textWidth(e.name))), h: 8 + 14 * entries.length };
}
