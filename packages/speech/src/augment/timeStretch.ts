import { checkInteger, checkNumber } from './check.js';

/** Options of {@link timeStretch}. */
export interface TimeStretchOptions {
  /** Frame length in ms (default 30). */
  frameMs?: number;
  /** Largest shift searched around each nominal frame position, in ms (default 10: a pitch period of 100 Hz). */
  toleranceMs?: number;
  /** Output length in samples (default round(|x|/rate)). */
  length?: number;
}

/**
 * Time-scale modification by WSOLA, waveform-similarity overlap-add (Verhelst & Roelands, "An
 * overlap-add technique based on waveform similarity (WSOLA) for high quality time-scale
 * modification of speech", ICASSP 1993): the output plays the input `rate` times as fast (rate 2:
 * half as long) at the same pitch. Hann frames of N samples are overlap-added every Hₛ = N/2 output
 * samples; output frame m is read from input position m·Hₛ·rate + δ, where δ ∈ [−Δ, Δ] maximises the
 * normalised cross-correlation of the candidate with the natural continuation of the previous frame
 * (the input segment Hₛ after it), so consecutive frames join in phase:
 *
 *   δ* = argmax_δ Σᵢ x[p + Hₛ + i]·x[mHₛ·rate + δ + i] / √(Σᵢ x[mHₛ·rate + δ + i]²).
 *
 * Rate 1 returns the input (δ* = 0 by Cauchy–Schwarz). Samples outside the input count as 0.
 *
 * @example
 * timeStretch(samples, 8000, 0.9); // 11% longer, same pitch
 */
export function timeStretch(x: Float32Array, sampleRate: number, rate: number, options: TimeStretchOptions = {}): Float32Array {
  const op = 'timeStretch';
  checkNumber(op, 'sampleRate', sampleRate, { min: 0, minExclusive: true });
  checkNumber(op, 'rate', rate, { min: 0.1, max: 10 });
  const frameMs = checkNumber(op, 'options.frameMs', options.frameMs ?? 30, { min: 1, max: 1000 });
  const toleranceMs = checkNumber(op, 'options.toleranceMs', options.toleranceMs ?? 10, { min: 0, max: 1000 });
  const outLength = checkInteger(op, 'options.length', options.length ?? Math.max(1, Math.round(x.length / rate)));
  const N = 2 * Math.max(1, Math.round((frameMs * sampleRate) / 2000));
  const Hs = N / 2;
  const tol = Math.round((toleranceMs * sampleRate) / 1000);
  const n = x.length;
  const at = (i: number): number => (i >= 0 && i < n ? x[i]! : 0);
  const w = Float64Array.from({ length: N }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N));
  // frame m covers output samples [(m − 1)·Hₛ, (m + 1)·Hₛ), so every output sample lies under two
  // frames whose periodic Hann windows sum to 1; out[j + Hₛ] holds output sample j
  const out = new Float64Array(outLength + 2 * N);
  const wsum = new Float64Array(outLength + 2 * N);
  let prev = 0;
  for (let m = 0; (m - 1) * Hs < outLength; m++) {
    const nominal = Math.round((m - 1) * Hs * rate);
    let pos = m === 0 ? -Hs : nominal;
    if (m > 0) {
      const target = prev + Hs;
      let best = -Infinity;
      for (let k = 0; k <= 2 * tol; k++) {
        const d = k % 2 === 0 ? k / 2 : -(k + 1) / 2; // 0, −1, 1, −2, 2, …: ties go to the smallest shift
        const p = nominal + d;
        let c = 0, e = 0;
        for (let i = 0; i < N; i++) {
          const v = at(p + i);
          c += at(target + i) * v;
          e += v * v;
        }
        const score = e > 0 ? c / Math.sqrt(e) : 0;
        if (k === 0 || score > best + 1e-12 * Math.abs(best)) {
          best = score;
          pos = p;
        }
      }
    }
    const start = m * Hs; // = (m − 1)·Hₛ + Hₛ
    for (let i = 0; i < N && start + i < out.length; i++) {
      out[start + i] = out[start + i]! + w[i]! * at(pos + i);
      wsum[start + i] = wsum[start + i]! + w[i]!;
    }
    prev = pos;
  }
  const y = new Float32Array(outLength);
  for (let i = 0; i < outLength; i++) y[i] = wsum[i + Hs]! > 1e-9 ? out[i + Hs]! / wsum[i + Hs]! : 0;
  return y;
}
