import type { Tensor } from '@eole/core';
import { checkFrames } from './checkFrames.js';

/**
 * The "MSE per frame" of the Moving MNIST video-prediction literature: for each frame n the sum
 * (not the mean) over all its pixels, all channels included, of the squared error,
 *
 *   MSE[n] = Σ_{c,i,j} (pred[n, c, i, j] − target[n, c, i, j])²,
 *
 * in float64, with pixel values in [0, 1]. Srivastava, Mansimov & Salakhutdinov, "Unsupervised
 * learning of video representations using LSTMs" (ICML 2015); Shi et al., "Convolutional LSTM
 * network" (NIPS 2015) report 103.3 with this definition on 64×64 frames (a sum over 4096 pixels).
 * Lower is better; identical frames give 0.
 *
 * @param pred Predicted frames [N, C, H, W] or [N, H, W].
 * @param target True frames, the same shape.
 * @returns N per-frame sums of squared errors.
 * @throws TypeError / ShapeError from {@link checkFrames}.
 *
 * @example
 * frameMse(pred, target); // Float64Array(N), e.g. [103.3, …] for a ConvLSTM on Moving MNIST
 * frameMse(Tensor.zeros(target.shape), target); // per frame Σ target²
 */
export function frameMse(pred: Tensor, target: Tensor): Float64Array {
  const { frames, channels, height, width } = checkFrames('frameMse', pred, target, 1);
  const size = channels * height * width;
  const p = pred.data;
  const t = target.data;
  const out = new Float64Array(frames);
  for (let n = 0; n < frames; n++) {
    let s = 0;
    const end = (n + 1) * size;
    for (let k = n * size; k < end; k++) {
      const d = p[k]! - t[k]!;
      s += d * d;
    }
    out[n] = s;
  }
  return out;
}
