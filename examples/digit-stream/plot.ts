/**
 * The digit-stream figure: the log-mel spectrogram on top, the per-frame digit posteriors under it
 * (10 rows, one per digit), with the decoded digits marked on both and, when known, the true
 * utterances in a strip between them. A Vega-Lite chart whose two pictures are image layers
 * (pixels drawn through a colormap, as PNG `data:` URLs) on the chart's axes.
 */
import { CHART_CONFIG, VEGA_LITE_SCHEMA, type ChartSpec, type LayerPanel, type PanelSpec } from '@eole/core/charts';
import { Canvas, hex, makeColormap, VIRIDIS, WHITE, type Colormap } from '@eole/core/report';
import type { DecodedDigit, FramePosterior } from '@eole/speech';
import type { SequencePart } from './sequence.js';

/** What {@link drawDigitStream} draws. */
export interface DigitStreamFigure {
  /** Log-mel energies, frame-major [frames, nMels]. */
  logMel: Float32Array;
  nMels: number;
  frames: number;
  posteriors: readonly FramePosterior[];
  digits: readonly DecodedDigit[];
  /** Seconds per frame (default 0.01). */
  hop?: number;
  title?: string;
  /** The true utterances, drawn as grey spans with their digit. */
  truth?: readonly SequencePart[];
  /** Widest plot area in pixels (default 1600): longer streams average frames into columns. */
  maxWidth?: number;
  /** Seconds drawn from the start (default 30; the title says when the stream is longer). */
  maxSeconds?: number;
}

const RED = '#d62728';
const GREY = '#808080';
const BLUES = makeColormap('blues', [WHITE, hex('#6baed6'), hex('#08306b')]);
const POST_ROW = 12;

/**
 * The figure as a Vega-Lite spec (render it with `renderPng`).
 *
 * @example
 * await renderPng(drawDigitStream({ logMel, nMels: 40, frames, posteriors, digits }), 'runs/digit-stream/digit-stream.png');
 */
export function drawDigitStream(f: DigitStreamFigure): ChartSpec {
  const hop = f.hop ?? 0.01;
  const shown = Math.min(f.frames, Math.round((f.maxSeconds ?? 30) / hop));
  const T = Math.max(1, shown);
  const digits = f.digits.filter((d) => d.frame < T);
  const group = Math.max(1, Math.ceil(T / (f.maxWidth ?? 1600)));
  const cols = Math.ceil(T / group);
  const sx = Math.max(1, Math.min(4, Math.floor(1200 / cols)));
  const melRow = Math.max(2, Math.round(120 / f.nMels));
  const duration = T * hop;
  const W = cols * sx;
  const x = (title: string | null, labels: boolean, grid = true) => timeAxis(duration, title, labels, grid);
  const decoded = digits.map((d) => ({ start: d.start, end: Math.min(d.end, duration), time: d.time, digit: d.digit }));

  const spectrogram: PanelSpec = {
    width: W,
    height: f.nMels * melRow,
    layer: [
      imageLayer(spectrogramPixels(f, shown, group, cols, sx, melRow), x('', false), duration, [0, f.nMels], { title: 'mel band', values: [0, Math.round(f.nMels / 2), f.nMels] }),
      { data: { values: decoded }, mark: { type: 'rule', color: 'white', strokeDash: [3, 3] }, encoding: { x: { field: 'time', ...x('', false) } } },
      { data: { values: decoded }, mark: { type: 'text', color: RED, fontSize: 18, dy: -12, baseline: 'bottom', clip: false }, encoding: { x: { field: 'time', ...x('', false) }, y: { datum: f.nMels, type: 'quantitative', scale: { domain: [0, f.nMels], nice: false } }, text: { field: 'digit' } } },
    ],
  };
  const spans = [...(f.truth ?? []).filter((p) => p.start < duration).map((p) => ({ row: 'truth', start: p.start, end: Math.min(p.end, duration), digit: p.digit })), ...decoded.map((d) => ({ ...d, row: 'heard' }))];
  const row = { field: 'row', type: 'nominal' as const, scale: { domain: ['truth', 'heard'] }, axis: { title: null, labelColor: { condition: { test: "datum.value === 'heard'", value: RED }, value: GREY }, ticks: false, domain: false } };
  const spanColor = { field: 'row', type: 'nominal' as const, scale: { domain: ['truth', 'heard'], range: [GREY, RED] }, legend: null };
  const strip: PanelSpec = {
    width: W,
    height: 28,
    layer: [
      { data: { values: spans }, mark: { type: 'bar', height: 10 }, encoding: { x: { field: 'start', ...x('', false, false) }, x2: { field: 'end' }, y: row, color: spanColor } },
      { data: { values: spans.filter((p) => p.row === 'truth') }, mark: { type: 'text', color: 'white', fontSize: 9 }, encoding: { x: { field: 'mid', ...x('', false, false) }, y: row, text: { field: 'digit' } }, transform: [{ calculate: '(datum.start + datum.end) / 2', as: 'mid' }] },
    ],
    view: { stroke: null },
  };
  const posterior: PanelSpec = {
    width: W,
    height: 10 * POST_ROW,
    layer: [
      imageLayer(posteriorPixels(f, T, group, cols, sx), x('time (s)', true), duration, [-0.5, 9.5], { title: 'digit', values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] }),
      { data: { values: decoded }, mark: { type: 'rule', color: RED, strokeDash: [2, 2] }, encoding: { x: { field: 'time', ...x('time (s)', true) } } },
      { data: { values: decoded }, mark: { type: 'point', color: RED, size: 60, strokeWidth: 1.5 }, encoding: { x: { field: 'time', ...x('time (s)', true) }, y: { field: 'digit', type: 'quantitative', scale: { domain: [-0.5, 9.5], nice: false, zero: false }, axis: { title: 'digit', values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] } } } },
    ],
  };
  const subtitle = shown < f.frames ? `the first ${(shown * hop).toFixed(0)} s of ${(f.frames * hop).toFixed(0)} s` : undefined;
  return {
    $schema: VEGA_LITE_SCHEMA,
    config: { ...CHART_CONFIG, title: { ...CHART_CONFIG.title, anchor: 'start', limit: W } },
    ...(f.title ? { title: { text: f.title, ...(subtitle ? { subtitle } : {}) } } : {}),
    vconcat: [spectrogram, strip, posterior],
    spacing: 6,
  };
}

/** The time channel's type, scale and axis: [0, duration] seconds; tick labels only under the last panel. */
function timeAxis(duration: number, title: string | null, labels: boolean, grid: boolean) {
  return { type: 'quantitative' as const, scale: { domain: [0, duration], nice: false, zero: false }, axis: labels ? { title } : { title, labels: false, ticks: false, grid, domain: grid } };
}

/** An image layer spanning x = [0, duration] (on the x channel given) and y = `yDomain`, its axis as given. */
function imageLayer(canvas: Canvas, x: ReturnType<typeof timeAxis>, duration: number, yDomain: readonly [number, number], yAxis: { title: string; values: number[] }): LayerPanel {
  const scale = { domain: [...yDomain], nice: false, zero: false };
  return {
    data: { values: [{ x0: 0, x1: duration, y0: yDomain[0], y1: yDomain[1], url: canvas.toDataURL() }] },
    mark: { type: 'image', aspect: false, align: 'left', baseline: 'top' },
    encoding: {
      x: { field: 'x0', ...x },
      x2: { field: 'x1' },
      y: { field: 'y1', type: 'quantitative', scale, axis: yAxis },
      y2: { field: 'y0' },
      url: { field: 'url', type: 'nominal' },
    },
  };
}

/** Low bands at the bottom, ~52 dB of range below the loudest cell; frames averaged `group` to a column. */
function spectrogramPixels(f: DigitStreamFigure, shown: number, group: number, cols: number, sx: number, melRow: number): Canvas {
  const T = Math.max(1, shown);
  let top = -Infinity;
  for (let i = 0; i < T * f.nMels && i < f.logMel.length; i++) top = Math.max(top, f.logMel[i]!);
  const W = cols * sx;
  const h = f.nMels * melRow;
  const img = new Float32Array(W * h);
  for (let c = 0; c < cols; c++) {
    for (let m = 0; m < f.nMels; m++) {
      let s = 0, n = 0;
      for (let t = c * group; t < Math.min(shown, (c + 1) * group); t++, n++) s += f.logMel[t * f.nMels + m]!;
      const v = n > 0 ? s / n : top - 12;
      for (let dy = 0; dy < melRow; dy++) for (let dx = 0; dx < sx; dx++) img[((f.nMels - 1 - m) * melRow + dy) * W + c * sx + dx] = v;
    }
  }
  return pixels(img, W, h, top - 12, top, VIRIDIS);
}

/** Digit 0 at the bottom row; columns without a window (the first and last 20 frames) stay blank. */
function posteriorPixels(f: DigitStreamFigure, T: number, group: number, cols: number, sx: number): Canvas {
  const W = cols * sx;
  const h = 10 * POST_ROW;
  const img = new Float32Array(W * h);
  const sums = new Float64Array(cols * 10);
  const counts = new Int32Array(cols);
  for (const p of f.posteriors) {
    const c = Math.floor(p.frame / group);
    if (p.frame >= T || c < 0 || c >= cols) continue;
    counts[c]!++;
    for (let k = 0; k < 10; k++) sums[c * 10 + k] += p.posteriors[k] ?? 0;
  }
  for (let c = 0; c < cols; c++) {
    for (let k = 0; k < 10; k++) {
      const v = counts[c]! > 0 ? sums[c * 10 + k]! / counts[c]! : 0;
      for (let dy = 0; dy < POST_ROW; dy++) for (let dx = 0; dx < sx; dx++) img[((9 - k) * POST_ROW + dy) * W + c * sx + dx] = v;
    }
  }
  return pixels(img, W, h, 0, 1, BLUES);
}

function pixels(values: Float32Array, w: number, h: number, min: number, max: number, colormap: Colormap): Canvas {
  return new Canvas(w, h).image(0, 0, values, w, h, 1, { min, max, colormap });
}
