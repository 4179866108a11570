/**
 * The figure of the face-detect example: the photo with the detected boxes, beside the face
 * probability maps of all scales upsampled onto the photo.
 */
import { Canvas, colorAt, hex, makeColormap, BLACK, WHITE, type RGB } from '@eole/core/report';
import type { Detection, ScaleHeatmap } from '@eole/conv';
import { FACE, PATCH, type Photo } from './data.js';

const HOT = makeColormap('hot', ['#000000', '#b40426', '#ff7f0e', '#ffeb3b', '#ffffff'].map(hex));
const TOP: RGB = hex('#2ca02c');
const OTHER: RGB = hex('#ffeb3b');
const MARGIN = 10;
const TITLE = 34;
const FOOT = 40;

/**
 * The face probability of `heatmap` at every pixel of the photo: output cell (i, j) of scale s is
 * the window whose centre is ((j·stride + 12)/s, (i·stride + 12)/s) in the photo; the cells are
 * interpolated bilinearly between those centres, 0 farther than half a cell past the outermost ones.
 */
export function upsampleHeatmap(heatmap: ScaleHeatmap, stride: number, width: number, height: number): Float32Array {
  const [, H, W] = heatmap.shape;
  const p = heatmap.probabilities.subarray(FACE * H * W, (FACE + 1) * H * W);
  const out = new Float32Array(width * height);
  const half = (PATCH - 1) / 2;
  for (let y = 0; y < height; y++) {
    const v = ((y + 0.5) * heatmap.scale - 0.5 - half) / stride;
    if (v < -0.5 || v > H - 0.5) continue;
    const i0 = Math.max(0, Math.min(H - 1, Math.floor(v)));
    const i1 = Math.min(H - 1, i0 + 1);
    const b = Math.max(0, Math.min(1, v - i0));
    for (let x = 0; x < width; x++) {
      const u = ((x + 0.5) * heatmap.scale - 0.5 - half) / stride;
      if (u < -0.5 || u > W - 0.5) continue;
      const j0 = Math.max(0, Math.min(W - 1, Math.floor(u)));
      const j1 = Math.min(W - 1, j0 + 1);
      const a = Math.max(0, Math.min(1, u - j0));
      out[y * width + x] = (1 - a) * (1 - b) * p[i0 * W + j0]! + a * (1 - b) * p[i0 * W + j1]! + (1 - a) * b * p[i1 * W + j0]! + a * b * p[i1 * W + j1]!;
    }
  }
  return out;
}

/** What {@link drawFaceFigure} draws. */
export interface FaceFigure {
  photo: Photo;
  detections: readonly Detection[];
  /** The maps of every scale: their maximum, each upsampled onto the photo, is drawn on the right. */
  heatmaps: readonly ScaleHeatmap[];
  stride: number;
  title: string;
  /** A line under the panels (threshold, accuracy). */
  footnote: string;
}

/**
 * Two panels side by side: left, the photo in colour with every detection's box (the best in green,
 * the others in yellow), its rank and score; right, the photo in gray, darkened, under the face
 * probability map, at each pixel the most over the scales (black 0 → red → yellow → white 1),
 * blended by the probability. The same boxes are drawn on both.
 *
 * @example
 * drawFaceFigure({ photo, detections, heatmaps, stride: 4, title: 'face-detect', footnote: '' }).savePNG('runs/face-detect/face-detect.png');
 */
export function drawFaceFigure(f: FaceFigure): Canvas {
  const { photo } = f;
  const { width: w, height: h } = photo;
  const canvas = new Canvas(3 * MARGIN + 2 * w, TITLE + h + FOOT);
  const left = MARGIN;
  const right = 2 * MARGIN + w;
  const top = TITLE;
  const map = new Float32Array(w * h);
  for (const heatmap of f.heatmaps) {
    const up = upsampleHeatmap(heatmap, f.stride, w, h);
    for (let k = 0; k < map.length; k++) map[k] = Math.max(map[k]!, up[k]!);
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = 3 * (y * w + x);
      const l = (y + top) * canvas.width;
      canvas.data.set(photo.rgb.subarray(p, p + 3), 3 * (l + left + x));
      const g = 0.5 * 255 * photo.gray[y * w + x]!;
      const q = map[y * w + x]!;
      const c = colorAt(HOT, q);
      const a = Math.min(1, 1.5 * q);
      canvas.data.set([0, 1, 2].map((k) => Math.round((1 - a) * g + a * c[k]!)), 3 * (l + right + x));
    }
  }
  f.detections.forEach((d, k) => {
    const [x, y, bw, bh] = d.bbox.map(Math.round) as [number, number, number, number];
    const color = k === 0 ? TOP : OTHER;
    for (const at of [left, right]) {
      canvas.clip(at, top, w, h);
      canvas.strokeRect(at + x, top + y, bw, bh, color);
      canvas.strokeRect(at + x + 1, top + y + 1, bw - 2, bh - 2, color);
      if (k === 0) canvas.strokeRect(at + x - 1, top + y - 1, bw + 2, bh + 2, color);
      canvas.clip();
    }
    const label = `#${k + 1} ${d.score.toFixed(4)}`;
    const ty = Math.max(top + 2, top + y - 12);
    canvas.clip(left, top, w, h);
    canvas.fillRect(left + x, ty, Canvas.textWidth(label, 1) + 4, 10, BLACK);
    canvas.text(left + x + 2, ty + 1, label, color);
    canvas.clip();
  });
  canvas.text(MARGIN, 8, f.title, BLACK, { scale: 2 });
  canvas.text(left, top + h + 8, `detections: boxes after NMS (best in green) and P(face)`, BLACK);
  const sizes = f.heatmaps.map((m) => Math.round(PATCH / m.scale));
  canvas.text(right, top + h + 8, `P(face), the most over ${f.heatmaps.length} scales (faces of ${Math.min(...sizes)}-${Math.max(...sizes)} px)`, BLACK);
  canvas.text(MARGIN, top + h + 24, f.footnote, BLACK);
  canvas.fillRect(canvas.width - MARGIN - 128, top + h + 22, 128, 10, WHITE);
  for (let k = 0; k < 128; k++) canvas.fillRect(canvas.width - MARGIN - 128 + k, top + h + 22, 1, 10, colorAt(HOT, k / 127));
  canvas.text(canvas.width - MARGIN - 136, top + h + 23, '0', BLACK, { align: 'right' });
  canvas.text(canvas.width - MARGIN - 128, top + h + 8, 'P(face): 0 to 1', BLACK);
  return canvas;
}
