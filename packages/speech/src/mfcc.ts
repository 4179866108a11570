import { Tensor } from '@eole/core';
import { dctMatrix } from './dct.js';
import { frames, hamming } from './frames.js';
import { powerSpectrum } from './fft.js';
import { melFilterbank } from './mel.js';

/** Options of {@link mfcc}. */
export interface MfccOptions {
  /** Number of mel filters (default 40). */
  nMels?: number;
  /** Number of cepstral coefficients kept (default 40, at most nMels). */
  nCoeffs?: number;
  /** Pre-emphasis coefficient α in y[n] = x[n] − α·x[n−1] (default 0.97; y[0] = x[0]). */
  preEmphasis?: number;
  /** Window length in ms (default 25). */
  winMs?: number;
  /** Hop in ms (default 10). */
  hopMs?: number;
  /** FFT size (default: the smallest power of two >= the window). */
  nFft?: number;
  /** Filterbank frequency range (default 0 .. sr/2). */
  fMin?: number;
  fMax?: number;
  /** Floor added before the log (default 1e-10): log(E + floor). */
  logFloor?: number;
}

/**
 * Mel-frequency cepstral coefficients (Davis & Mermelstein 1980; HTK book ch. 5):
 * pre-emphasis → frames (25 ms / 10 ms) → Hamming window → |FFT|² → mel filterbank →
 * log(E + floor) → orthonormal DCT-II, keeping `nCoeffs`. Returns a Tensor [frames, nCoeffs].
 * The per-frame stages are plain JS (float64); the two matrix stages (filterbank and DCT) are
 * applied as `Tensor.matmul`, i.e. through core's matmul kernels.
 * @example mfcc(samples, 16000) // Tensor [T, 40]
 */
export function mfcc(signal: Float32Array | Float64Array, sampleRate: number, opts: MfccOptions = {}): Tensor {
  const nMels = opts.nMels ?? 40;
  const nCoeffs = opts.nCoeffs ?? 40;
  const alpha = opts.preEmphasis ?? 0.97;
  const floor = opts.logFloor ?? 1e-10;
  if (nCoeffs > nMels) throw new Error(`mfcc: nCoeffs (${nCoeffs}) must be <= nMels (${nMels})`);
  const emph = new Float64Array(signal.length);
  for (let i = 0; i < signal.length; i++) emph[i] = signal[i]! - (i > 0 ? alpha * signal[i - 1]! : 0);
  const fr = frames(emph, sampleRate, { winMs: opts.winMs ?? 25, hopMs: opts.hopMs ?? 10 });
  const win = Math.round(((opts.winMs ?? 25) * sampleRate) / 1000);
  let nFft = opts.nFft ?? 1;
  while (nFft < win) nFft <<= 1;
  const nBins = nFft / 2 + 1;
  const w = hamming(win);
  const T = fr.length;
  if (T === 0) return Tensor.zeros([0, nCoeffs]);
  const power = new Float32Array(T * nBins);
  fr.forEach((f, t) => {
    for (let i = 0; i < win; i++) f[i] = f[i]! * w[i]!;
    power.set(powerSpectrum(f, nFft), t * nBins);
  });
  const fb = Tensor.from(melFilterbank(nMels, nFft, sampleRate, opts.fMin ?? 0, opts.fMax ?? sampleRate / 2), [nMels, nBins]);
  const energies = Tensor.from(power, [T, nBins]).matmul(fb.t());
  const logE = energies.add(floor).log();
  return logE.matmul(Tensor.from(dctMatrix(nCoeffs, nMels), [nCoeffs, nMels]).t());
}
