import type { Generator } from '@eole/core';
import type { Augmentation, ParameterRange, Waveform } from './Augmentation.js';
import { checkNumber, checkRange, checkWaveform, draw, rms, scaleToRms, showRange } from './check.js';
import { convolve } from './complexFft.js';

/**
 * A synthetic room impulse response: a unit direct path followed by a Gaussian-noise tail whose
 * amplitude decays by 60 dB in `rt60` seconds (Sabine's reverberation time; the exponentially
 * decaying noise model of a reverberant tail, Moorer, "About this reverberation business", Computer
 * Music Journal 1979):
 *
 *   h[0] = 1,   h[n] = g·ν[n]·10^(−3·n/(rt60·fₛ)),  ν[n] ~ N(0, 1),  1 ≤ n < ⌈rt60·fₛ⌉,
 *
 * with g chosen so that the direct-to-reverberant energy ratio 1/Σₙ≥₁ h[n]² is `drrDb` dB.
 *
 * @example
 * const h = syntheticImpulseResponse(0.3, 8000, 0, new Generator(1)); // 2,400 taps
 */
export function syntheticImpulseResponse(rt60: number, sampleRate: number, drrDb: number, rng: Generator): Float32Array {
  checkNumber('syntheticImpulseResponse', 'rt60', rt60, { min: 0, max: 10, minExclusive: true });
  checkNumber('syntheticImpulseResponse', 'sampleRate', sampleRate, { min: 0, minExclusive: true });
  checkNumber('syntheticImpulseResponse', 'drrDb', drrDb, { min: -40, max: 60 });
  const length = Math.max(2, Math.ceil(rt60 * sampleRate));
  const h = new Float32Array(length);
  const decay = Math.pow(10, -3 / (rt60 * sampleRate));
  let tail = 0;
  for (let n = 1, a = decay; n < length; n++, a *= decay) {
    h[n] = a * rng.normal();
    tail += h[n]! * h[n]!;
  }
  const g = tail > 0 ? Math.sqrt(Math.pow(10, -drrDb / 10) / tail) : 0;
  for (let n = 1; n < length; n++) h[n] = h[n]! * g;
  h[0] = 1;
  return h;
}

/** Options of {@link reverberate}. */
export interface ReverberateOptions {
  /** Reverberation time RT60 in seconds (default [0.1, 0.6]). */
  rt60?: ParameterRange;
  /** Direct-to-reverberant energy ratio in dB (default [0, 10]). */
  drrDb?: ParameterRange;
}

/**
 * Room-like reverberation: the waveform convolved with a {@link syntheticImpulseResponse} of RT60
 * and direct-to-reverberant ratio drawn uniformly from their ranges (Ko et al., "A study on data
 * augmentation of reverberant speech for robust speech recognition", ICASSP 2017, reverberate
 * training speech with simulated room impulse responses). The output keeps the input's first |x|
 * samples of x ∗ h (the tail past the end is cut) and is rescaled to the input's RMS. Length and
 * sample rate are preserved.
 *
 * @example
 * reverberate({ rt60: [0.2, 0.8] }).apply({ samples, sampleRate: 8000 }, new Generator(2));
 */
export function reverberate(options: ReverberateOptions = {}): Augmentation {
  const rt60 = checkRange('reverberate', 'options.rt60', options.rt60 ?? [0.1, 0.6], { min: 0, max: 10, minExclusive: true });
  const drr = checkRange('reverberate', 'options.drrDb', options.drrDb ?? [0, 10], { min: -40, max: 60 });
  return {
    name: `reverberate(rt60 ${showRange(rt60)} s, drr ${showRange(drr)} dB)`,
    apply(wave: Waveform, rng: Generator): Waveform {
      checkWaveform('reverberate.apply', wave);
      const h = syntheticImpulseResponse(draw(rng, rt60), wave.sampleRate, draw(rng, drr), rng);
      return { samples: scaleToRms(convolve(wave.samples, h), rms(wave.samples)), sampleRate: wave.sampleRate };
    },
  };
}
