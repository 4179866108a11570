import type { Generator } from '@eole/core';
import type { Augmentation, ParameterRange, Waveform } from './Augmentation.js';
import { checkNumber, checkRange, checkWaveform, draw, rms, showRange } from './check.js';
import { colouredNoise, NOISE_COLOURS, type NoiseColour } from './colouredNoise.js';

/**
 * `signal` + `noise` scaled so that the signal-to-noise ratio is `snrDb`:
 *
 *   y = x + g·n,   g = rms(x) / (rms(n)·10^(snr/20)),   so 10·log10(Σx² / Σ(g·n)²) = snr
 *
 * over the whole utterance (silences included). `noise` must be at least as long as `signal` (its
 * first |x| samples are used). A silent signal or a silent noise is returned unchanged.
 *
 * @example
 * mixAtSnr(speech, colouredNoise(speech.length, 'white', rng), 10); // 10 dB SNR
 */
export function mixAtSnr(signal: Float32Array, noise: ArrayLike<number>, snrDb: number): Float32Array {
  checkNumber('mixAtSnr', 'snrDb', snrDb, { min: -100, max: 200 });
  if (noise.length < signal.length) throw new RangeError(`mixAtSnr: noise must hold at least signal.length = ${signal.length} samples, got ${noise.length}`);
  const ps = rms(signal);
  let sn = 0;
  for (let i = 0; i < signal.length; i++) sn += noise[i]! * noise[i]!;
  const pn = Math.sqrt(sn / signal.length);
  if (ps === 0 || pn === 0) return Float32Array.from(signal);
  const g = ps / (pn * Math.pow(10, snrDb / 20));
  return signal.map((v, i) => v + g * noise[i]!);
}

/** Options of {@link addNoise}. */
export interface AddNoiseOptions {
  /** Signal-to-noise ratio in dB (default [5, 30]). */
  snrDb?: ParameterRange;
  /** The colours to draw from, uniformly (default both). */
  colours?: readonly NoiseColour[];
}

/**
 * Additive noise at a random SNR: white or pink Gaussian noise ({@link colouredNoise}), colour
 * drawn uniformly from `colours`, mixed at an SNR uniform in `snrDb` ({@link mixAtSnr}): the hiss
 * and hum of other recording set-ups (Snyder et al., "X-vectors: robust DNN embeddings for speaker
 * recognition", ICASSP 2018, add MUSAN noise at 0–15 dB SNR, music at 5–15 dB and babble at
 * 13–20 dB). Length and sample rate are preserved.
 *
 * @example
 * addNoise({ snrDb: [0, 20], colours: ['pink'] }).apply(wave, new Generator(7));
 */
export function addNoise(options: AddNoiseOptions = {}): Augmentation {
  const snr = checkRange('addNoise', 'options.snrDb', options.snrDb ?? [5, 30], { min: -100, max: 200 });
  const colours = options.colours ?? NOISE_COLOURS;
  if (!Array.isArray(colours) || colours.length === 0 || colours.some((c) => !NOISE_COLOURS.includes(c))) {
    throw new RangeError(`addNoise: options.colours must be a non-empty list of ${NOISE_COLOURS.join(', ')}, got ${JSON.stringify(colours)}`);
  }
  return {
    name: `addNoise(snr ${showRange(snr)} dB, ${colours.join('|')})`,
    apply(wave: Waveform, rng: Generator): Waveform {
      checkWaveform('addNoise.apply', wave);
      const colour = colours.length === 1 ? colours[0]! : colours[rng.int(colours.length)]!;
      const snrDb = draw(rng, snr);
      return { samples: mixAtSnr(wave.samples, colouredNoise(wave.samples.length, colour, rng), snrDb), sampleRate: wave.sampleRate };
    },
  };
}
