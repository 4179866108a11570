/**
 * What every GAN example shares (mnist-gan, mnist-dcgan, mnist-lapgan's levels): the training
 * digits of the fixed split as real samples in [−1, 1], `adversarialTrain` with Adam (β₁ 0.5 as
 * in the DCGAN paper; 5e-4 and smaller batches than its 2e-4 at 128, because 8,000 digits and a
 * 20-minute budget give far fewer steps: see the README's GAN section), the run kit's checkpoint / `--resume` / progress / `events.jsonl`,
 * a sample grid and strip from fixed noise after every epoch, the D and G curves, then the
 * interpolation and latent-arithmetic figures; `--sample N` writes an MNIST IDX pair from a saved
 * generator, `--score` prints the scorer's lines (./scorer.ts).
 */
import { join } from 'node:path';
import { map, type Observable } from 'rxjs';
import { Adam, batch, concat, Generator, noGrad, prefetch, shuffle, Tensor, writeIdx, type Batch, type Module, type TrainEvent } from '@eole/core';
import { adversarialTrain, balancedLabels, ganTrainState, labelPlanes, latentArithmetic, latentNoise, lerp, oneHot, slerp, type Conditioning, type ScoreResult } from '@eole/gan';
import { imageGrid, plotAdversarialCurves, plotSamples } from '@eole/gan/report';
import { booleanFlag, numberFlag, optionalFlag, stringFlag, type CommonFlags } from './cli.js';
import { digitSamples, mnistSplit } from './mnist.js';
import { batchFlag } from './mnistRun.js';
import { recordTraining, resumeRun, STOP_AFTER_FLAG, type Run } from './run.js';
import { loadSavedModel, readSavedModel, requireSettings } from './savedModel.js';
import { loadScorer, SAMPLE_IMAGES_FILE, SAMPLE_LABELS_FILE, scoreLines } from './scorer.js';

/** The flags every GAN example takes (beside the common ones). */
export const GAN_FLAGS = {
  batch: batchFlag(32),
  lr: numberFlag(5e-4, 'Adam learning rate of both nets (the DCGAN paper: 2e-4 at batch 128)', { min: 0 }),
  beta1: numberFlag(0.5, "Adam's β₁ for both nets (DCGAN: 0.5)", { min: 0, max: 0.999 }),
  nz: numberFlag(64, 'size of the latent code z', { integer: true, min: 1 }),
  loss: stringFlag('nonSaturating', "the generator's loss", { choices: ['nonSaturating', 'minimax'] }),
  smoothing: numberFlag(0, "one-sided label smoothing of the discriminator's real targets", { min: 0, max: 0.5 }),
  'train-size': numberFlag(8000, 'training digits taken from the fixed split (the rest of the 10,000 are held out)', { integer: true, min: 100, max: 9900 }),
  'stop-after': STOP_AFTER_FLAG,
  minutes: numberFlag(0, 'time budget: stop after the epoch at which the next one would end past this many minutes (0: none); --resume continues', { min: 0 }),
  sample: numberFlag(0, 'write N generated digits as an MNIST IDX pair in --out and train nothing (loads the generator saved in --out or --checkpoint)', { integer: true, min: 0 }),
  checkpoint: optionalFlag('the generator (or training checkpoint) --sample reads; default: the one in --out', 'FILE'),
  score: booleanFlag("score the generator with the project's LeNet-5 scorer: accuracy (conditional), FID, class entropy"),
  scorer: optionalFlag('the scorer weights file (default runs/scorer/lenet5-scorer.safetensors, trained on first use)', 'FILE'),
  'score-samples': numberFlag(1000, 'samples --score draws', { integer: true, min: 10 }),
} as const;

/** The parsed flags {@link runGan} reads. */
export interface GanFlags extends CommonFlags {
  batch: number;
  lr: number;
  beta1: number;
  nz: number;
  loss: string;
  smoothing: number;
  'train-size': number;
  'stop-after': number;
  minutes: number;
  sample: number;
  checkpoint: string | undefined;
  score: boolean;
  scorer: string | undefined;
  'score-samples': number;
}

/** How a generator lays out digits: rows [N, 784] (MLP) or planes [N, 1, 28, 28] (ConvNets). */
export type DigitLayout = 'rows' | 'planes';

/** A GAN an example builds: its nets and how they read digits and classes. */
export interface GanSpec {
  /** The example's name: log prefix, `<name>.safetensors` (the generator), metadata. */
  name: string;
  generator: Module;
  discriminator: Module;
  layout: DigitLayout;
  /** 10 for a class-conditional GAN (Mirza & Osindero 2014), 0 otherwise. */
  classes: number;
  nz: number;
  /** How to rebuild the generator (saved with it; `--sample` reads it back). */
  metadata: Record<string, string>;
  /** Further generators a checkpoint keeps (dropout masks). */
  rngs?: Record<string, Generator>;
}

/** One epoch of a GAN run. */
export interface GanEpoch {
  epoch: number;
  lossD: number;
  lossG: number;
  dReal: number;
  dFake: number;
  seconds: number;
}

/** What {@link runGan} and {@link sampleGan} return. */
export interface GanSummary {
  mode: 'train' | 'sample';
  /** Every epoch of the run so far, resumed ones included. */
  history: GanEpoch[];
  /** The generator's weights, `<out>/<name>.safetensors`. */
  checkpoint: string;
  startEpoch: number;
  files: string[];
  /** With `--score`. */
  score?: ScoreResult;
}

/** The conditioning of a GAN on class labels: one-hot appended to z, and to the digit (rows) or as label planes (planes). */
export function classConditioning(layout: DigitLayout, classes: number): Conditioning {
  return {
    generator: (z, y) => concat([z, oneHot(y, classes)], 1),
    discriminator: (x, y) => (layout === 'rows' ? concat([x, oneHot(y, classes)], 1) : labelPlanes(x, y, classes)),
  };
}

/** Real digits in [−1, 1] in `layout`, with their labels, shuffled by `rng` every epoch. */
export function realBatches(images: Float32Array, labels: Float32Array, count: number, rng: Generator, size: number, layout: DigitLayout): Observable<Batch> {
  return digitSamples({ images, labels, count }).pipe(
    shuffle(rng),
    batch(size, { dropLast: true }),
    map((b): Batch => {
      const n = b.x.shape[0]!;
      const x = Float32Array.from(b.x.data, (v) => 2 * v - 1);
      return { x: new Tensor(x, layout === 'rows' ? [n, 784] : [n, 1, 28, 28]), y: b.y };
    }),
    prefetch(4),
  );
}

/**
 * n digits from the generator in evaluate mode, as rows [n, 784] in [−1, 1]: codes `z`, and for
 * a conditional generator the classes `labels`. The generator is put back in training mode.
 */
export function generate(generator: Module, z: Tensor, labels: Float32Array | undefined, classes: number): Tensor {
  const n = z.shape[0]!;
  generator.evaluate();
  try {
    return noGrad(() => {
      const input = classes > 0 ? concat([z, oneHot(labels ?? balancedLabels(n, classes), classes)], 1) : z;
      const chunks: Float32Array[] = [];
      for (let s = 0; s < n; s += 500) chunks.push(generator.forward(input.narrow(0, s, Math.min(500, n - s))).data.slice());
      const out = new Float32Array(n * 784);
      chunks.forEach((c, i) => out.set(c, i * 500 * 784));
      return new Tensor(out, [n, 784]);
    });
  } finally {
    generator.train();
  }
}

/** Pixels in [−1, 1] as [0, 1]. */
export function toUnit(x: Tensor): Float32Array {
  return Float32Array.from(x.data, (v) => Math.min(1, Math.max(0, (v + 1) / 2)));
}

/**
 * Trains a GAN on the training digits of the fixed split, as every GAN example does, and writes
 * to `--out`: the checkpoint (both nets, both optimizers, the generators of the data order and
 * the noise: `--resume` continues bit for bit), `<name>.safetensors` (the generator and how to
 * build it), `events.jsonl`, `samples.png` and `samples-strip.png` (fixed noise; one strip row
 * per epoch), `losses.png`, then `interpolation.png` and `arithmetic.png`. With `--score`, prints
 * the scorer's lines for `--score-samples` samples.
 */
export async function runGan(flags: GanFlags, run: Run, spec: GanSpec, log: (line: string) => void = console.log): Promise<GanSummary> {
  const { name, generator, discriminator, layout, classes, nz } = spec;
  const { train: trainSet } = mnistSplit(0, flags['train-size']);
  const data = new Generator(flags.seed);
  const noise = new Generator(flags.seed + 2);
  const rngs = { data, noise, ...spec.rngs };
  const adam = (m: Module): Adam => new Adam(m.parameters(), { lr: flags.lr, betas: [flags.beta1, 0.999] });
  const generatorOptimizer = adam(generator);
  const discriminatorOptimizer = adam(discriminator);
  const start = resumeRun(run.out, ganTrainState({ generator, discriminator, generatorOptimizer, discriminatorOptimizer, rngs }), flags.resume);
  if (start.resumed) log(`${name}: resuming from ${join(run.out, 'checkpoint.safetensors')} at epoch ${start.startEpoch} of ${flags.epochs}`);
  log(`${name}: ${trainSet.count} training digits, ${classes > 0 ? 'class-conditional, ' : ''}z of ${nz}; seed ${flags.seed}, backend ${flags.backend}`);
  log(`generator ${generator.toString()}`);
  log(`discriminator ${discriminator.toString()}`);

  const fixedZ = latentNoise(100, nz, new Generator(flags.seed + 1000));
  const fixedLabels = classes > 0 ? balancedLabels(100, classes) : undefined;
  const sampleFixed = (): Tensor => generate(generator, fixedZ, fixedLabels, classes);
  const weights = run.file(`${name}.safetensors`);
  const files = [run.file('samples.png'), run.file('samples-strip.png'), run.file('losses.png')];
  const earlier = [...start.events];
  const done = await recordTraining(
    adversarialTrain({
      generator,
      discriminator,
      generatorOptimizer,
      discriminatorOptimizer,
      data: realBatches(trainSet.images, trainSet.labels, trainSet.count, data, flags.batch, layout),
      noise: (n) => latentNoise(n, nz, noise),
      ...(classes > 0 ? { conditioning: classConditioning(layout, classes) } : {}),
      loss: flags.loss as 'nonSaturating' | 'minimax',
      smoothing: flags.smoothing,
      epochs: flags.epochs,
      rngs,
      startEpoch: start.startEpoch,
    }),
    {
      out: run.out,
      start,
      weights: { path: weights, module: generator, metadata: { example: name, ...spec.metadata, nz: String(nz), classes: String(classes), seed: String(flags.seed), epochs: String(flags.epochs) } },
      stepsPerEpoch: Math.floor(trainSet.count / flags.batch),
      stopAfter: flags['stop-after'],
      minutes: flags.minutes,
      epochEnd: 'checkpoint',
      before: (events) => events.pipe(plotSamples(files[0]!, sampleFixed, { title: classes > 0 ? `${name} (columns: classes 0-9)` : name }), plotAdversarialCurves(files[2]!, { history: earlier, title: `${name}: losses, D(x), D(G(z))` })),
      log,
      name,
    },
  );
  files.push(...latentFigures(run, generator, { nz, classes, seed: flags.seed }));
  const summary: GanSummary = { mode: 'train', history: ganHistory(done.events), checkpoint: weights, startEpoch: start.startEpoch, files: [...done.files, ...files] };
  log(`wrote ${summary.files.join(', ')}`);
  if (flags.score) summary.score = await scoreGenerator(flags, generator, nz, classes, log);
  return summary;
}

/** The epochs of a run from its epoch events' terms. */
export function ganHistory(events: readonly TrainEvent[]): GanEpoch[] {
  return events
    .filter((e): e is TrainEvent & { type: 'epoch' } => e.type === 'epoch')
    .map((e) => ({ epoch: e.epoch, lossD: e.terms?.['lossD'] ?? e.loss, lossG: e.terms?.['lossG'] ?? Number.NaN, dReal: e.terms?.['D(x)'] ?? Number.NaN, dFake: e.terms?.['D(G(z))'] ?? Number.NaN, seconds: e.seconds }))
    .sort((a, b) => a.epoch - b.epoch);
}

/**
 * Scores `--score-samples` digits of the generator (balanced classes when conditional) with the
 * project's scorer and prints `accuracy: …` (conditional), `FID: …`, `class entropy: … bits`.
 */
export async function scoreGenerator(flags: Pick<GanFlags, 'seed' | 'scorer' | 'score-samples'>, generator: Module, nz: number, classes: number, log: (line: string) => void): Promise<ScoreResult> {
  const scorer = await loadScorer({ ...(flags.scorer ? { path: flags.scorer } : {}), log });
  const n = flags['score-samples'];
  const labels = classes > 0 ? balancedLabels(n, classes) : undefined;
  const images = toUnit(generate(generator, latentNoise(n, nz, new Generator(flags.seed + 3000)), labels, classes));
  const result = scorer.score(images, labels ? { labels } : {});
  log(`scored ${n} samples against the ${2000} held-out digits; predicted classes ${result.histogram.join(' ')}`);
  for (const line of scoreLines(result)) log(line);
  return result;
}

/** What {@link sampleGan} needs to rebuild a generator. */
export interface SavedGenerator {
  name: string;
  /** Builds the generator the metadata describes (its weights are loaded after). */
  build(metadata: Readonly<Record<string, string>>): Module;
}

/**
 * `--sample N`: loads the generator saved in `--out` (or `--checkpoint FILE`, a generator file or a
 * training checkpoint), draws N digits (classes balanced over 0–9 for a conditional model) and
 * writes `samples-images-idx3-ubyte` (uint8 [N, 28, 28], white on black as MNIST) and, for
 * conditional models, `samples-labels-idx1-ubyte` (the class asked for) in `--out`. Trains nothing.
 * With `--score`, scores them too.
 */
export async function sampleGan(flags: GanFlags, run: Run, saved: SavedGenerator, log: (line: string) => void = console.log): Promise<GanSummary> {
  const path = flags.checkpoint ?? run.file(`${saved.name}.safetensors`);
  const file = readSavedModel(path, saved.name);
  requireSettings(file, saved.name, ['nz', 'classes']);
  const generator = saved.build(file.metadata);
  loadSavedModel(file, generator);
  const nz = Number(file.metadata['nz']);
  const classes = Number(file.metadata['classes']);
  const n = flags.sample;
  const labels = classes > 0 ? balancedLabels(n, classes) : undefined;
  const images = toUnit(generate(generator, latentNoise(n, nz, new Generator(flags.seed + 4000)), labels, classes));
  const files = [join(run.out, SAMPLE_IMAGES_FILE)];
  writeIdx(files[0]!, [n, 28, 28], Uint8Array.from(images, (v) => Math.round(v * 255)));
  if (labels) {
    files.push(join(run.out, SAMPLE_LABELS_FILE));
    writeIdx(files[1]!, [n], Uint8Array.from(labels));
  }
  log(`${saved.name}: ${n} digits from ${path}${classes > 0 ? ' (classes 0-9 in turn)' : ''}, seed ${flags.seed}`);
  log(`wrote ${files.join(', ')}`);
  const summary: GanSummary = { mode: 'sample', history: [], checkpoint: path, startEpoch: 0, files };
  if (flags.score) {
    const scorer = await loadScorer({ ...(flags.scorer ? { path: flags.scorer } : {}), log });
    summary.score = scorer.score(images, labels ? { labels } : {});
    for (const line of scoreLines(summary.score)) log(line);
  }
  return summary;
}

/** Ink of a digit in [0, 1]: its mean pixel, a measure of stroke thickness. */
function ink(pixels: Float32Array, i: number): number {
  let s = 0;
  for (let k = i * 784; k < (i + 1) * 784; k++) s += pixels[k]!;
  return s / 784;
}

/**
 * `interpolation.png` (four pairs of codes, each as a linear then a spherical path of 10 steps) and
 * `arithmetic.png` (DCGAN's vector arithmetic with stroke thickness: the three thickest of 200
 * samples minus the three thinnest plus three other thin ones; for a conditional model the groups
 * are 7s, 7s and 1s, so thick 7 − thin 7 + thin 1 should be a thick 1; below, ten codes before and
 * after adding the thickness vector).
 */
export function latentFigures(run: Run, generator: Module, o: { nz: number; classes: number; seed: number }): string[] {
  const { nz, classes } = o;
  const rng = new Generator(o.seed + 2000);
  const same = (label: number, n: number): Float32Array | undefined => (classes > 0 ? new Float32Array(n).fill(label) : undefined);
  const ends = latentNoise(8, nz, rng);
  const paths: Tensor[] = [];
  const pathLabels: Float32Array[] = [];
  for (let p = 0; p < 4; p++) {
    const a = ends.data.subarray(2 * p * nz, (2 * p + 1) * nz);
    const b = ends.data.subarray((2 * p + 1) * nz, (2 * p + 2) * nz);
    paths.push(lerp(a, b, 10), slerp(a, b, 10));
    pathLabels.push(new Float32Array(20).fill((3 * p + 2) % 10));
  }
  const pathZ = concat(paths, 0);
  const interp = generate(generator, pathZ, classes > 0 ? Float32Array.from(pathLabels.flatMap((l) => Array.from(l))) : undefined, classes);
  const interpolation = run.file('interpolation.png');
  imageGrid(interp.data, 80, 28, 28, { cols: 10, rowLabels: Array.from({ length: 8 }, (_, r) => (r % 2 === 0 ? 'lerp' : 'slerp')), title: 'latent interpolation: linear and spherical' }).savePNG(interpolation);

  // Thickness arithmetic: groups a (thick), b (thin) from one class; c (thin) from another.
  const pool = latentNoise(200, nz, rng);
  const inkOf = (label: number): { order: number[] } => {
    const px = toUnit(generate(generator, pool, same(label, 200), classes));
    const order = Array.from({ length: 200 }, (_, i) => i).sort((i, j) => ink(px, j) - ink(px, i));
    return { order };
  };
  const [classA, classC] = classes > 0 ? [7, 1] : [0, 0];
  const byA = inkOf(classA).order;
  const a = byA.slice(0, 3);
  const b = byA.slice(-3);
  const c = classes > 0 ? inkOf(classC).order.slice(-3) : byA.slice(-6, -3);
  const result = latentArithmetic(pool, a, b, c);
  const pick = (rows: readonly number[]): Tensor => concat(rows.map((r) => pool.narrow(0, r, 1)), 0);
  const meanOf = (rows: readonly number[]): Tensor => new Tensor(Float32Array.from({ length: nz }, (_, i) => rows.reduce((s, r) => s + pool.data[r * nz + i]!, 0) / rows.length), [1, nz]);
  const top = concat([pick(a), meanOf(a), pick(b), meanOf(b), pick(c), meanOf(c), new Tensor(result, [1, nz])], 0);
  const topLabels = classes > 0 ? Float32Array.from([...Array(8).fill(classA), ...Array(4).fill(classC), classC]) : undefined;
  const topImages = generate(generator, top, topLabels, classes);
  const vector = Float32Array.from({ length: nz }, (_, i) => meanOf(a).data[i]! - meanOf(b).data[i]!);
  const others = latentNoise(10, nz, rng);
  const thicker = new Tensor(Float32Array.from(others.data, (v, i) => v + vector[i % nz]!), [10, nz]);
  const otherLabels = classes > 0 ? balancedLabels(10, classes) : undefined;
  const below = generate(generator, concat([others, thicker], 0), otherLabels ? Float32Array.from([...otherLabels, ...otherLabels]) : undefined, classes);
  // 11 columns: row 0 a1 a2 a3 mean(a) · b1 b2 b3 mean(b); row 1 c1 c2 c3 mean(c) · result;
  // rows 2 and 3: ten codes, then the same codes plus the thickness vector mean(a) − mean(b).
  const figure = new Float32Array(44 * 784).fill(-1);
  const put = (cell: number, from: Tensor, index: number): void => figure.set(from.data.subarray(index * 784, (index + 1) * 784), cell * 784);
  [0, 1, 2, 3].forEach((i) => put(i, topImages, i));
  [0, 1, 2, 3].forEach((i) => put(5 + i, topImages, 4 + i));
  [0, 1, 2, 3].forEach((i) => put(11 + i, topImages, 8 + i));
  put(16, topImages, 12);
  for (let i = 0; i < 10; i++) {
    put(22 + i, below, i);
    put(33 + i, below, 10 + i);
  }
  const arithmetic = run.file('arithmetic.png');
  const what = classes > 0 ? 'thick 7 (3, mean) - thin 7 (3, mean) | + thin 1 (3, mean) = thick 1?' : 'thick (3, mean) - thin (3, mean) | + thin (3, mean) = thick?';
  imageGrid(figure, 44, 28, 28, { cols: 11, rowLabels: ['a - b', '+ c =', 'codes', '+thick'], title: `latent arithmetic: ${what}` }).savePNG(arithmetic);
  return [interpolation, arithmetic];
}
