import type { Generator } from '@eole/core';
import { resample } from '../frontend/resample.js';
import type { Augmentation, ParameterRange, Waveform } from './Augmentation.js';
import { checkNumber, checkRange, checkWaveform, draw, showRange } from './check.js';
import { timeStretch } from './timeStretch.js';

/**
 * Shifts every frequency of `samples` (pitch and formants together) by `semitones`, keeping the
 * duration: the band-limited resampler plays the signal r = 2^(semitones/12) times as fast
 * (resampled from fₛ to fₛ/r and played at fₛ: higher and shorter, the speed perturbation of Ko et
 * al., "Audio augmentation for speech recognition", Interspeech 2015), then {@link timeStretch}
 * (WSOLA) brings it back to the input's length at the new pitch. fₛ/r is rounded to a multiple of
 * fₛ/400 (a polyphase resampler of at most 400 phases; the shift is within 0.03 semitone of the one
 * asked for at ±2 semitones). Length and sample rate are preserved; 0 semitones returns a copy.
 *
 * @example
 * shiftPitch(samples, 8000, 2);   // a whole tone higher, same length
 */
export function shiftPitch(samples: Float32Array, sampleRate: number, semitones: number): Float32Array {
  checkNumber('shiftPitch', 'semitones', semitones, { min: -24, max: 24 });
  checkNumber('shiftPitch', 'sampleRate', sampleRate, { min: 0, minExclusive: true });
  if (semitones === 0) return Float32Array.from(samples);
  // the intermediate rate is a multiple of fₛ/400, so an integer fₛ gets a polyphase filter of at most 400 phases
  const step = sampleRate / 400;
  const faster = resample(samples, sampleRate, step * Math.max(1, Math.round(sampleRate / Math.pow(2, semitones / 12) / step)));
  return timeStretch(faster, sampleRate, Math.max(1, faster.length) / samples.length, { length: samples.length });
}

/**
 * A random pitch shift of uniform `semitones` (default [−2, 2]) by {@link shiftPitch}: a voice
 * change that keeps the words, for digit (not speaker) training. Length and sample rate are
 * preserved.
 *
 * @example
 * pitchShift({ semitones: [-3, 3] }).apply({ samples, sampleRate: 8000 }, new Generator(4));
 */
export function pitchShift(options: { semitones?: ParameterRange } = {}): Augmentation {
  const semitones = checkRange('pitchShift', 'options.semitones', options.semitones ?? [-2, 2], { min: -24, max: 24 });
  return {
    name: `pitchShift(${showRange(semitones)} semitones)`,
    apply(wave: Waveform, rng: Generator): Waveform {
      checkWaveform('pitchShift.apply', wave);
      return { samples: shiftPitch(wave.samples, wave.sampleRate, draw(rng, semitones)), sampleRate: wave.sampleRate };
    },
  };
}
