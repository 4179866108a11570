import type { Generator } from '@eole/core';

/** Mono audio: samples (nominally in [−1, 1]) and their rate in Hz. */
export interface Waveform {
  readonly samples: Float32Array;
  readonly sampleRate: number;
}

/**
 * A random change of a recording, for data augmentation: `apply` draws its parameters from `rng`
 * (and nothing else: a seed reproduces it) and returns a new waveform of the same length and sample
 * rate (the input is never modified).
 *
 * @example
 * const aug = addNoise({ snrDb: [5, 20] });
 * const noisy = aug.apply({ samples, sampleRate: 8000 }, new Generator(1));
 */
export interface Augmentation {
  /** A short description with the parameter ranges, e.g. `addNoise(snr 5..20 dB, white|pink)`. */
  readonly name: string;
  apply(wave: Waveform, rng: Generator): Waveform;
}

/** A fixed value, or a range [low, high] drawn uniformly at each application. */
export type ParameterRange = number | readonly [number, number];
