import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Canvas } from '@eole/core/report';
import { main, type LeNetSummary } from '../mnist-lenet/main.js';
import { mnistSplit } from '../lib/mnist.js';
import { writeIdx } from './idx.js';

const quiet = (): void => {};
const tmp = (): string => mkdtempSync(join(tmpdir(), 'eole-lenet-'));

/** The rows and columns of kernels in filters.png: runs of grey pixels (the background is pale blue) of a whole tile (5 × 8 pixels). */
function filterGrid(path: string): { rows: number; columns: number } {
  const canvas = Canvas.fromPNG(readFileSync(path));
  const grey = (x: number, y: number): boolean => {
    const [r, g, b] = canvas.getPixel(x, y);
    return r === g && g === b;
  };
  const runs = (n: number, at: (i: number) => boolean): number[] => {
    const starts: number[] = [];
    for (let i = 0, start = -1; i <= n; i++) {
      const on = i < n && at(i);
      if (on && start < 0) start = i;
      if (!on && start >= 0) {
        if (i - start === 40) starts.push(start);
        start = -1;
      }
    }
    return starts;
  };
  const lastTileLine = canvas.height - 11;
  const columns = runs(canvas.width, (x) => grey(x, lastTileLine));
  const rows = runs(canvas.height, (y) => grey(columns[0]! + 20, y));
  return { rows: rows.length, columns: columns.length };
}

// The CI-sized run of the demo (12 epochs, 98.45%): 2 epochs on the same 8,000 digits.
test.serial('mnist-lenet learns the held-out digits (2 epochs, ≥ 95.0%; measured 95.65%), draws its filters per epoch, and --eval reads an IDX test set', async (t) => {
  const out = tmp();
  const trained: LeNetSummary = await main(['--seed', '1', '--epochs', '2', '--out', out], quiet);
  t.true(trained.accuracy >= 0.95, `held-out accuracy ${trained.accuracy}`);
  t.deepEqual(trained.history.map((h) => h.epoch), [1, 2]);
  t.true(trained.history[1]!.loss < trained.history[0]!.loss, 'training loss falls');
  t.deepEqual(filterGrid(join(out, 'filters.png')), { rows: 3, columns: 6 }, 'init, epoch 1, epoch 2; six C1 filters each');
  t.true(Canvas.fromPNG(readFileSync(join(out, 'curves.png'))).width > 100);
  t.deepEqual(trained.files.map((f) => f.slice(out.length + 1)), ['mnist-lenet.safetensors', 'checkpoint.safetensors', 'events.jsonl', 'curves.png', 'filters.png', 'filters.json']);

  const dir = tmp();
  writeIdx(dir, mnistSplit(0).test);
  const lines: string[] = [];
  const evaluated = await main(['--eval', trained.checkpoint, '--test', dir], (l) => lines.push(l));
  t.true(Math.abs(evaluated.accuracy - trained.accuracy) <= 0.005, `IDX accuracy ${evaluated.accuracy} vs ${trained.accuracy}`);
  t.regex(lines.at(-1)!, /^accuracy: \d+\.\d\d%$/);
  t.true(lines.some((l) => l.startsWith('true\\pred')), 'prints the confusion matrix');
  t.is(evaluated.confusion.flat().reduce((a, b) => a + b, 0), 2000);
});

test.serial('--stop-after 1 then --resume continues at epoch 2 and keeps the filter rows of the first part; --eval rebuilds a tanh/average net from its metadata', async (t) => {
  const args = ['--seed', '2', '--epochs', '2', '--train-size', '1000', '--activation', 'tanh', '--pooling', 'average'];
  const out = tmp();
  await main([...args, '--stop-after', '1', '--out', out], quiet);
  const first = JSON.parse(readFileSync(join(out, 'filters.json'), 'utf8')) as { rows: { epoch: number; weights: number[] }[] };
  t.deepEqual(first.rows.map((r) => r.epoch), [0, 1]);
  t.deepEqual(filterGrid(join(out, 'filters.png')), { rows: 2, columns: 6 });

  const lines: string[] = [];
  const resumed = await main([...args, '--resume', '--out', out], (l) => lines.push(l));
  t.is(resumed.startEpoch, 2);
  t.regex(lines[0]!, /^mnist-lenet: resuming from .*checkpoint\.safetensors at epoch 2 of 2$/);
  t.deepEqual(resumed.history.map((h) => h.epoch), [1, 2]);
  const second = JSON.parse(readFileSync(join(out, 'filters.json'), 'utf8')) as typeof first;
  t.deepEqual(second.rows.map((r) => r.epoch), [0, 1, 2]);
  t.deepEqual(second.rows.slice(0, 2), first.rows, 'the rows before the resume are the first run\'s');
  t.deepEqual(filterGrid(join(out, 'filters.png')), { rows: 3, columns: 6 });

  const evaluated = await main(['--eval', resumed.checkpoint], quiet);
  t.is(evaluated.accuracy, resumed.accuracy, 'same net, same held-out digits (the checkpoint names its train size)');
});
