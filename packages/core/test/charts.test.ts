import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { PNG } from 'pngjs';
import { from, lastValueFrom, Subject } from 'rxjs';
import type { TrainEvent } from '@eole/core';
import { collectCurves, curvesChart, emptyCurves, heatmapChart, lineChart, scatterChart, SERIES_COLORS, type ChartSpec } from '@eole/core/charts';
import { chartPng, CHART_FONT_FILE, plotCurves, renderPng, renderSvg } from '@eole/core/report';
import { tempDir } from '@eole/core/testing';
import { bundleForBrowser } from '../scripts/build-browser.js';

/** The events of a run of `epochs` epochs, with validation (and accuracy when asked). */
function runEvents(epochs = 3, accuracy = true): TrainEvent[] {
  const events: TrainEvent[] = [{ type: 'start', epochs, startEpoch: 1, parameters: 100 }];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    events.push({ type: 'step', epoch, step: 1, steps: 1, loss: 1 / epoch, lr: 0.1, samplesPerSec: 1000, backend: 'cpu' });
    events.push({ type: 'epoch', epoch, epochs, loss: 1 / epoch, steps: 1, samples: 32, seconds: 0.5, lr: 0.1, backend: 'cpu' });
    events.push({ type: 'validation', epoch, metrics: { loss: 1.2 / epoch, samples: 50, ...(accuracy ? { accuracy: 0.5 + 0.1 * epoch } : {}) } });
  }
  events.push({ type: 'done', epochs, seconds: 1.5 });
  return events;
}

/** A spec's parts as plain JSON, to look into without Vega-Lite's union types. */
interface Json {
  [key: string]: unknown;
}
const json = (spec: ChartSpec): Json => JSON.parse(JSON.stringify(spec)) as Json;
const layers = (panel: Json): Json[] => panel['layer'] as Json[];
const rows = (layer: Json): Json[] => (layer['data'] as { values: Json[] }).values;

/** Pixels within `tol` of an RGB colour. */
function countNear(png: PNG, hex: string, tol = 40, box = { x0: 0, y0: 0, x1: png.width, y1: png.height }): number {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let n = 0;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const i = 4 * (y * png.width + x);
      if (Math.abs(png.data[i]! - c[0]!) + Math.abs(png.data[i + 1]! - c[1]!) + Math.abs(png.data[i + 2]! - c[2]!) <= tol) n++;
    }
  }
  return n;
}

/** Dark (text-like) pixels in a box. */
const dark = (png: PNG, box: { x0: number; y0: number; x1: number; y1: number }): number => countNear(png, '#000000', 150, box);

test('curvesChart: a loss panel (log y, training and dashed validation) and an accuracy panel with the last value in its legend', (t) => {
  const curves = emptyCurves();
  for (const e of runEvents(3)) collectCurves(curves, e);
  const spec = json(curvesChart(curves, 'demo'));
  const [loss, acc] = spec['hconcat'] as Json[];
  t.is((spec['hconcat'] as Json[]).length, 2);
  t.is(loss!['title'], 'demo: loss');
  const [train, validation] = layers(loss!);
  t.deepEqual(rows(train!).map((r) => [r['x'], r['y']]), [[1, 1], [2, 0.5], [3, 1 / 3]]);
  t.deepEqual(rows(validation!).map((r) => r['series']), ['validation loss', 'validation loss', 'validation loss']);
  const enc = train!['encoding'] as Record<string, Json>;
  t.is((enc['y']!['scale'] as Json)['type'], 'log');
  t.is(enc['x']!['title'], 'epoch');
  t.deepEqual(((enc['strokeDash']!['scale'] as Json)['range'] as unknown[])[1], [6, 3], 'validation dashed');
  t.is(acc!['title'], 'demo: validation accuracy');
  const accRows = rows(layers(acc!)[0]!);
  t.is(accRows.length, 3);
  t.is(Math.round(accRows[2]!['y'] as number), 80);
  t.regex(String(accRows[0]!['series']), /validation accuracy \(last 80\.00%\)/);
  t.falsy(JSON.stringify(curvesChart(emptyCurves())).match(/node:/), 'no Node module in a spec');
  const noAcc = emptyCurves();
  for (const e of runEvents(2, false)) collectCurves(noAcc, e);
  t.is((json(curvesChart(noAcc))['hconcat'] as Json[]).length, 1, 'no accuracy panel without accuracies');
});

test('lineChart: one layer per series, non-finite and (on a log axis) non-positive points left out, fixed ranges and clipping', (t) => {
  const spec = json(
    lineChart({
      title: 'T',
      xLabel: 'step',
      yLabel: 'L',
      yLog: true,
      xRange: [0, 10],
      series: [
        { name: 'a', points: [[0, 1], [1, 0], [2, Number.NaN], [3, 0.1]] },
        { name: 'b', points: [[0, 2]], style: 'points', color: '#123456' },
      ],
    }),
  );
  const [a, b] = layers(spec);
  t.deepEqual(rows(a!).map((r) => r['x']), [0, 3]);
  t.is((a!['mark'] as Json)['type'], 'line');
  t.is((b!['mark'] as Json)['type'], 'circle');
  const color = (b!['encoding'] as Record<string, Json>)['color']!;
  t.deepEqual((color['scale'] as Json)['range'], [SERIES_COLORS[0], '#123456']);
  const x = (a!['encoding'] as Record<string, Json>)['x']!;
  t.deepEqual((x['scale'] as Json)['domain'], [0, 10]);
  t.true((a!['mark'] as Json)['clip'] as boolean);
});

test('scatterChart and heatmapChart: rows per point and per cell; row 0 at the bottom with origin lower; bad input is named', (t) => {
  const s = json(scatterChart({ points: [0, 0, 1, 1, Number.NaN, 2], labels: [0, 1, 1], classNames: ['zero', 'one'], xRange: [-1, 2], yRange: [-1, 2] }));
  t.deepEqual((s['data'] as { values: Json[] }).values, [{ x: 0, y: 0, label: 'zero' }, { x: 1, y: 1, label: 'one' }]);
  t.throws(() => scatterChart({ points: [0, 0, 1], labels: [0, 1] }), { message: /points must hold 2 values per label/ });
  t.throws(() => scatterChart({ points: [0, 0, 1, 1], labels: [0, 1.5] }), { message: /labels\[1\] must be an integer in \[0, 2\), got 1.5/ });
  const h = json(heatmapChart([5, 7], 1, 2, { origin: 'lower', colorbarLabel: 'share' }));
  const cells = rows(layers(h)[0]!);
  t.deepEqual(cells.map((c) => [c['y0'], c['v']]), [[0, 5], [1, 7]]);
  const upper = rows(layers(json(heatmapChart([5, 7], 1, 2)))[0]!);
  t.deepEqual(upper.map((c) => [c['y0'], c['v']]), [[1, 5], [0, 7]]);
  t.throws(() => heatmapChart(new Float32Array(5), 2, 2), { message: /expected 2x2 = 4 values, got 5/ });
});

test('renderSvg: the SVG names the axis titles, the panel titles and the legend entries', async (t) => {
  const curves = emptyCurves();
  for (const e of runEvents(3)) collectCurves(curves, e);
  const svg = await renderSvg(curvesChart(curves, 'demo'));
  for (const text of ['demo: loss', 'loss (log scale)', 'epoch', 'accuracy (%)', 'training loss', 'validation loss', 'validation accuracy (last 80.00%)']) t.true(svg.includes(text), text);
});

test('chartPng: a white picture with the curves in their colours and text drawn from the shipped font, no system font', async (t) => {
  const spec = lineChart({ title: 'Title', xLabel: 'epoch axis', yLabel: 'loss', width: 300, height: 200, series: [{ name: 'train', points: [[1, 1], [2, 0.5], [3, 0.25]] }] });
  const png = PNG.sync.read(await chartPng(spec, { scale: 1 }));
  t.true(png.width > 300 && png.width < 500, `width ${png.width}`);
  t.true(png.height > 200 && png.height < 320, `height ${png.height}`);
  t.true(countNear(png, '#ffffff', 10) > png.width * png.height * 0.5, 'mostly white');
  t.true(countNear(png, SERIES_COLORS[0]!) > 100, 'the curve in its colour');
  const bottom = { x0: Math.floor(png.width * 0.3), y0: png.height - 30, x1: Math.floor(png.width * 0.7), y1: png.height };
  t.true(dark(png, bottom) > 30, 'the x axis title under the plot');
  const svg = await renderSvg(spec);
  const fontless = PNG.sync.read(new Resvg(svg, { font: { loadSystemFonts: false } }).render().asPng());
  t.true(dark(fontless, bottom) < dark(png, bottom) / 3, 'without the font file the title would be missing');
  t.true(CHART_FONT_FILE.endsWith('DejaVuSans.ttf'));
});

test('renderPng writes atomically (no temporary file left); scatter and heatmap render', async (t) => {
  const dir = tempDir('charts');
  await renderPng(scatterChart({ points: [0, 0, 1, 1, 2, 0], labels: [0, 1, 2], title: 'embedding' }), join(dir, 'scatter.png'));
  await renderPng(heatmapChart([0, 0.5, 1, 0.25], 2, 2, { title: 'grid', colorbarLabel: 'v' }), join(dir, 'sub', 'heat.png'));
  t.deepEqual(readdirSync(dir).sort(), ['scatter.png', 'sub']);
  t.deepEqual(readdirSync(join(dir, 'sub')), ['heat.png']);
  t.true(PNG.sync.read(readFileSync(join(dir, 'sub', 'heat.png'))).width > 100);
});

test('plotCurves: a PNG after the validation events, written by the time the stream completes; events pass at once', async (t) => {
  const dir = tempDir('charts');
  const path = join(dir, 'curves.png');
  const source = new Subject<TrainEvent>();
  const passed: TrainEvent[] = [];
  const done = lastValueFrom(source.pipe(plotCurves(path)), { defaultValue: null });
  const sub = source.subscribe((e) => passed.push(e));
  const events = runEvents(3);
  events.forEach((e) => source.next(e));
  t.is(passed.length, events.length, 'events are not held back by the renders');
  source.complete();
  await done;
  sub.unsubscribe();
  const png = PNG.sync.read(readFileSync(path));
  t.true(png.width > 900, 'two panels');
  t.true(countNear(png, SERIES_COLORS[2]!) > 50, 'accuracy drawn');
  t.deepEqual(readdirSync(dir), ['curves.png'], 'no temporary file is left');
});

test('plotCurves: the loss panel alone without accuracy; once at the end without validation; history first', async (t) => {
  const dir = tempDir('charts');
  await lastValueFrom(from(runEvents(2, false)).pipe(plotCurves(join(dir, 'loss.png'))));
  const lossOnly = PNG.sync.read(readFileSync(join(dir, 'loss.png'))).width;
  await lastValueFrom(from(runEvents(2).filter((e) => e.type !== 'validation')).pipe(plotCurves(join(dir, 'end.png'))));
  t.is(PNG.sync.read(readFileSync(join(dir, 'end.png'))).width, lossOnly);
  const all = runEvents(3);
  const cut = all.findIndex((e) => e.type === 'validation' && e.epoch === 2) + 1;
  await lastValueFrom(from(all.slice(cut)).pipe(plotCurves(join(dir, 'resumed.png'), { history: all.slice(0, cut) })));
  await lastValueFrom(from(all).pipe(plotCurves(join(dir, 'straight.png'))));
  t.true(readFileSync(join(dir, 'resumed.png')).equals(readFileSync(join(dir, 'straight.png'))), 'a resumed run with its history draws the same figure');
});

test('@eole/core/charts bundles for a browser: no Node module, no renderer on its import path', async (t) => {
  const dir = tempDir('charts');
  const bundle = await bundleForBrowser('src/report/charts/index.ts', join(dir, 'charts.js'), { minify: false });
  t.true(bundle.inputs.every((f) => !/vega|resvg|pngjs|report\/(renderChart|Canvas)/.test(f)), bundle.inputs.join(', '));
  t.true(bundle.bytes < 40_000, `${bundle.bytes} bytes`);
});
