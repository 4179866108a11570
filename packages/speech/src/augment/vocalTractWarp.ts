import type { Generator } from '@eole/core';
import { vtlnWarp } from '../frontend/mel.js';
import type { Augmentation, ParameterRange, Waveform } from './Augmentation.js';
import { checkNumber, checkRange, checkWaveform, draw, showRange } from './check.js';
import { complexFft, nextPow2 } from './complexFft.js';

/** The inverse of {@link vtlnWarp} (piecewise linear, so its inverse is too). */
function unwarp(f: number, alpha: number, nyquist: number, cutoff: number): number {
  const knee = (cutoff * Math.min(alpha, 1)) / alpha;
  if (f <= alpha * knee) return f / alpha;
  return nyquist - ((nyquist - f) * (nyquist - knee)) / (nyquist - alpha * knee);
}

const wrap = (p: number): number => p - 2 * Math.PI * Math.round(p / (2 * Math.PI));

/** peakOf[k] = the local maximum of `mag` nearest to bin k (ties to the lower one). */
function lockToPeaks(mag: Float64Array, peakOf: Int32Array): void {
  const peaks: number[] = [];
  for (let k = 0; k < mag.length; k++) if ((k === 0 || mag[k]! > mag[k - 1]!) && (k === mag.length - 1 || mag[k]! >= mag[k + 1]!)) peaks.push(k);
  let q = 0;
  for (let k = 0; k < mag.length; k++) {
    while (q + 1 < peaks.length && Math.abs(peaks[q + 1]! - k) < Math.abs(peaks[q]! - k)) q++;
    peakOf[k] = peaks[q] ?? k;
  }
}

/**
 * Vocal-tract length perturbation of a waveform (Jaitly & Hinton, "Vocal tract length perturbation
 * (VTLP) improves speech recognition", ICML WDLASL 2013, who warp the filterbank; here the warp is
 * applied to the short-time spectrum and the waveform resynthesised, so any front end sees it):
 * every frequency f moves to w(f) = {@link vtlnWarp}(f, α) (α·f up to a knee, then linear to a fixed
 * Nyquist frequency), formants and harmonics alike, a talker with a vocal tract 1/α as long.
 *
 * A phase vocoder does it (Flanagan & Golden, "Phase vocoder", Bell Syst. Tech. J. 1966; Laroche &
 * Dolson, "New phase-vocoder techniques for pitch-shifting, harmonizing and other exotic effects",
 * WASPAA 1999): zero-phase Hann frames of N ≈ 32 ms, hop H = N/4. Each source bin k keeps a synthesis
 * phase advanced every hop by H·2π·w(f̂ₖ)/fₛ, f̂ₖ its instantaneous frequency (from its phase
 * difference between frames). Output bin j takes the magnitude at source frequency w⁻¹(f_j) (linear
 * interpolation between bins) and, from the nearest source bin k with its spectral peak r, the phase
 * ψ_r + φₖ − φ_r (identity phase locking: the bins of one partial move together); inverse FFT and
 * windowed overlap-add, normalised by Σ window². α = 1 reproduces the input. Length and sample rate
 * are preserved.
 *
 * @example
 * warpVocalTract(samples, 8000, 1.1); // formants 10% higher
 */
export function warpVocalTract(samples: Float32Array, sampleRate: number, alpha: number): Float32Array {
  checkNumber('warpVocalTract', 'alpha', alpha, { min: 0.5, max: 2 });
  checkNumber('warpVocalTract', 'sampleRate', sampleRate, { min: 0, minExclusive: true });
  const N = nextPow2(Math.round(0.032 * sampleRate));
  const H = N / 4;
  const nyquist = sampleRate / 2;
  const cutoff = 0.85 * nyquist;
  const bins = N / 2 + 1;
  const w = Float64Array.from({ length: N }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N));
  // source position (in bins) of every output bin
  const source = Float64Array.from({ length: bins }, (_, j) => (unwarp((j * sampleRate) / N, alpha, nyquist, cutoff) * N) / sampleRate);
  const n = samples.length;
  const padded = new Float64Array(n + 2 * N);
  padded.set(samples, N);
  const frames = Math.floor((padded.length - N) / H) + 1;
  const out = new Float64Array(padded.length);
  const norm = new Float64Array(padded.length);
  const prevPhase = new Float64Array(bins);
  const synthPhase = new Float64Array(bins);
  const phase = new Float64Array(bins);
  const mag = new Float64Array(bins);
  const peakOf = new Int32Array(bins);
  const re = new Float64Array(N), im = new Float64Array(N);
  const half = N / 2;
  for (let m = 0; m < frames; m++) {
    const start = m * H;
    // zero-phase analysis (the frame rotated by N/2): the bins of one windowed sinusoid share a phase
    for (let i = 0; i < N; i++) {
      const s = (i + half) % N;
      re[i] = padded[start + s]! * w[s]!;
      im[i] = 0;
    }
    complexFft(re, im);
    for (let k = 0; k < bins; k++) {
      phase[k] = Math.atan2(im[k]!, re[k]!);
      mag[k] = Math.hypot(re[k]!, im[k]!);
      const omega = (2 * Math.PI * k) / N;
      const inst = m === 0 ? omega : omega + wrap(phase[k]! - prevPhase[k]! - omega * H) / H; // radians per sample
      const fOut = vtlnWarp((inst * sampleRate) / (2 * Math.PI), alpha, nyquist, cutoff);
      synthPhase[k] = m === 0 ? phase[k]! : synthPhase[k]! + (H * 2 * Math.PI * fOut) / sampleRate;
      prevPhase[k] = phase[k]!;
    }
    lockToPeaks(mag, peakOf);
    for (let j = 0; j < bins; j++) {
      const p = Math.min(source[j]!, bins - 1);
      const lo = Math.floor(p);
      const hi = Math.min(lo + 1, bins - 1);
      const near = p - lo < 0.5 ? lo : hi;
      const a = mag[lo]! + (p - lo) * (mag[hi]! - mag[lo]!);
      const r = peakOf[near]!;
      const psi = synthPhase[r]! + phase[near]! - phase[r]!; // identity phase locking (Laroche & Dolson)
      re[j] = a * Math.cos(psi);
      im[j] = a * Math.sin(psi);
    }
    im[0] = 0;
    im[half] = 0;
    for (let j = 1; j < half; j++) (re[N - j] = re[j]!), (im[N - j] = -im[j]!);
    complexFft(re, im, true);
    for (let i = 0; i < N; i++) {
      const s = (i + half) % N;
      out[start + s] = out[start + s]! + re[i]! * w[s]!;
      norm[start + s] = norm[start + s]! + w[s]! * w[s]!;
    }
  }
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = norm[i + N]! > 1e-9 ? out[i + N]! / norm[i + N]! : 0;
  return y;
}

/**
 * Random vocal-tract length perturbation: α uniform in `alpha` (default [0.9, 1.1], Jaitly & Hinton's
 * range), applied by {@link warpVocalTract}. A fixed α (`alpha: 1.08`) makes a consistent
 * pseudo-speaker. A voice change that keeps the words: for digit training, or to make new
 * identities for speaker training. Length and sample rate are preserved.
 *
 * @example
 * vocalTractWarp({ alpha: [0.9, 1.1] }).apply({ samples, sampleRate: 8000 }, new Generator(6));
 */
export function vocalTractWarp(options: { alpha?: ParameterRange } = {}): Augmentation {
  const alpha = checkRange('vocalTractWarp', 'options.alpha', options.alpha ?? [0.9, 1.1], { min: 0.5, max: 2 });
  return {
    name: `vocalTractWarp(α ${showRange(alpha)})`,
    apply(wave: Waveform, rng: Generator): Waveform {
      checkWaveform('vocalTractWarp.apply', wave);
      return { samples: warpVocalTract(wave.samples, wave.sampleRate, draw(rng, alpha)), sampleRate: wave.sampleRate };
    },
  };
}
