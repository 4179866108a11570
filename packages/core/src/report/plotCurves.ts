import { defer, tap, type MonoTypeOperatorFunction } from 'rxjs';
import { Axes, type Point, type Range } from './Axes.js';
import { Canvas } from './Canvas.js';
import { PALETTE } from './colormap.js';
import type { TrainEvent } from '../stream/events.js';

/** Options of {@link plotCurves}. */
export interface PlotCurvesOptions {
  /** Events of earlier epochs (a resumed run's log), drawn before the live ones. */
  history?: readonly TrainEvent[];
  /** Prefix of the panel titles, e.g. the example's name. */
  title?: string;
}

/** The curves gathered from a run's events, by epoch. */
export interface Curves {
  trainLoss: Map<number, number>;
  validationLoss: Map<number, number>;
  validationAccuracy: Map<number, number>;
}

/**
 * Draws a run's learning curves into a PNG at `path`, rewritten (atomically) after every
 * validation event, so the file always shows the run so far: on the left the training loss of each
 * epoch and the validation loss (log scale), on the right the validation accuracy in percent (the
 * right panel is left out when the outputs are not class scores). Without any validation event the
 * loss panel is written once, when training is done. Events pass through unchanged.
 *
 * @example
 * train({ model, criterion, optimizer, data, epochs: 10, validation })
 *   .pipe(plotCurves('runs/mlp/curves.png'))
 *   .subscribe();
 */
export function plotCurves(path: string, options: PlotCurvesOptions = {}): MonoTypeOperatorFunction<TrainEvent> {
  return (source) =>
    defer(() => {
      const curves: Curves = { trainLoss: new Map(), validationLoss: new Map(), validationAccuracy: new Map() };
      for (const e of options.history ?? []) collect(curves, e);
      let validated = false;
      return source.pipe(
        tap((event) => {
          collect(curves, event);
          const draw = event.type === 'validation' || (event.type === 'done' && !validated && curves.trainLoss.size > 0);
          if (event.type === 'validation') validated = true;
          if (draw) curvesFigure(curves, options.title).savePNG(path);
        }),
      );
    });
}

function collect(curves: Curves, e: TrainEvent): void {
  if (e.type === 'epoch') curves.trainLoss.set(e.epoch, e.loss);
  if (e.type === 'validation') {
    curves.validationLoss.set(e.epoch, e.metrics.loss);
    if (e.metrics.accuracy !== undefined) curves.validationAccuracy.set(e.epoch, e.metrics.accuracy * 100);
  }
}

const PANEL_W = 500;
const HEIGHT = 420;

/**
 * The figure {@link plotCurves} writes: a loss panel (training and validation loss per epoch, log
 * scale) and, when there are accuracies, an accuracy panel (percent).
 *
 * @example
 * curvesFigure({ trainLoss: new Map([[1, 0.4], [2, 0.2]]), validationLoss: new Map(), validationAccuracy: new Map() })
 *   .savePNG('curves.png');
 */
export function curvesFigure(curves: Curves, title?: string): Canvas {
  const accuracy = points(curves.validationAccuracy);
  const canvas = new Canvas(accuracy.length > 0 ? 2 * PANEL_W : PANEL_W, HEIGHT);
  const train = points(curves.trainLoss).filter(([, y]) => y > 0);
  const validation = points(curves.validationLoss).filter(([, y]) => y > 0);
  const epochs = [...train, ...validation, ...accuracy].map(([x]) => x);
  const xRange = epochRange(epochs);
  const prefix = title ? `${title}: ` : '';
  const box = (i: number) => ({ x: i * PANEL_W + 80, y: 40, w: PANEL_W - 100, h: HEIGHT - 90 });

  const loss = new EpochAxes(canvas, box(0), xRange, logRange([...train, ...validation].map(([, y]) => y)), true);
  loss.drawFrame({ title: `${prefix}loss`, xLabel: 'epoch', yLabel: 'loss (log scale)' });
  loss.plotLine(train, PALETTE[0]!, 2).plotPoints(train, PALETTE[0]!, 3);
  loss.plotLine(validation, PALETTE[1]!, 2, [6, 3]).plotPoints(validation, PALETTE[1]!, 3);
  loss.legend([
    { name: 'training loss', color: PALETTE[0]! },
    { name: 'validation loss', color: PALETTE[1]!, dash: [6, 3] },
  ]);

  if (accuracy.length > 0) {
    const acc = new EpochAxes(canvas, box(1), xRange, percentRange(accuracy.map(([, y]) => y)));
    acc.drawFrame({ title: `${prefix}validation accuracy`, xLabel: 'epoch', yLabel: 'accuracy (%)' });
    acc.plotLine(accuracy, PALETTE[2]!, 2).plotPoints(accuracy, PALETTE[2]!, 3);
    const last = accuracy.at(-1)!;
    acc.legend([{ name: `validation accuracy (last ${last[1].toFixed(2)}%)`, color: PALETTE[2]! }], 'bottom-right');
  }
  return canvas;
}

/** Axes whose x ticks are whole epochs. */
class EpochAxes extends Axes {
  override xTicks(): number[] {
    const ticks = super.xTicks().filter(Number.isInteger);
    if (ticks.length >= 2) return ticks;
    const all: number[] = [];
    for (let e = Math.ceil(this.xRange[0]); e <= this.xRange[1]; e++) all.push(e);
    return all;
  }
}

function points(m: Map<number, number>): Point[] {
  return [...m].filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).sort((a, b) => a[0] - b[0]);
}

function epochRange(epochs: readonly number[]): Range {
  if (epochs.length === 0) return [0.75, 2.25];
  const first = Math.min(...epochs);
  const last = Math.max(...epochs, first + 1);
  return [first - 0.25, last + 0.25];
}

function logRange(values: readonly number[]): Range {
  if (values.length === 0) return [0.1, 10];
  const a = Math.log10(Math.min(...values));
  const b = Math.log10(Math.max(...values));
  const pad = b > a ? (b - a) * 0.08 : 0.3;
  return [10 ** (a - pad), 10 ** (b + pad)];
}

function percentRange(values: readonly number[]): Range {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = hi > lo ? (hi - lo) * 0.1 : 1;
  const top = Math.min(100, hi + pad);
  return [Math.max(0, Math.min(lo - pad, top - 0.5)), top];
}
