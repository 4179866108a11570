import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, of, toArray } from 'rxjs';
import { Canvas } from '@eole/core/report';
import { Tensor, type TrainEvent } from '@eole/core';
import { tempDir } from '@eole/core/testing';
import { FILTERS_BACKGROUND, filtersFigure, plotFilters } from '@eole/conv/report';

const isGrey = (c: readonly number[]): boolean => c[0] === c[1] && c[1] === c[2];

/** The vertical runs of kernel (grey) pixels of at least `min` pixels along column x: [top, length] each. */
function greyRuns(canvas: Canvas, x: number, min: number): [number, number][] {
  const runs: [number, number][] = [];
  let start = -1;
  for (let y = 0; y <= canvas.height; y++) {
    const grey = y < canvas.height && isGrey(canvas.getPixel(x, y));
    if (grey && start < 0) start = y;
    if (!grey && start >= 0) {
      if (y - start >= min) runs.push([start, y - start]);
      start = -1;
    }
  }
  return runs;
}

/** The kernel tiles of a figure: their left edges along the first kernel row (runs of grey of at least `min`). */
function tileLefts(canvas: Canvas, y: number, min: number): number[] {
  const lefts: number[] = [];
  let start = -1;
  for (let x = 0; x <= canvas.width; x++) {
    const grey = x < canvas.width && isGrey(canvas.getPixel(x, y));
    if (grey && start < 0) start = x;
    if (!grey && start >= 0) {
      if (x - start >= min) lefts.push(start);
      start = -1;
    }
  }
  return lefts;
}

const event = (e: TrainEvent): TrainEvent => e;
const epochEvent = (epoch: number): TrainEvent => event({ type: 'epoch', epoch, epochs: 3, loss: 1, steps: 1, samples: 1, seconds: 0, lr: 0.1, backend: 'cpu' });

test('filtersFigure: one kernel per tile, each scaled to its own min..max (a single bright pixel is the only white block)', (t) => {
  const s = 4;
  // Two 3x3 kernels: the first zero but for +1 at (row 1, col 2); the second zero but for −1 at (0, 0).
  const w = new Float32Array(18);
  w[1 * 3 + 2] = 1;
  w[9] = -1;
  const canvas = filtersFigure([{ epoch: 0, shape: [2, 1, 3, 3], weights: w }], { scale: s });
  t.notDeepEqual([...FILTERS_BACKGROUND], [255, 255, 255]);

  const white: [number, number][] = [];
  for (let y = 0; y < canvas.height; y++) for (let x = 0; x < canvas.width; x++) if (canvas.getPixel(x, y).every((v) => v === 255)) white.push([x, y]);
  t.is(white.length, s * s + 8 * s * s, 'the bright pixel of kernel 0 and the eight zeros of kernel 1 (above its minimum −1)');

  const rowY = greyRuns(canvas, tileLefts(canvas, canvas.height - 11, 3 * s)[0]! + 1, 3 * s)[0]![0];
  const lefts = tileLefts(canvas, rowY + 1, 3 * s);
  t.is(lefts.length, 2, 'two tiles');
  const [x0, x1] = lefts as [number, number];
  const px = (kx: number, col: number, row: number) => canvas.getPixel(kx + col * s + 1, rowY + row * s + 1);
  for (let row = 0; row < 3; row++) {
    for (let col = 0; col < 3; col++) {
      t.deepEqual(px(x0, col, row), row === 1 && col === 2 ? [255, 255, 255] : [0, 0, 0], `kernel 0 (${row}, ${col})`);
      t.deepEqual(px(x1, col, row), row === 0 && col === 0 ? [0, 0, 0] : [255, 255, 255], `kernel 1 (${row}, ${col})`);
    }
  }
  // The blocks are s x s: the bright block of kernel 0 spans exactly its cell.
  const xs = white.filter(([x]) => x < x1).map(([x]) => x);
  t.deepEqual([Math.min(...xs), Math.max(...xs)], [x0 + 2 * s, x0 + 3 * s - 1]);

  const flat = filtersFigure([{ epoch: 0, shape: [1, 1, 2, 2], weights: [0.3, 0.3, 0.3, 0.3] }], { scale: 2 });
  t.true(flat.data.some((_, i) => i % 3 === 0 && flat.data[i] === 128 && flat.data[i + 1] === 128), 'a constant kernel is mid-grey');
  t.throws(() => filtersFigure([{ epoch: 1, shape: [2, 1, 3, 3], weights: [1, 2] }]), { message: /epoch 1: expected 18 weights/ });
});

test('plotFilters: a row for the initial weights and one per epoch event, rewritten each epoch; a resumed run keeps the earlier rows', async (t) => {
  const dir = tempDir('filters');
  const path = join(dir, 'filters.png');
  const weight = Tensor.zeros([6, 1, 5, 5]);
  const setBright = (i: number) => {
    weight.data.fill(0);
    for (let o = 0; o < 6; o++) weight.data[o * 25 + i] = 1;
  };
  setBright(0);
  const rowsOf = () => {
    const canvas = Canvas.fromPNG(readFileSync(path));
    const lefts = tileLefts(canvas, canvas.height - 11, 5 * 8);
    return { canvas, lefts, runs: greyRuns(canvas, lefts[0]! + 1, 5 * 8) };
  };
  const counts: number[] = [];
  const steps = of(event({ type: 'start', epochs: 3, startEpoch: 1, parameters: 156 }), epochEvent(1), epochEvent(2));
  const passed = await lastValueFrom(
    steps.pipe(
      plotFilters(path, () => {
        counts.push(existsSync(path) ? rowsOf().runs.length : 0);
        return weight;
      }),
      toArray(),
    ),
  );
  t.is(passed.length, 3, 'events pass through');
  t.deepEqual(counts, [0, 1, 2], 'the file holds the rows so far before each new one');
  const { lefts, runs } = rowsOf();
  t.is(lefts.length, 6, 'six filters in a row');
  t.is(runs.length, 3, 'init, epoch 1, epoch 2');
  t.true(existsSync(join(dir, 'filters.json')), 'the rows are kept beside the PNG');

  // A second run from the start draws one row; a resumed run at epoch 2 keeps init and epoch 1.
  const draw = async (startEpoch: number, epochs: number[], bright: number) => {
    setBright(bright);
    await lastValueFrom(of(event({ type: 'start', epochs: 3, startEpoch, parameters: 156 }), ...epochs.map(epochEvent)).pipe(plotFilters(path, () => weight), toArray()));
    return rowsOf();
  };
  const resumed = await draw(2, [2, 3], 24);
  t.is(resumed.runs.length, 4, 'init, 1 (kept), 2 and 3 (new)');
  const cell = (r: { canvas: Canvas; lefts: number[]; runs: [number, number][] }, row: number, i: number) =>
    r.canvas.getPixel(r.lefts[0]! + (i % 5) * 8 + 1, r.runs[row]![0] + Math.floor(i / 5) * 8 + 1);
  t.deepEqual(cell(resumed, 1, 0), [255, 255, 255], 'epoch 1 row: bright at pixel 0, as it was drawn by the first run');
  t.deepEqual(cell(resumed, 3, 24), [255, 255, 255], 'epoch 3 row: bright at pixel 24');
  t.deepEqual(cell(resumed, 3, 0), [0, 0, 0]);
  const fresh = await draw(1, [], 12);
  t.is(fresh.runs.length, 1, 'a fresh run starts over');
  t.deepEqual(cell(fresh, 0, 12), [255, 255, 255]);
});

test('plotFilters: a weight that is not [out, in, kH, kW] ends the stream with a named error', async (t) => {
  const path = join(tempDir('filters'), 'filters.png');
  await t.throwsAsync(lastValueFrom(of(event({ type: 'start', epochs: 1, startEpoch: 1, parameters: 1 })).pipe(plotFilters(path, () => Tensor.zeros([6, 25])))), {
    message: /plotFilters: weight\(\) must return \[out, in, kH, kW\], got \[6, 25\]/,
  });
});
