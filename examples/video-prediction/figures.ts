/** The example's pictures: strips of context, truth and prediction, and the losses side by side. */
import { Tensor } from '@eole/core';
import { predictFrames, videoSequences, type FramePredictor, type VideoSet } from '@eole/gan';
import { imageGrid } from '@eole/gan/report';
import { contextLength } from './evaluate.js';

/** One row of a figure: a label and frames in [0, 1]. */
interface Row {
  label: string;
  frames: Float32Array;
}

/** The last `shown` context frames then `horizon` frames of sequence `i` of the set, in [0, 1]. */
function truthRow(unit: Float32Array, i: number, T: number, plane: number, c: number, shown: number, horizon: number): Float32Array {
  return unit.slice((i * T + c - shown) * plane, (i * T + c + horizon) * plane);
}

/** The rows of each model's recursive predictions after the same context frames. */
function predictedRows(models: readonly { label: string; generator: FramePredictor }[], video: VideoSet, seqs: readonly number[], shown: number, horizon: number): Row[] {
  const T = video.frames;
  const c = contextLength(T);
  const { height: H, width: W } = video;
  const plane = H * W;
  const rows: Row[] = [];
  for (const i of seqs) {
    const unit = videoSequences(video, i, 1);
    rows.push({ label: `#${i} truth`, frames: truthRow(unit, 0, T, plane, c, shown, horizon) });
    const context = new Tensor(Float32Array.from(unit.subarray(0, c * plane), (v) => 2 * v - 1), [1, c, H, W]);
    for (const m of models) {
      const pred = predictFrames(m.generator, context, horizon).data;
      const frames = new Float32Array((shown + horizon) * plane);
      frames.set(unit.subarray((c - shown) * plane, c * plane));
      for (let q = 0; q < horizon * plane; q++) frames[shown * plane + q] = Math.min(1, Math.max(0, (pred[q]! + 1) / 2));
      rows.push({ label: m.label, frames });
    }
  }
  return rows;
}

/**
 * A PNG strip per sequence: the last K context frames and the truth of the next `horizon`
 * frames, then each model's prediction after the same context (a column per frame).
 *
 * @example
 * videoStrips('runs/video-prediction/strip.png', [{ label: 'gdl', generator }], val, [0, 1, 2], 10, 'epoch 3');
 */
export function videoStrips(path: string, models: readonly { label: string; generator: FramePredictor }[], video: VideoSet, seqs: readonly number[], horizon: number, title: string): string {
  const shown = Math.min(4, contextLength(video.frames));
  const h = Math.min(horizon, video.frames - contextLength(video.frames));
  const rows = predictedRows(models, video, seqs.filter((i) => i < video.sequences), shown, h);
  const cols = shown + h;
  const plane = video.height * video.width;
  const pixels = new Float32Array(rows.length * cols * plane);
  rows.forEach((r, k) => pixels.set(r.frames, k * cols * plane));
  const labels = rows.map((r) => r.label.slice(0, 8));
  imageGrid(pixels, rows.length * cols, video.height, video.width, { cols, scale: 1, range: [0, 1], rowLabels: labels, title }).savePNG(path);
  return path;
}
