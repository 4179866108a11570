import type { Generator } from '@eole/core';
import type { Augmentation, ParameterRange, Waveform } from './Augmentation.js';
import { applyBiquads, biquadCoefficients, type Biquad } from './biquad.js';
import { checkInteger, checkRange, checkWaveform, draw, drawLog, rms, scaleToRms, showRange } from './check.js';

/** Options of {@link randomEqualizer}. */
export interface RandomEqualizerOptions {
  /** Peaking filters (default 3). */
  bands?: number;
  /** Gain of each peaking filter in dB (default [−10, 10]). */
  gainDb?: ParameterRange;
  /** Quality factor Q of each peaking filter (default [0.5, 3]). */
  q?: ParameterRange;
  /** Gain of the low shelf (corner 80–500 Hz) and of the high shelf (corner 1–3.5 kHz, below 0.45·fₛ), in dB (default [−6, 6]). */
  shelfGainDb?: ParameterRange;
}

/**
 * A random equaliser, the frequency response of another microphone, room or sound card: `bands`
 * peaking biquads (centre log-uniform between 60 Hz and 0.45·fₛ, gain uniform in `gainDb`, Q
 * uniform in `q`) after a low and a high shelving biquad (gains uniform in `shelfGainDb`), all from
 * the Audio EQ Cookbook ({@link biquadCoefficients}). The output is rescaled to the input's RMS,
 * so only the spectral shape changes (level is {@link randomGain}'s job). A voice's formants and
 * pitch stay where they are: channel augmentation for speaker and digit recognition alike (in the
 * spirit of the random band filtering of WavAugment: Kharitonov et al., "Data augmenting contrastive
 * learning of speech representations in the time domain", IEEE SLT 2021).
 * Length and sample rate are preserved.
 *
 * @example
 * const eq = randomEqualizer({ bands: 4, gainDb: [-12, 12] });
 * eq.apply({ samples, sampleRate: 8000 }, new Generator(3)).samples.length === samples.length; // true
 */
export function randomEqualizer(options: RandomEqualizerOptions = {}): Augmentation {
  const op = 'randomEqualizer';
  const bands = checkInteger(op, 'options.bands', options.bands ?? 3, 0);
  const gain = checkRange(op, 'options.gainDb', options.gainDb ?? [-10, 10], { min: -40, max: 40 });
  const q = checkRange(op, 'options.q', options.q ?? [0.5, 3], { min: 0, minExclusive: true, max: 100 });
  const shelf = checkRange(op, 'options.shelfGainDb', options.shelfGainDb ?? [-6, 6], { min: -40, max: 40 });
  return {
    name: `randomEqualizer(${bands} bands ${showRange(gain)} dB, Q ${showRange(q)}, shelves ${showRange(shelf)} dB)`,
    apply(wave: Waveform, rng: Generator): Waveform {
      checkWaveform(`${op}.apply`, wave);
      const sr = wave.sampleRate;
      const top = 0.45 * sr;
      const sections: Biquad[] = [];
      sections.push(biquadCoefficients('lowshelf', drawLog(rng, [80, Math.min(500, top)]), sr, { gainDb: draw(rng, shelf) }));
      sections.push(biquadCoefficients('highshelf', drawLog(rng, [Math.min(1000, top), Math.min(3500, top)]), sr, { gainDb: draw(rng, shelf) }));
      for (let b = 0; b < bands; b++) {
        const f = drawLog(rng, [Math.min(60, top), top]);
        sections.push(biquadCoefficients('peaking', f, sr, { q: draw(rng, q), gainDb: draw(rng, gain) }));
      }
      return { samples: scaleToRms(applyBiquads(wave.samples, sections), rms(wave.samples)), sampleRate: sr };
    },
  };
}
