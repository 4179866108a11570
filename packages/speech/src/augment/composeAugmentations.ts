import type { Generator } from '@eole/core';
import type { Augmentation, Waveform } from './Augmentation.js';
import { checkNumber, checkWaveform } from './check.js';

/** One step of {@link composeAugmentations}: an augmentation and the probability it is applied. */
export interface AugmentationStep {
  augmentation: Augmentation;
  /** In [0, 1] (default 1). */
  probability?: number;
}

/**
 * A pipeline of augmentations, each applied with its probability, in order (a random subset, as
 * torchvision's `RandomApply` inside `Compose`, or audiomentations' `Compose`): for every step one
 * uniform draw u from `rng` decides (applied when u < p), then the step draws its own parameters from
 * the same `rng`. A bare augmentation is a step of probability 1. Length and sample rate are
 * preserved (each step preserves them; checked).
 *
 * @example
 * const channel = composeAugmentations([
 *   { augmentation: randomEqualizer(), probability: 0.8 },
 *   { augmentation: reverberate({ rt60: [0.1, 0.5] }), probability: 0.3 },
 *   { augmentation: addNoise({ snrDb: [5, 25] }), probability: 0.5 },
 *   randomGain(),
 * ]);
 * const x = channel.apply({ samples, sampleRate: 8000 }, new Generator(seed)).samples;
 */
export function composeAugmentations(steps: readonly (Augmentation | AugmentationStep)[]): Augmentation {
  if (!Array.isArray(steps)) throw new TypeError(`composeAugmentations: steps must be an array of augmentations or { augmentation, probability }, got ${typeof steps}`);
  const list = steps.map((s, i) => {
    const step: AugmentationStep = 'apply' in s ? { augmentation: s } : s;
    if (!step.augmentation || typeof step.augmentation.apply !== 'function') throw new TypeError(`composeAugmentations: steps[${i}] must be an augmentation or { augmentation, probability }`);
    return { augmentation: step.augmentation, probability: checkNumber('composeAugmentations', `steps[${i}].probability`, step.probability ?? 1, { min: 0, max: 1 }) };
  });
  return {
    name: `compose(${list.map((s) => (s.probability === 1 ? s.augmentation.name : `${s.probability}×${s.augmentation.name}`)).join(', ')})`,
    apply(wave: Waveform, rng: Generator): Waveform {
      checkWaveform('composeAugmentations.apply', wave);
      let current = wave;
      for (const { augmentation, probability } of list) {
        if (!(rng.uniform() < probability)) continue;
        const next = augmentation.apply(current, rng);
        if (next.samples.length !== current.samples.length || next.sampleRate !== current.sampleRate) {
          throw new Error(`composeAugmentations: ${augmentation.name} changed ${current.samples.length} samples at ${current.sampleRate} Hz into ${next.samples.length} at ${next.sampleRate} Hz`);
        }
        current = next;
      }
      return current === wave ? { samples: Float32Array.from(wave.samples), sampleRate: wave.sampleRate } : current;
    },
  };
}
