/**
 * The generator scorer of @eole/gan, calibrated (issue 15, "Scorer"). How good a generator is gets
 * measured, not eyeballed: a LeNet-5 trained by the project on the 8,000 training digits of the
 * fixed split and then frozen gives (a) the accuracy of conditional samples against the class they
 * were asked for, (b) the Fréchet distance (FID; Heusel et al., NeurIPS 2017) between samples and
 * the 2,000 held-out real digits in its penultimate features (the 84 units of F6 after their ReLU),
 * (c) the entropy of the predicted-class histogram (mode coverage; log₂ 10 ≈ 3.322 bits at best).
 *
 * An FID means little without a scale, so `--calibrate` prints one: held-out digits against other
 * real digits (as many random training digits), the same held-out digits blurred by a Gaussian of
 * σ = 1 px, and one class repeated (training 1s). A generator whose FID is below the blurred row
 * makes digits closer to the real ones than a slight blur of real digits.
 *
 * The scorer's weights are `runs/scorer/lenet5-scorer.safetensors` (`--scorer FILE` for another);
 * when the file is absent it is trained once, deterministically (mnist-lenet's recipe, `--epochs`
 * epochs, about 1 to 3 minutes), and saved.
 *
 * Run: `npm run -w examples gan-scorer -- --calibrate`
 * Score samples written by a GAN example (`--sample N --out DIR`):
 * `npm run -w examples gan-scorer -- --score-idx runs/mnist-dcgan`, which prints
 * `accuracy: XX.XX%` (when the folder holds `samples-labels-idx1-ubyte`), `FID: X.XX` and
 * `class entropy: X.XXX bits`.
 */
import { pathToFileURL } from 'node:url';
import { Generator, Tensor, writeFileAtomic } from '@eole/core';
import { gaussianBlur, type GeneratorScorer, type ScoreResult } from '@eole/gan';
import { booleanFlag, numberFlag, optionalFlag, parseCli, runCli } from '../lib/cli.js';
import { evaluateDigits, mnistSplit, subset, type DigitSet } from '../lib/mnist.js';
import { startRun } from '../lib/run.js';
import { defaultScorerPath, loadScorer, readSampleIdx, SCORER_RECIPE, scoreLines } from '../lib/scorer.js';

const CLI = {
  name: 'gan-scorer',
  summary: 'the frozen LeNet-5 scorer of generated digits (accuracy, FID, class entropy), its FID calibration, and scoring of IDX sample files',
  seed: 1,
  epochs: SCORER_RECIPE.epochs,
  epochsHelp: 'epochs to train the scorer when its weights file is absent',
  flags: {
    scorer: optionalFlag(`the scorer's weights (trained and saved there when absent; default runs/scorer/lenet5-scorer.safetensors at the repository root)`, 'FILE'),
    calibrate: booleanFlag('print the FID calibration table: training digits, blurred held-out digits, one class, against the held-out digits'),
    count: numberFlag(2000, 'digits in each calibration set', { integer: true, min: 2, max: 8000 }),
    blur: numberFlag(1, 'σ of the Gaussian blur of the calibration, in pixels', { min: 0.01, max: 10 }),
    'score-idx': optionalFlag('score the IDX pair a GAN example wrote in DIR (samples-images-idx3-ubyte, optional samples-labels-idx1-ubyte)', 'DIR'),
  },
} as const;

/** One row of the calibration table. */
export interface CalibrationRow {
  /** What the samples are. */
  name: string;
  count: number;
  fid: number;
  entropy: number;
  histogram: number[];
}

/** What {@link main} returns. */
export interface GanScorerSummary {
  /** The weights file of the scorer. */
  scorer: string;
  /** The scorer's accuracy on the 2,000 held-out digits. */
  heldOutAccuracy: number;
  /** With `--calibrate`: the reference itself, training digits, blurred held-out digits, one class. */
  calibration?: CalibrationRow[];
  /** With `--score-idx`: the score of the samples. */
  score?: ScoreResult;
  files: string[];
}

export async function main(argv: string[], log: (line: string) => void = console.log): Promise<GanScorerSummary> {
  const flags = parseCli(argv, CLI);
  const run = startRun(flags);
  const path = flags.scorer ?? defaultScorerPath();
  const scorer = await loadScorer({ path, epochs: flags.epochs, log, live: true });
  const { train, test } = mnistSplit(0, SCORER_RECIPE.trainSize);
  const heldOutAccuracy = evaluateDigits(scorer.classifier, test).accuracy;
  log(`scorer held-out accuracy: ${pct(heldOutAccuracy)} on ${test.count} digits (${path})`);
  const summary: GanScorerSummary = { scorer: path, heldOutAccuracy, files: [] };
  if (flags.calibrate) {
    const rows = calibrate(scorer, train, test, flags.count, flags.blur, new Generator(flags.seed));
    for (const line of calibrationTable(rows, test.count, flags.blur)) log(line);
    const file = run.file('calibration.json');
    writeFileAtomic(file, Buffer.from(`${JSON.stringify({ scorer: path, heldOutAccuracy, reference: test.count, rows }, null, 2)}\n`));
    summary.calibration = rows;
    summary.files.push(file);
  }
  if (flags['score-idx'] !== undefined) {
    const samples = readSampleIdx(flags['score-idx']);
    const result = scorer.score(samples.images, samples.labels ? { labels: samples.labels } : {});
    log(`scored ${samples.count} samples from ${flags['score-idx']}${samples.labels ? ' against the classes asked for' : ''}; predicted classes ${result.histogram.join(' ')}`);
    for (const line of scoreLines(result)) log(line);
    summary.score = result;
  }
  if (summary.files.length > 0) log(`wrote ${summary.files.join(', ')}`);
  return summary;
}

/**
 * The FID scale, each set against the held-out reference: the reference itself (0), `count` random
 * training digits (real against real), the held-out digits blurred by σ = `blur` px, and `count`
 * training digits of class 1 (cycled when there are fewer).
 */
export function calibrate(scorer: GeneratorScorer, train: DigitSet, test: DigitSet, count: number, blur: number, rng: Generator): CalibrationRow[] {
  const real = subset(train, rng.permutation(train.count).subarray(0, count));
  const blurred = gaussianBlur(new Tensor(test.images, [test.count, 784]), blur);
  const ones = [...train.labels.keys()].filter((i) => train.labels[i] === 1);
  const oneClass = subset(train, Array.from({ length: count }, (_, i) => ones[i % ones.length]!));
  const sets: [string, Float32Array | Tensor, number][] = [
    ['held-out digits (the reference)', test.images, test.count],
    [`${count} training digits`, real.images, count],
    [`held-out digits blurred (σ = ${blur} px)`, blurred, test.count],
    [`one class: ${count} training 1s`, oneClass.images, count],
  ];
  return sets.map(([name, images, n]) => {
    const r = scorer.score(images);
    return { name, count: n, fid: r.fid, entropy: r.entropy, histogram: r.histogram };
  });
}

/** The printed calibration table. */
export function calibrationTable(rows: readonly CalibrationRow[], reference: number, blur: number): string[] {
  const width = Math.max(...rows.map((r) => r.name.length)) + 2;
  return [
    `FID calibration against the ${reference} held-out digits (features: the 84 units of LeNet-5's F6; blur σ = ${blur} px)`,
    `  ${'samples'.padEnd(width)}${'FID'.padStart(8)}  class entropy`,
    ...rows.map((r) => `  ${r.name.padEnd(width)}${r.fid.toFixed(2).padStart(8)}  ${r.entropy.toFixed(3)} bits`),
  ];
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}


if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(main);
