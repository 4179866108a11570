import type { Generator } from '@eole/core';
import type { Augmentation, ParameterRange, Waveform } from './Augmentation.js';
import { checkRange, checkWaveform, draw, showRange } from './check.js';

/**
 * A random gain: every sample times 10^(g/20), g uniform in `gainDb` (default [−10, 10] dB): a
 * louder or quieter talker or recording level. No clipping (samples are floats); length and sample
 * rate are preserved.
 *
 * @example
 * randomGain({ gainDb: [-6, 6] }).apply({ samples, sampleRate: 8000 }, new Generator(1));
 */
export function randomGain(options: { gainDb?: ParameterRange } = {}): Augmentation {
  const gain = checkRange('randomGain', 'options.gainDb', options.gainDb ?? [-10, 10], { min: -120, max: 120 });
  return {
    name: `randomGain(${showRange(gain)} dB)`,
    apply(wave: Waveform, rng: Generator): Waveform {
      checkWaveform('randomGain.apply', wave);
      const g = Math.pow(10, draw(rng, gain) / 20);
      return { samples: wave.samples.map((v) => v * g), sampleRate: wave.sampleRate };
    },
  };
}
