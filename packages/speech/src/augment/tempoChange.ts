import type { Generator } from '@eole/core';
import type { Augmentation, ParameterRange, Waveform } from './Augmentation.js';
import { checkNumber, checkRange, checkWaveform, draw, showRange } from './check.js';
import { timeStretch } from './timeStretch.js';

/**
 * The speech of `samples` made `rate` times as fast at the same pitch ({@link timeStretch}, WSOLA),
 * placed in a frame of the input's length: centred, with zeros around it when it got shorter, its
 * middle |x| samples when it got longer (an utterance with silence at both ends loses only silence
 * for rates near 1). Length and sample rate are preserved.
 *
 * @example
 * changeTempo(samples, 8000, 1.1); // 10% faster, same length, same pitch
 */
export function changeTempo(samples: Float32Array, sampleRate: number, rate: number): Float32Array {
  checkNumber('changeTempo', 'rate', rate, { min: 0.25, max: 4 });
  if (rate === 1) return Float32Array.from(samples);
  const stretched = timeStretch(samples, sampleRate, rate);
  const n = samples.length;
  const out = new Float32Array(n);
  if (stretched.length >= n) out.set(stretched.subarray(Math.floor((stretched.length - n) / 2), Math.floor((stretched.length - n) / 2) + n));
  else out.set(stretched, Math.floor((n - stretched.length) / 2));
  return out;
}

/**
 * A random tempo change, rate uniform in `rate` (default [0.85, 1.15]), by {@link changeTempo}: a
 * faster or slower talker with the same voice and words (the tempo perturbation of Ko et al.,
 * "Audio augmentation for speech recognition", Interspeech 2015, without its pitch change). For
 * digit training. Length and sample rate are preserved.
 *
 * @example
 * tempoChange({ rate: [0.9, 1.1] }).apply({ samples, sampleRate: 8000 }, new Generator(5));
 */
export function tempoChange(options: { rate?: ParameterRange } = {}): Augmentation {
  const rate = checkRange('tempoChange', 'options.rate', options.rate ?? [0.85, 1.15], { min: 0.25, max: 4 });
  return {
    name: `tempoChange(rate ${showRange(rate)})`,
    apply(wave: Waveform, rng: Generator): Waveform {
      checkWaveform('tempoChange.apply', wave);
      return { samples: changeTempo(wave.samples, wave.sampleRate, draw(rng, rate)), sampleRate: wave.sampleRate };
    },
  };
}
