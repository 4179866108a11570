/**
 * The project's generator scorer (issue 15, "Scorer"): a LeNet-5 trained by the project on the
 * 8,000 training digits of the fixed split, frozen, wrapped in @eole/gan's `GeneratorScorer` with
 * the 2,000 held-out digits as the FID reference. Its weights live in
 * `runs/scorer/lenet5-scorer.safetensors` (or `--scorer FILE`); when the file is absent,
 * {@link loadScorer} trains it once with a fixed recipe (about 1 to 3 minutes) and saves it
 * atomically. The GAN examples print {@link scoreLines} with `--score`; gan-scorer calibrates it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { identity, lastValueFrom, tap } from 'rxjs';
import { Adam, ClassNLLCriterion, CosineAnnealingLR, Generator, loadModule, readIdx, saveModule, train, type Sequential } from '@eole/core';
import { LeNet5 } from '@eole/conv';
import { GeneratorScorer, type ScoreResult } from '@eole/gan';
import { live as liveEvents, publishLive } from './live.js';
import { evaluateDigits, mnistSplit, trainBatches, type DigitSet } from './mnist.js';
import { runsFolder } from './paths.js';

/**
 * The scorer's training recipe, that of mnist-lenet (its RECIPE: Adam 2e-3 with a cosine schedule,
 * ReLU and max pooling, shifts of up to 2 px, batch 32; 12 epochs reach 98.45% held out with seed 1).
 */
export const SCORER_RECIPE = { seed: 1, epochs: 12, lr: 2e-3, batch: 32, shift: 2, trainSize: 8000 } as const;

/** Epochs of the CI-sized scorer ({@link LoadScorerOptions.ci}): about 95% held out. */
export const CI_SCORER_EPOCHS = 2;

/** The default weights file of the scorer, `<repo>/runs/scorer/lenet5-scorer.safetensors` (`-ci` for the CI-sized one). */
export function defaultScorerPath(ci = false): string {
  return runsFolder('scorer', ci ? 'lenet5-scorer-ci.safetensors' : 'lenet5-scorer.safetensors');
}

/** Options of {@link loadScorer}. */
export interface LoadScorerOptions {
  /** The weights file (`--scorer FILE`); default {@link defaultScorerPath}. */
  path?: string;
  /** CI-sized: {@link CI_SCORER_EPOCHS} epochs, saved to its own default file. */
  ci?: boolean;
  /** Epochs when the scorer must be trained (default: 12, or 2 with `ci`). */
  epochs?: number;
  /** Where progress lines go (default: console.log). */
  log?: (line: string) => void;
  /**
   * Send the scorer's training to the run's live dashboard (`--live`), with its held-out accuracy
   * as the last epoch's validation: for gan-scorer, whose run it is (default false: a GAN example's
   * dashboard shows the GAN).
   */
  live?: boolean;
}

/** The scorer's classifier, untrained: LeNet-5 with ReLU and max pooling. */
export function scorerNet(seed: number = SCORER_RECIPE.seed): Sequential {
  return LeNet5({ rng: new Generator(seed), activation: 'relu', pooling: 'max' });
}

/**
 * The project's frozen LeNet-5 scorer with the 2,000 held-out digits of `mnistSplit(0, 8000)` as
 * its reference. Loads the weights file when it exists; otherwise trains the net deterministically
 * ({@link SCORER_RECIPE}, core's `train(...)`) and saves it with `saveModule` (atomic), with the
 * recipe and held-out accuracy in its metadata.
 *
 * @example
 * const scorer = await loadScorer();                  // runs/scorer/lenet5-scorer.safetensors
 * const result = scorer.score(samples, { labels });
 * for (const line of scoreLines(result)) console.log(line);
 */
export async function loadScorer(options: LoadScorerOptions = {}): Promise<GeneratorScorer> {
  const log = options.log ?? console.log;
  const path = options.path ?? defaultScorerPath(options.ci ?? false);
  const split = mnistSplit(0, SCORER_RECIPE.trainSize);
  const net = scorerNet();
  if (existsSync(path)) {
    const meta = loadModule(path, net);
    log(`scorer: loaded ${path}${meta['epochs'] ? ` (${meta['epochs']} epochs, held-out accuracy ${meta['held-out-accuracy'] ?? '?'})` : ''}`);
  } else {
    const epochs = options.epochs ?? (options.ci ? CI_SCORER_EPOCHS : SCORER_RECIPE.epochs);
    await trainScorer(net, split.train, epochs, log, options.live ?? false);
    const accuracy = evaluateDigits(net, split.test).accuracy;
    if (options.live) publishLive({ type: 'validation', epoch: epochs, metrics: { loss: Number.NaN, accuracy, samples: split.test.count } });
    mkdirSync(dirname(path), { recursive: true });
    saveModule(path, net, {
      example: 'scorer',
      architecture: 'LeNet5 relu max',
      seed: String(SCORER_RECIPE.seed),
      epochs: String(epochs),
      lr: String(SCORER_RECIPE.lr),
      batch: String(SCORER_RECIPE.batch),
      shift: String(SCORER_RECIPE.shift),
      'train-size': String(SCORER_RECIPE.trainSize),
      'held-out-accuracy': `${(accuracy * 100).toFixed(2)}%`,
    });
    log(`scorer: held-out accuracy ${(accuracy * 100).toFixed(2)}%, saved ${path}`);
  }
  const scorer = new GeneratorScorer(net);
  scorer.reference(split.test.images);
  return scorer;
}

async function trainScorer(net: Sequential, digits: DigitSet, epochs: number, log: (line: string) => void, live: boolean): Promise<void> {
  const { seed, lr, batch, shift } = SCORER_RECIPE;
  const rng = new Generator(seed);
  const optimizer = new Adam(net.parameters(), { lr });
  const scheduler = new CosineAnnealingLR(optimizer, { tMax: Math.max(1, epochs) });
  log(`scorer: training LeNet-5 on ${digits.count} digits for ${epochs} epochs (Adam ${lr}, cosine, shift ${shift}, batch ${batch}, seed ${seed})`);
  const events = train({ model: net, criterion: new ClassNLLCriterion(), optimizer, scheduler, data: trainBatches(digits, rng, batch, shift), epochs, rngs: { data: rng } });
  await lastValueFrom(events.pipe(tap((e) => {
    if (e.type === 'epoch') log(`scorer: epoch ${e.epoch}/${e.epochs}, loss ${e.loss.toFixed(4)}`);
  }), live ? liveEvents() : identity));
  net.evaluate();
}

/**
 * The lines the examples print with `--score`: `accuracy: XX.XX%` (only when the samples had
 * labels), `FID: X.XX`, `class entropy: X.XXX bits`.
 *
 * @example
 * scoreLines({ count: 1000, accuracy: 0.9712, fid: 3.456, entropy: 3.3012, histogram });
 * // ['accuracy: 97.12%', 'FID: 3.46', 'class entropy: 3.301 bits']
 */
export function scoreLines(result: ScoreResult): string[] {
  const lines = result.accuracy === undefined ? [] : [`accuracy: ${(result.accuracy * 100).toFixed(2)}%`];
  return [...lines, `FID: ${result.fid.toFixed(2)}`, `class entropy: ${result.entropy.toFixed(3)} bits`];
}

/** The files of a sample set written by the GAN examples' `--sample N --out DIR`. */
export const SAMPLE_IMAGES_FILE = 'samples-images-idx3-ubyte';
export const SAMPLE_LABELS_FILE = 'samples-labels-idx1-ubyte';

/** Generated digits read back from an IDX pair: images [count, 784] in [0, 1], and the classes asked for when there is a labels file. */
export interface SampleSet {
  images: Float32Array;
  labels: Uint8Array | undefined;
  count: number;
}

/**
 * Reads the IDX pair a GAN example wrote in `dir`: `samples-images-idx3-ubyte` (uint8 [N, 28, 28],
 * white digits on black) and, if present, `samples-labels-idx1-ubyte` (the class asked for), plain
 * or gzipped. Errors name the file and what is wrong.
 *
 * @example
 * const { images, labels } = readSampleIdx('runs/mnist-dcgan');
 * scorer.score(images, labels ? { labels } : {});
 * // labels: undefined for an unconditional model
 */
export function readSampleIdx(dir: string): SampleSet {
  const imagesPath = findFile(dir, SAMPLE_IMAGES_FILE);
  if (imagesPath === undefined) throw new Error(`--score-idx ${dir}: no ${SAMPLE_IMAGES_FILE} (or ${SAMPLE_IMAGES_FILE}.gz) in that folder (write one with a GAN example's --sample N --out DIR)`);
  const img = readIdx(imagesPath);
  if (img.magic !== 0x803 || img.dims[1] !== 28 || img.dims[2] !== 28) throw new Error(`'${imagesPath}': expected uint8 images [N, 28, 28] (magic 0x00000803), got magic 0x${img.magic.toString(16).padStart(8, '0')} and dims [${img.dims.join(', ')}]`);
  const count = img.dims[0]!;
  const images = new Float32Array(img.data.length);
  for (let i = 0; i < images.length; i++) images[i] = img.data[i]! / 255;
  const labelsPath = findFile(dir, SAMPLE_LABELS_FILE);
  if (labelsPath === undefined) return { images, labels: undefined, count };
  const lab = readIdx(labelsPath);
  if (lab.magic !== 0x801 || lab.dims[0] !== count) throw new Error(`'${labelsPath}': expected ${count} uint8 labels (magic 0x00000801, dims [${count}]), got magic 0x${lab.magic.toString(16).padStart(8, '0')} and dims [${lab.dims.join(', ')}]`);
  return { images, labels: lab.data as Uint8Array, count };
}

function findFile(dir: string, name: string): string | undefined {
  return [name, `${name}.gz`].map((f) => join(dir, f)).find((p) => existsSync(p));
}
