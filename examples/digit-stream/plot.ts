/**
 * The digit-stream figure: the log-mel spectrogram on top, the per-frame digit posteriors under it
 * (10 rows, one per digit), with the decoded digits marked on both and, when known, the true
 * utterances in a strip between them.
 */
import { Axes, BLACK, Canvas, GREY, hex, makeColormap, VIRIDIS, WHITE, type Box } from '@eole/core/report';
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

const RED = hex('#d62728');
const BLUES = makeColormap('blues', [WHITE, hex('#6baed6'), hex('#08306b')]);

/**
 * Draws the figure on a new canvas (save it with `savePNG`).
 *
 * @example
 * drawDigitStream({ logMel, nMels: 40, frames, posteriors, digits }).savePNG('runs/digit-stream/digit-stream.png');
 */
export function drawDigitStream(f: DigitStreamFigure): Canvas {
  const hop = f.hop ?? 0.01;
  const shown = Math.min(f.frames, Math.round((f.maxSeconds ?? 30) / hop));
  const T = Math.max(1, shown);
  const digits = f.digits.filter((d) => d.frame < T);
  const posteriors = f.posteriors.filter((p) => p.frame < T);
  const maxWidth = f.maxWidth ?? 1600;
  const group = Math.max(1, Math.ceil(T / maxWidth));
  const cols = Math.ceil(T / group);
  const sx = Math.max(1, Math.min(4, Math.floor(1200 / cols)));
  const W = cols * sx;
  const melRow = Math.max(2, Math.round(120 / f.nMels));
  const postRow = 12;
  const left = 70;
  const spec: Box = { x: left, y: 60, w: W, h: f.nMels * melRow };
  const strip = { y: spec.y + spec.h + 8, h: 28 };
  const post: Box = { x: left, y: strip.y + strip.h + 8, w: W, h: 10 * postRow };
  const canvas = new Canvas(left + W + 40, post.y + post.h + 50);
  const duration = T * hop;

  // Spectrogram: low bands at the bottom, ~52 dB of range below the loudest cell.
  let top = -Infinity;
  for (let i = 0; i < T * f.nMels && i < f.logMel.length; i++) top = Math.max(top, f.logMel[i]!);
  const melImg = new Float32Array(W * spec.h);
  for (let c = 0; c < cols; c++) {
    for (let m = 0; m < f.nMels; m++) {
      let s = 0, n = 0;
      for (let t = c * group; t < Math.min(shown, (c + 1) * group); t++, n++) s += f.logMel[t * f.nMels + m]!;
      const v = n > 0 ? s / n : top - 12;
      for (let dy = 0; dy < melRow; dy++) for (let dx = 0; dx < sx; dx++) melImg[((f.nMels - 1 - m) * melRow + dy) * W + c * sx + dx] = v;
    }
  }
  canvas.image(spec.x, spec.y, melImg, W, spec.h, 1, { min: top - 12, max: top, colormap: VIRIDIS });

  // Posteriors: digit 0 at the bottom row; columns without a window (the first and last 20 frames) stay blank.
  const postImg = new Float32Array(W * post.h);
  const sums = new Float64Array(cols * 10);
  const counts = new Int32Array(cols);
  for (const p of posteriors) {
    const c = Math.floor(p.frame / group);
    if (c < 0 || c >= cols) continue;
    counts[c]!++;
    for (let k = 0; k < 10; k++) sums[c * 10 + k] += p.posteriors[k] ?? 0;
  }
  for (let c = 0; c < cols; c++) {
    for (let k = 0; k < 10; k++) {
      const v = counts[c]! > 0 ? sums[c * 10 + k]! / counts[c]! : 0;
      for (let dy = 0; dy < postRow; dy++) for (let dx = 0; dx < sx; dx++) postImg[((9 - k) * postRow + dy) * W + c * sx + dx] = v;
    }
  }
  canvas.image(post.x, post.y, postImg, W, post.h, 1, { min: 0, max: 1, colormap: BLUES });

  const specAxes = new Axes(canvas, spec, [0, duration], [0, f.nMels]);
  const postAxes = new Axes(canvas, post, [0, duration], [-0.5, 9.5]);
  canvas.strokeRect(spec.x - 1, spec.y - 1, spec.w + 2, spec.h + 2, BLACK);
  canvas.strokeRect(post.x - 1, post.y - 1, post.w + 2, post.h + 2, BLACK);
  specAxes.drawTicks([], [0, Math.round(f.nMels / 2), f.nMels]);
  postAxes.drawTicks(undefined, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  canvas.text(left - 50, spec.y + spec.h / 2, 'mel band', BLACK, { align: 'center', vertical: true });
  canvas.text(left - 50, post.y + post.h / 2, 'digit', BLACK, { align: 'center', vertical: true });
  canvas.text(left + W / 2, post.y + post.h + 24, 'time (s)', BLACK, { align: 'center' });
  if (f.title) {
    const fit = Math.floor((canvas.width - left - 10) / Canvas.textWidth('0', 2));
    canvas.text(left, 6, f.title.length > fit ? `${f.title.slice(0, fit - 3)}...` : f.title, BLACK, { scale: 2 });
  }
  if (shown < f.frames) canvas.text(left, 26, `the first ${(shown * hop).toFixed(0)} s of ${(f.frames * hop).toFixed(0)} s`, GREY);

  // The strip: true utterances (grey) above, decoded segments (red) below.
  canvas.text(left - 6, strip.y + 2, 'truth', GREY, { align: 'right' });
  canvas.text(left - 6, strip.y + 16, 'heard', RED, { align: 'right' });
  for (const p of f.truth ?? []) {
    if (p.start >= duration) continue;
    const x0 = specAxes.px(p.start), x1 = specAxes.px(Math.min(p.end, duration));
    canvas.fillRect(x0, strip.y, Math.max(1, x1 - x0), 10, GREY);
    canvas.text((x0 + x1) / 2, strip.y + 2, String(p.digit), WHITE, { align: 'center' });
  }
  for (const d of digits) {
    const x0 = specAxes.px(d.start), x1 = specAxes.px(Math.min(d.end, duration)), x = specAxes.px(d.time);
    canvas.fillRect(x0, strip.y + 14, Math.max(1, x1 - x0), 10, RED);
    canvas.line(x, spec.y, x, spec.y + spec.h - 1, WHITE, { dash: [3, 3] });
    canvas.line(x, post.y, x, post.y + post.h - 1, RED, { dash: [2, 2] });
    canvas.circle(x, postAxes.py(d.digit), 4, RED, false);
    canvas.text(x, spec.y - 20, String(d.digit), RED, { scale: 2, align: 'center' });
  }
  return canvas;
}
