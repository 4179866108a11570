import { existsSync, readFileSync } from 'node:fs';
import { defer, tap, type MonoTypeOperatorFunction } from 'rxjs';
import { ShapeError, writeFileAtomic, type Tensor, type TrainEvent } from '@eole/core';
import { BLACK, Canvas, GREYS, type RGB } from '@eole/core/report';

/** One row of a filter strip: a bank of kernels [out, in, kH, kW] at the end of an epoch (0: the initial weights). */
export interface FilterRow {
  epoch: number;
  /** [out, in, kH, kW], as a `SpatialConvolution`'s weight. */
  shape: readonly [number, number, number, number];
  /** The weights, row-major. */
  weights: ArrayLike<number>;
}

/** Options of {@link filtersFigure}. */
export interface FiltersFigureOptions {
  /** Each kernel value becomes a `scale` × `scale` block (default 8). */
  scale?: number;
  /** The figure's title (default `first-layer filters`). */
  title?: string;
}

/** Options of {@link plotFilters}. */
export interface PlotFiltersOptions extends FiltersFigureOptions {
  /**
   * The JSON file that keeps the rows drawn so far, so that a resumed run (a `start` event with
   * `startEpoch` > 1) redraws the earlier epochs; default: `path` with `.json` for `.png`; `null`
   * keeps nothing.
   */
  store?: string | null;
}

/** The strip's background: a pale blue, so that the grey kernels stand out (and tests can find them). */
export const FILTERS_BACKGROUND: RGB = [226, 232, 244];

const GAP = 4;
const ROW_GAP = 6;
const MARGIN = 10;
const LABEL_SCALE = 2;
const HEADER = MARGIN + 7 + 10;

/**
 * Watches a bank of convolution kernels learn: after the `start` event (the initial weights, row
 * "init") and after every `epoch` event it appends a row with the current `weight()` (a tensor
 * [out, in, kH, kW], e.g. the first `SpatialConvolution`'s weight) and rewrites the PNG at `path`
 * atomically with all rows so far (see {@link filtersFigure}): the picture of LeCun's lecture of
 * "how the filters in the first layer learn", from random noise to stroke and edge detectors
 * (LeCun et al., "Gradient-based learning applied to document recognition", Proc. IEEE 1998,
 * fig. 2's C1 maps). The rows are also kept in a small JSON store, so a resumed run keeps the
 * rows of the epochs before its `startEpoch`. Events pass through unchanged.
 *
 * @example
 * const net = LeNet5({ rng: new Generator(1) });
 * const c1 = net.get(1) as SpatialConvolution;
 * train({ model: net, criterion, optimizer, data, epochs: 10 })
 *   .pipe(plotFilters('runs/lenet/filters.png', () => c1.weight))
 *   .subscribe();
 */
export function plotFilters(path: string, weight: () => Tensor, options: PlotFiltersOptions = {}): MonoTypeOperatorFunction<TrainEvent> {
  const store = options.store === undefined ? path.replace(/(\.png)?$/i, '.json') : options.store;
  return (source) =>
    defer(() => {
      let rows: FilterRow[] = [];
      const add = (epoch: number): void => {
        rows = [...rows.filter((r) => r.epoch < epoch), snapshot(epoch, weight())];
        filtersFigure(rows, options).savePNG(path);
        if (store !== null) writeFileAtomic(store, new TextEncoder().encode(JSON.stringify({ rows: rows.map((r) => ({ ...r, weights: Array.from(r.weights) })) })));
      };
      return source.pipe(
        tap((event) => {
          if (event.type === 'start') {
            rows = event.startEpoch > 1 && store !== null ? readRows(store).filter((r) => r.epoch < event.startEpoch) : [];
            if (event.startEpoch <= 1) add(0);
            else if (rows.length > 0) filtersFigure(rows, options).savePNG(path);
          }
          if (event.type === 'epoch') add(event.epoch);
        }),
      );
    });
}

/**
 * Draws rows of convolution kernels: one row per {@link FilterRow}, labelled with its epoch
 * ("init" for 0), each kernel [o, c] a kW × kH tile of `scale`-pixel blocks in grey, black at the
 * kernel's own minimum and white at its maximum (a constant kernel is mid-grey), so every filter
 * shows its pattern whatever its norm. Kernels follow each other o-major (all input planes of
 * filter 0, then filter 1, ...), with a wider gap between filters.
 *
 * @example
 * filtersFigure([{ epoch: 0, shape: [6, 1, 5, 5], weights: c1.weight.data }]).savePNG('c1.png');
 */
export function filtersFigure(rows: readonly FilterRow[], options: FiltersFigureOptions = {}): Canvas {
  const scale = Math.max(1, Math.round(options.scale ?? 8));
  if (rows.length === 0) throw new RangeError('filtersFigure: expected at least one row, got none');
  const [O, C, kH, kW] = rows[0]!.shape;
  for (const r of rows) {
    if (r.shape.join() !== rows[0]!.shape.join()) throw new ShapeError('filtersFigure', `every row must have shape [${rows[0]!.shape.join(', ')}], epoch ${r.epoch} has [${r.shape.join(', ')}]`);
    if (r.weights.length !== O * C * kH * kW) throw new ShapeError('filtersFigure', `epoch ${r.epoch}: expected ${O * C * kH * kW} weights for [${r.shape.join(', ')}], got ${r.weights.length}`);
  }
  const labelW = Canvas.textWidth('init', LABEL_SCALE) + 12;
  const tileW = kW * scale;
  const tileH = kH * scale;
  const groupW = C * tileW + (C - 1) * GAP;
  const gridW = O * groupW + (O - 1) * 2 * GAP;
  const title = `${options.title ?? 'first-layer filters'}: ${O}${C > 1 ? `x${C}` : ''} kernels ${kH}x${kW}, one row per epoch`;
  const width = Math.max(MARGIN + labelW + gridW + MARGIN, 2 * MARGIN + Canvas.textWidth(title));
  const height = HEADER + rows.length * (tileH + ROW_GAP) - ROW_GAP + MARGIN;
  const canvas = new Canvas(width, height, FILTERS_BACKGROUND);
  canvas.text(MARGIN, MARGIN, title, BLACK);
  rows.forEach((row, r) => {
    const y = HEADER + r * (tileH + ROW_GAP);
    canvas.text(MARGIN + labelW - 8, y + Math.round((tileH - 7 * LABEL_SCALE) / 2), row.epoch === 0 ? 'init' : String(row.epoch), BLACK, { scale: LABEL_SCALE, align: 'right' });
    for (let o = 0; o < O; o++) {
      for (let c = 0; c < C; c++) {
        const at = (o * C + c) * kH * kW;
        const kernel = Array.from({ length: kH * kW }, (_, i) => row.weights[at + i]!);
        const lo = Math.min(...kernel);
        const hi = Math.max(...kernel);
        const x = MARGIN + labelW + o * (groupW + 2 * GAP) + c * (tileW + GAP);
        canvas.image(x, y, kernel, kW, kH, scale, hi > lo ? { min: lo, max: hi, colormap: GREYS } : { min: lo - 1, max: lo + 1, colormap: GREYS });
      }
    }
  });
  return canvas;
}

function snapshot(epoch: number, w: Tensor): FilterRow {
  if (w.ndim !== 4) throw new ShapeError('plotFilters', `weight() must return [out, in, kH, kW], got [${w.shape.join(', ')}]`);
  const [o, c, h, k] = w.shape as [number, number, number, number];
  return { epoch, shape: [o, c, h, k], weights: Float32Array.from(w.data.subarray(0, w.size)) };
}

function readRows(store: string): FilterRow[] {
  if (!existsSync(store)) return [];
  const parsed = JSON.parse(readFileSync(store, 'utf8')) as { rows?: FilterRow[] };
  return (parsed.rows ?? []).map((r) => ({ epoch: r.epoch, shape: r.shape, weights: Float32Array.from(r.weights) }));
}
