import { noGrad, type Tensor } from '@eole/core';
import type { Box } from './Box.js';
import { decodeBox } from './boxRegression.js';
import { rescaleImage } from './imagePyramid.js';
import { batchedNms } from './nms.js';

/** What a fully convolutional detector returns for an image: class scores per cell, and optionally box deltas per cell. */
export interface DetectorOutput {
  /** [1, K, H', W']: log-probabilities (or probabilities, see `logProbabilities`) of K classes per window. */
  scores: Tensor;
  /** [1, 4, H', W']: the window's box deltas (dx, dy, dw, dh; see `decodeBox`), when the detector regresses boxes. */
  boxes?: Tensor;
}

/** Options of {@link detectMultiscale}. */
export interface DetectMultiscaleOptions {
  /** The window the detector was trained on, [height, width], and the stride of its output cells. */
  window: readonly [number, number];
  stride: number;
  /** The image scales to scan (default [1]); a scale s finds objects about window/s in size. */
  scales?: readonly number[];
  /** The background class, never reported (default 0; −1 for none). */
  background?: number;
  /** Keep a window when its best non-background class has probability > this (default 0.5). */
  scoreThreshold?: number;
  /** Per-class NMS over all scales (default 0.3). */
  iouThreshold?: number;
  /** At most this many detections (default 100, as COCO). */
  maxDetections?: number;
  /** Whether `scores` are log-probabilities (default true: a net ending in `SpatialLogSoftMax`). */
  logProbabilities?: boolean;
}

/** One detection, in the original image's pixels. */
export interface Detection {
  bbox: Box;
  score: number;
  /** The class index of the detector's output (COCO category ids are the caller's mapping). */
  classIndex: number;
}

/** The class-score map of one scale (a heatmap per class, probabilities). */
export interface ScaleHeatmap {
  scale: number;
  /** [K, H', W'] probabilities. */
  probabilities: Float32Array;
  shape: readonly [number, number, number];
}

/**
 * Multiscale sliding-window detection (Vaillant, Monrocq & LeCun 1994; OverFeat, Sermanet et al.
 * 2014): the fully convolutional detector runs once per scale s of the image pyramid; every output
 * cell (i, j) is the window at (j·stride, i·stride) of size `window` in the scaled image, so in the
 * original image the box [j·stride/s, i·stride/s, w/s, h/s], or with box regression
 * decodeBox(deltas, that window)/s ("for each window, predict a class and bounding box
 * parameters"). Windows whose best non-background class passes `scoreThreshold` become detections;
 * per-class greedy NMS over all scales keeps the best ones. Also returns every scale's heatmaps.
 *
 * @example
 * const { net, window, stride } = fullyConvolutional(classifier, [1, 28, 28]);
 * const { detections } = detectMultiscale((x) => ({ scores: net.forward(x) }), image, { window, stride, scales: [1, 0.71, 0.5] });
 */
export function detectMultiscale(detector: (image: Tensor) => DetectorOutput, image: Tensor, options: DetectMultiscaleOptions): { detections: Detection[]; heatmaps: ScaleHeatmap[] } {
  const where = 'detectMultiscale';
  if (image.ndim !== 4 || image.shape[0] !== 1) throw new RangeError(`${where}: image must be [1, C, H, W], got [${image.shape.join(', ')}]`);
  const { window, stride } = options;
  if (!(stride > 0)) throw new RangeError(`${where}: stride must be > 0, got ${String(stride)}`);
  const background = options.background ?? 0;
  const threshold = options.scoreThreshold ?? 0.5;
  const log = options.logProbabilities ?? true;
  const boxes: Box[] = [];
  const scores: number[] = [];
  const classes: number[] = [];
  const heatmaps: ScaleHeatmap[] = [];
  for (const scale of options.scales ?? [1]) {
    const scaled = scale === 1 ? image : rescaleImage(image, scale);
    if (scaled.shape[2]! < window[0] || scaled.shape[3]! < window[1]) continue;
    const out = noGrad(() => detector(scaled));
    const [n, K, H, W] = out.scores.shape as [number, number, number, number];
    if (n !== 1 || out.scores.ndim !== 4) throw new RangeError(`${where}: the detector's scores must be [1, K, H', W'], got [${out.scores.shape.join(', ')}]`);
    if (out.boxes && (out.boxes.shape[1] !== 4 || out.boxes.shape[2] !== H || out.boxes.shape[3] !== W)) {
      throw new RangeError(`${where}: the detector's boxes must be [1, 4, ${H}, ${W}], got [${out.boxes.shape.join(', ')}]`);
    }
    const p = Float32Array.from(out.scores.data, (v) => (log ? Math.exp(v) : v));
    heatmaps.push({ scale, probabilities: p, shape: [K, H, W] });
    const d = out.boxes?.data;
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < W; j++) {
        let best = -1;
        for (let c = 0; c < K; c++) if (c !== background && (best < 0 || p[c * H * W + i * W + j]! > p[best * H * W + i * W + j]!)) best = c;
        const score = best < 0 ? 0 : p[best * H * W + i * W + j]!;
        if (score <= threshold) continue;
        const windowBox: Box = [j * stride, i * stride, window[1], window[0]];
        const local = d ? decodeBox([d[i * W + j]!, d[H * W + i * W + j]!, d[2 * H * W + i * W + j]!, d[3 * H * W + i * W + j]!], windowBox) : windowBox;
        boxes.push([local[0] / scale, local[1] / scale, local[2] / scale, local[3] / scale]);
        scores.push(score);
        classes.push(best);
      }
    }
  }
  const keep = batchedNms(boxes, scores, classes, options.iouThreshold ?? 0.3, { maxDetections: options.maxDetections ?? 100 });
  return { detections: keep.map((k) => ({ bbox: boxes[k]!, score: scores[k]!, classIndex: classes[k]! })), heatmaps };
}
