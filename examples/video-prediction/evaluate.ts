/**
 * Scoring a next-frame predictor on a video set as the Moving MNIST literature does: the first
 * frames of each sequence are the context, the rest are predicted recursively, and every predicted
 * frame is scored (MSE per frame, PSNR, SSIM, sharpness difference) beside the copy-last-frame and
 * all-black baselines on the same sequences.
 */
import { Tensor } from '@eole/core';
import { frameMse, predictFrames, psnr, sharpnessDifference, ssim, videoSequences, type FramePredictor, type VideoSet } from '@eole/gan';

/** One predicted frame's figures, averaged over the sequences. */
export interface FrameRow {
  /** 1-based frame number in the sequence (11 for the first prediction after 10 context frames). */
  frame: number;
  mse: number;
  copyMse: number;
  blackMse: number;
  psnr: number;
  copyPsnr: number;
  ssim: number;
  copySsim: number;
  sharpness: number;
  copySharpness: number;
}

/** What {@link scoreVideo} returns. */
export interface VideoScore {
  /** Context frames given to the model (the first `context` of each sequence). */
  context: number;
  sequences: number;
  /** One row per predicted frame, then their mean in {@link VideoScore.mean}. */
  rows: FrameRow[];
  mean: FrameRow;
  /** The predictions as uint8 [H, N, height, width] (with `keep`). */
  predictions?: Uint8Array;
}

/** The PSNR and sharpness of a perfect frame are +∞; each frame's value is capped here before averaging. */
export const DB_CAP = 99;

/** The context length for a file of T frames: 10 (the standard 10 → 10 protocol), fewer for short files. */
export function contextLength(frames: number): number {
  return Math.min(10, frames - 1);
}

const KEYS = ['mse', 'copyMse', 'blackMse', 'psnr', 'copyPsnr', 'ssim', 'copySsim', 'sharpness', 'copySharpness'] as const;

/**
 * Scores `generator` on the first `limit` sequences of `video`: context = the first
 * {@link contextLength} frames (the model reads their last K), the remaining frames predicted
 * recursively by {@link predictFrames} in chunks of `chunk` sequences. With `keep`, the
 * predictions are returned as uint8 in the file's layout.
 *
 * @example
 * const score = scoreVideo(generator, readVideoNpy('mnist_test_seq.npy'), { limit: 1000 });
 * score.mean.mse; // MSE per frame over frames 11–20
 */
export function scoreVideo(generator: FramePredictor, video: VideoSet, options: { limit?: number; chunk?: number; keep?: boolean } = {}): VideoScore {
  const T = video.frames;
  const c = contextLength(T);
  if (c < generator.context) throw new RangeError(`scoreVideo: the file has ${T} frames, so ${c} context frames; the model needs ${generator.context}`);
  const N = Math.min(options.limit ?? video.sequences, video.sequences);
  const chunk = options.chunk ?? 25;
  const { height: H, width: W } = video;
  const plane = H * W;
  const horizon = T - c;
  const sums = Array.from({ length: horizon }, () => Object.fromEntries(KEYS.map((k) => [k, 0])) as Record<(typeof KEYS)[number], number>);
  const predictions = options.keep ? new Uint8Array(horizon * N * plane) : undefined;
  for (let first = 0; first < N; first += chunk) {
    const n = Math.min(chunk, N - first);
    const unit = videoSequences(video, first, n);
    const context = new Float32Array(n * c * plane);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < c * plane; j++) context[i * c * plane + j] = 2 * unit[i * T * plane + j]! - 1;
    }
    const pred = predictFrames(generator, new Tensor(context, [n, c, H, W]), horizon).data;
    for (let h = 0; h < horizon; h++) {
      const p = new Float32Array(n * plane);
      const truth = new Float32Array(n * plane);
      const last = new Float32Array(n * plane);
      for (let i = 0; i < n; i++) {
        for (let q = 0; q < plane; q++) {
          const v = Math.min(1, Math.max(0, (pred[(i * horizon + h) * plane + q]! + 1) / 2));
          p[i * plane + q] = v;
          truth[i * plane + q] = unit[(i * T + c + h) * plane + q]!;
          last[i * plane + q] = unit[(i * T + c - 1) * plane + q]!;
          if (predictions) predictions[(h * N + first + i) * plane + q] = Math.round(255 * v);
        }
      }
      const shape = [n, 1, H, W];
      const [tp, tt, tl] = [new Tensor(p, shape), new Tensor(truth, shape), new Tensor(last, shape)];
      const add = (key: (typeof KEYS)[number], values: Float64Array, cap = Number.POSITIVE_INFINITY): void => {
        for (const v of values) sums[h]![key] += Math.min(v, cap);
      };
      add('mse', frameMse(tp, tt));
      add('copyMse', frameMse(tl, tt));
      add('blackMse', frameMse(Tensor.zeros(shape), tt));
      add('psnr', psnr(tp, tt), DB_CAP);
      add('copyPsnr', psnr(tl, tt), DB_CAP);
      if (H >= 11 && W >= 11) {
        add('ssim', ssim(tp, tt));
        add('copySsim', ssim(tl, tt));
      }
      add('sharpness', sharpnessDifference(tp, tt), DB_CAP);
      add('copySharpness', sharpnessDifference(tl, tt), DB_CAP);
    }
  }
  const rows = sums.map((s, h) => ({ frame: c + h + 1, ...(Object.fromEntries(KEYS.map((k) => [k, s[k] / N])) as Record<(typeof KEYS)[number], number>) }));
  const mean = { frame: 0, ...(Object.fromEntries(KEYS.map((k) => [k, rows.reduce((a, r) => a + r[k], 0) / rows.length])) as Record<(typeof KEYS)[number], number>) };
  return { context: c, sequences: N, rows, mean, ...(predictions ? { predictions } : {}) };
}

/** The per-frame table `--eval` prints (fixed-width columns), its mean row last. */
export function frameTable(score: VideoScore): string {
  const head = ['frame', 'MSE', 'copy-last', 'black', 'PSNR', 'PSNR copy', 'SSIM', 'SSIM copy', 'sharp.', 'sharp. copy'];
  const fmt = (r: FrameRow, label: string): string[] => [
    label,
    r.mse.toFixed(2),
    r.copyMse.toFixed(2),
    r.blackMse.toFixed(2),
    r.psnr.toFixed(2),
    r.copyPsnr.toFixed(2),
    r.ssim.toFixed(3),
    r.copySsim.toFixed(3),
    r.sharpness.toFixed(2),
    r.copySharpness.toFixed(2),
  ];
  const lines = [head, ...score.rows.map((r) => fmt(r, String(r.frame))), fmt(score.mean, 'mean')];
  return lines.map((cells) => cells.map((v, i) => (i === 0 ? v.padEnd(6) : v.padStart(i === head.length - 1 ? 12 : 10))).join('')).join('\n');
}

/** The range of frames predicted, as the last line prints it: `11-20`. */
export function frameRange(score: VideoScore): string {
  const first = score.rows[0]!.frame;
  const last = score.rows[score.rows.length - 1]!.frame;
  return first === last ? String(first) : `${first}-${last}`;
}
