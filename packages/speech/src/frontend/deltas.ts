import { formatShape, Tensor } from '@eole/core';

/**
 * Regression deltas (HTK book §5.9): d_t = Σₙ₌₁ᴺ n·(c_{t+n} − c_{t−n}) / (2·Σₙ₌₁ᴺ n²), with edge frames
 * replicated (c_{t} for t < 0 is c_0, for t ≥ T is c_{T−1}). Apply twice for delta-deltas.
 * @example deltas(mfcc(x, 16000)) // same shape [T, D]
 */
export function deltas(features: Tensor, N = 2): Tensor {
  if (features.shape.length !== 2) throw new Error(`deltas: features must be [frames, dims], got shape ${formatShape(features.shape)}`);
  const [T, D] = features.shape as [number, number];
  const x = features.data;
  const out = new Float32Array(T * D);
  let denom = 0;
  for (let n = 1; n <= N; n++) denom += n * n;
  denom *= 2;
  for (let t = 0; t < T; t++) {
    for (let d = 0; d < D; d++) {
      let s = 0;
      for (let n = 1; n <= N; n++) s += n * (x[Math.min(T - 1, t + n) * D + d]! - x[Math.max(0, t - n) * D + d]!);
      out[t * D + d] = s / denom;
    }
  }
  return Tensor.from(out, [T, D]);
}

/**
 * Per-utterance cepstral mean and variance normalization: y[t, d] = (x[t, d] − μ_d) / σ_d with
 * μ_d, σ_d² the mean and (population) variance over frames; dimensions with σ_d < eps are only centred.
 * @example cmvn(mfcc(x, 16000))
 */
export function cmvn(features: Tensor, eps = 1e-8): Tensor {
  if (features.shape.length !== 2) throw new Error(`cmvn: features must be [frames, dims], got shape ${formatShape(features.shape)}`);
  const [T, D] = features.shape as [number, number];
  const x = features.data;
  const out = new Float32Array(T * D);
  for (let d = 0; d < D; d++) {
    let m = 0;
    for (let t = 0; t < T; t++) m += x[t * D + d]!;
    m /= Math.max(T, 1);
    let v = 0;
    for (let t = 0; t < T; t++) v += (x[t * D + d]! - m) ** 2;
    const sd = Math.sqrt(v / Math.max(T, 1));
    for (let t = 0; t < T; t++) out[t * D + d] = (x[t * D + d]! - m) / (sd < eps ? 1 : sd);
  }
  return Tensor.from(out, [T, D]);
}
