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
  /** Vocal-tract length warp factor α of the filterbank (default 1: none); see `vtlnWarp`. */
  warp?: number;
}

/**
 * The fixed parts of an MFCC front end for one sample rate and option set: sizes, the Hamming
 * window and the two matrices. Shared by the batch {@link mfcc} and the incremental `MfccStream`,
 * so both run the same arithmetic frame by frame.
 */
export interface MfccPlan {
  readonly sampleRate: number;
  readonly nMels: number;
  readonly nCoeffs: number;
  readonly alpha: number;
  readonly floor: number;
  readonly winMs: number;
  readonly hopMs: number;
  /** Window and hop in samples. */
  readonly win: number;
  readonly hop: number;
  readonly nFft: number;
  readonly nBins: number;
  readonly window: Float64Array;
  /** Mel filterbank [nMels, nBins] and orthonormal DCT-II [nCoeffs, nMels]. */
  readonly filterbank: Tensor;
  readonly dct: Tensor;
}

/** Validates the options and builds the {@link MfccPlan} (throws naming the bad option). */
export function mfccPlan(sampleRate: number, opts: MfccOptions = {}): MfccPlan {
  const nMels = opts.nMels ?? 40;
  const nCoeffs = opts.nCoeffs ?? 40;
  const alpha = opts.preEmphasis ?? 0.97;
  const floor = opts.logFloor ?? 1e-10;
  const winMs = opts.winMs ?? 25;
  const hopMs = opts.hopMs ?? 10;
  if (!(Number.isFinite(sampleRate) && sampleRate > 0)) throw new RangeError(`mfcc: sampleRate must be a positive number, got ${sampleRate}`);
  if (nCoeffs > nMels) throw new Error(`mfcc: nCoeffs (${nCoeffs}) must be <= nMels (${nMels})`);
  const win = Math.round((winMs * sampleRate) / 1000);
  const hop = Math.round((hopMs * sampleRate) / 1000);
  if (win < 1 || hop < 1) throw new Error(`frames: window (${win}) and hop (${hop}) must be >= 1 sample`);
  let nFft = opts.nFft ?? 1;
  while (nFft < win) nFft <<= 1;
  const nBins = nFft / 2 + 1;
  return {
    sampleRate, nMels, nCoeffs, alpha, floor, winMs, hopMs, win, hop, nFft, nBins,
    window: hamming(win),
    filterbank: Tensor.from(melFilterbank(nMels, nFft, sampleRate, opts.fMin ?? 0, opts.fMax ?? sampleRate / 2, opts.warp ?? 1), [nMels, nBins]),
    dct: Tensor.from(dctMatrix(nCoeffs, nMels), [nCoeffs, nMels]),
  };
}

/**
 * Power spectra of windowed frames: frame t (modified in place by the Hamming window) goes to row t
 * of the returned Float32Array [frames.length, nBins].
 */
export function framePowers(plan: MfccPlan, fr: readonly Float64Array[]): Float32Array {
  const { win, nFft, nBins, window: w } = plan;
  const power = new Float32Array(fr.length * nBins);
  fr.forEach((f, t) => {
    for (let i = 0; i < win; i++) f[i] = f[i]! * w[i]!;
    power.set(powerSpectrum(f, nFft), t * nBins);
  });
  return power;
}

/** Mel energies E [T, nMels] = P·Fᵀ of power spectra P [T, nBins] (a matmul through core's kernels). */
export function melEnergies(plan: MfccPlan, power: Float32Array, T: number): Tensor {
  return Tensor.from(power, [T, plan.nBins]).matmul(plan.filterbank.t());
}

/** The log-mel stage log(E + floor) [T, nMels]. */
export function logMel(plan: MfccPlan, energies: Tensor): Tensor {
  return energies.add(plan.floor).log();
}

/** The cepstra: log-mel [T, nMels] times the DCT matrix, [T, nCoeffs]. */
export function cepstra(plan: MfccPlan, logE: Tensor): Tensor {
  return logE.matmul(plan.dct.t());
}

/**
 * Mel-frequency cepstral coefficients (Davis & Mermelstein 1980; HTK book ch. 5):
 * pre-emphasis → frames (25 ms / 10 ms) → Hamming window → |FFT|² → mel filterbank →
 * log(E + floor) → orthonormal DCT-II, keeping `nCoeffs`. Returns a Tensor [frames, nCoeffs].
 * The per-frame stages are plain JS (float64); the two matrix stages (filterbank and DCT) are
 * applied as `Tensor.matmul`, i.e. through core's matmul kernels. `MfccStream` computes the same
 * frames incrementally, chunk by chunk.
 * @example mfcc(samples, 16000) // Tensor [T, 40]
 */
export function mfcc(signal: Float32Array | Float64Array, sampleRate: number, opts: MfccOptions = {}): Tensor {
  const plan = mfccPlan(sampleRate, opts);
  const emph = new Float64Array(signal.length);
  for (let i = 0; i < signal.length; i++) emph[i] = signal[i]! - (i > 0 ? plan.alpha * signal[i - 1]! : 0);
  const fr = frames(emph, sampleRate, { winMs: plan.winMs, hopMs: plan.hopMs });
  const T = fr.length;
  if (T === 0) return Tensor.zeros([0, plan.nCoeffs]);
  return cepstra(plan, logMel(plan, melEnergies(plan, framePowers(plan, fr), T)));
}
