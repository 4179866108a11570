import type { Generator } from '@eole/core';
import { checkInteger } from './check.js';
import { complexFft, nextPow2 } from './complexFft.js';

/** Noise colours of {@link colouredNoise}. */
export type NoiseColour = 'white' | 'pink';

/** The colours, for validation and help texts. */
export const NOISE_COLOURS: readonly NoiseColour[] = ['white', 'pink'];

/**
 * `length` samples of Gaussian noise with unit RMS: `white` (flat power spectrum, independent
 * N(0, 1) samples) or `pink` (power spectral density ∝ 1/f, equal power per octave, the spectrum
 * of much real background noise): white Gaussian noise shaped in the frequency domain by 1/√k on
 * bin k ≥ 1 (DC removed) and transformed back (Timmer & König, "On generating power law noise",
 * A&A 1995, with Gaussian amplitudes), then rescaled to RMS 1.
 *
 * @example
 * colouredNoise(8000, 'pink', new Generator(1)); // one second at 8 kHz
 */
export function colouredNoise(length: number, colour: NoiseColour, rng: Generator): Float32Array {
  checkInteger('colouredNoise', 'length', length);
  if (!NOISE_COLOURS.includes(colour)) throw new RangeError(`colouredNoise: colour must be one of ${NOISE_COLOURS.join(', ')}, got ${String(colour)}`);
  const out = new Float32Array(length);
  if (colour === 'white') {
    for (let i = 0; i < length; i++) out[i] = rng.normal();
    return out;
  }
  const n = nextPow2(length);
  const re = new Float64Array(n), im = new Float64Array(n);
  for (let k = 1; k <= n / 2; k++) {
    const amp = 1 / Math.sqrt(k);
    re[k] = amp * rng.normal();
    im[k] = k === n / 2 ? 0 : amp * rng.normal();
    if (k < n / 2) {
      re[n - k] = re[k]!;
      im[n - k] = -im[k]!;
    }
  }
  complexFft(re, im, true);
  let s = 0;
  for (let i = 0; i < length; i++) s += re[i]! * re[i]!;
  const g = s > 0 ? Math.sqrt(length / s) : 0;
  for (let i = 0; i < length; i++) out[i] = re[i]! * g;
  return out;
}
