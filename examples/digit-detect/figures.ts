/**
 * The picture of digit-detect: per image, the image with its true boxes (green) and the
 * detections (red, with digit and score), and beside it the detector's heatmap: for every pixel,
 * the highest probability of "a digit here" (1 − p(background)) over the scales, at the windows
 * centred nearest to it.
 */
import { Canvas, GREYS, hex, VIRIDIS, WHITE, BLACK } from '@eole/core/report';
import { nms, type DetectedBox, type DetectionSample, type ScaleHeatmap } from '@eole/conv';
import { WINDOW } from './model.js';

const ZOOM = 2;
const GAP = 8;
const TRUTH = hex('#2ca02c');
const DETECTION = hex('#d62728');

/** The "digit here" map of an image, its size, from the per-scale heatmaps (background is class 0). */
export function digitHeatmap(heatmaps: readonly ScaleHeatmap[], width: number, height: number, stride: number): Float32Array {
  const out = new Float32Array(width * height);
  for (const { scale, probabilities, shape } of heatmaps) {
    const [, H, W] = shape;
    // the cell whose window centre is nearest, for pixels within half a stride of some cell's centre
    const cell = (v: number, n: number): number => {
      const c = Math.round(((v + 0.5) * scale - WINDOW / 2) / stride);
      return c < 0 || c >= n ? -1 : c;
    };
    for (let y = 0; y < height; y++) {
      const i = cell(y, H);
      if (i < 0) continue;
      for (let x = 0; x < width; x++) {
        const j = cell(x, W);
        if (j < 0) continue;
        const p = 1 - probabilities[i * W + j]!;
        if (p > out[y * width + x]!) out[y * width + x] = p;
      }
    }
  }
  return out;
}

/** The detections above `minScore`, without those that overlap a better one of any class by IoU > 0.3 (for the eye only: AP is scored per class). */
function bestPerPlace(detections: readonly DetectedBox[], minScore: number): DetectedBox[] {
  const shown = detections.filter((d) => d.score >= minScore);
  return nms(shown.map((d) => d.bbox), shown.map((d) => d.score), 0.3).map((k) => shown[k]!);
}

/** One row of the figure per image: the image with boxes, and its heatmap. */
export interface FigureRow {
  sample: DetectionSample;
  detections: readonly DetectedBox[];
  heatmap: Float32Array;
}

/**
 * Draws the rows (image with true boxes in green and, in red, the best detection above
 * `minScore` at each place; heatmap in viridis) and returns the canvas.
 *
 * @example
 * detectionFigure(rows, 0.5).savePNG('runs/digit-detect/detections.png');
 */
export function detectionFigure(rows: readonly FigureRow[], minScore: number): Canvas {
  const side = Math.max(...rows.map((r) => Math.max(r.sample.width, r.sample.height))) * ZOOM;
  const header = 14;
  const canvas = new Canvas(2 * side + 3 * GAP, header + rows.length * (side + GAP) + GAP, WHITE);
  canvas.text(GAP, 4, 'truth (green), best detection per place (red); right: p(digit)', BLACK);
  rows.forEach(({ sample, detections, heatmap }, r) => {
    const y0 = header + r * (side + GAP);
    canvas.image(GAP, y0, Float32Array.from(sample.image, (v) => v / 255), sample.width, sample.height, ZOOM, { colormap: GREYS });
    canvas.image(2 * GAP + side, y0, heatmap, sample.width, sample.height, ZOOM, { colormap: VIRIDIS, min: 0, max: 1 });
    for (const { bbox } of sample.boxes) canvas.strokeRect(GAP + bbox[0] * ZOOM, y0 + bbox[1] * ZOOM, bbox[2] * ZOOM, bbox[3] * ZOOM, TRUTH);
    for (const d of bestPerPlace(detections, minScore)) {
      const [x, y, w, h] = d.bbox.map((v) => Math.round(v * ZOOM)) as [number, number, number, number];
      canvas.strokeRect(GAP + x, y0 + y, w, h, DETECTION);
      canvas.text(GAP + x + 1, y0 + Math.max(0, y - 9), `${d.categoryId - 1} ${d.score.toFixed(2)}`, DETECTION);
    }
  });
  return canvas;
}
