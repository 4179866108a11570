import type { Generator } from '@eole/core';
import type { Augmentation, ParameterRange, Waveform } from './Augmentation.js';
import { applyBiquads, biquadCoefficients, type Biquad } from './biquad.js';
import { checkRange, checkWaveform, draw, showRange } from './check.js';

/** Q of the two sections of a 4th-order Butterworth filter: 1/(2·cos(π/8)), 1/(2·cos(3π/8)). */
const BUTTERWORTH4_Q = [1 / (2 * Math.cos(Math.PI / 8)), 1 / (2 * Math.cos((3 * Math.PI) / 8))] as const;

/**
 * The sections of a band-pass from `low` to `high` Hz: a 4th-order Butterworth high-pass at `low`
 * and a 4th-order Butterworth low-pass at `high` (each two biquads; −3 dB at each edge, 24 dB per
 * octave outside). A `high` at or above 0.49·fₛ drops the low-pass.
 *
 * @example
 * applyBiquads(x, bandPassSections(300, 3400, 8000)); // the telephone band
 */
export function bandPassSections(low: number, high: number, sampleRate: number): Biquad[] {
  if (!(low > 0 && low < high)) throw new RangeError(`bandPassSections: need 0 < low < high, got low=${low}, high=${high}`);
  const sections = BUTTERWORTH4_Q.map((q) => biquadCoefficients('highpass', low, sampleRate, { q }));
  if (high < 0.49 * sampleRate) sections.push(...BUTTERWORTH4_Q.map((q) => biquadCoefficients('lowpass', high, sampleRate, { q })));
  return sections;
}

/** Options of {@link bandLimit}. */
export interface BandLimitOptions {
  /** Lower edge in Hz (default [200, 400]). */
  low?: ParameterRange;
  /** Upper edge in Hz (default [3000, 3600]; clamped below 0.49·fₛ at application). */
  high?: ParameterRange;
}

/**
 * A codec-like band limit: a band-pass between a lower edge and an upper edge drawn from their
 * ranges ({@link bandPassSections}); the default ranges span the telephone band, 300–3400 Hz
 * (ITU-T G.712). The voice's formants and pitch inside the band stay; the energy outside goes, as
 * through a telephone line. Length and sample rate are preserved.
 *
 * @example
 * bandLimit({ low: 300, high: 3400 }).apply({ samples, sampleRate: 8000 }, rng); // fixed telephone band
 */
export function bandLimit(options: BandLimitOptions = {}): Augmentation {
  const low = checkRange('bandLimit', 'options.low', options.low ?? [200, 400], { min: 0, minExclusive: true });
  const high = checkRange('bandLimit', 'options.high', options.high ?? [3000, 3600], { min: 0, minExclusive: true });
  if (low[1] >= high[0]) throw new RangeError(`bandLimit: options.low must lie below options.high, got low ${showRange(low)} Hz and high ${showRange(high)} Hz`);
  return {
    name: `bandLimit(${showRange(low)}–${showRange(high)} Hz)`,
    apply(wave: Waveform, rng: Generator): Waveform {
      checkWaveform('bandLimit.apply', wave);
      const lo = draw(rng, low);
      const hi = Math.min(draw(rng, high), 0.49 * wave.sampleRate);
      if (!(lo < hi)) throw new RangeError(`bandLimit.apply: the lower edge ${lo} Hz must lie below the upper edge ${hi} Hz at ${wave.sampleRate} Hz`);
      return { samples: applyBiquads(wave.samples, bandPassSections(lo, hi, wave.sampleRate)), sampleRate: wave.sampleRate };
    },
  };
}
