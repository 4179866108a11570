import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { from, lastValueFrom } from 'rxjs';
import type { TrainEvent } from '@eole/core';
import { renderSvg } from '@eole/core/report';
import { tempDir } from '@eole/core/testing';
import { adversarialChart } from '@eole/gan/charts';
import { plotAdversarialCurves } from '@eole/gan/report';

/** Two epochs of four steps, with the terms adversarialTrain reports. */
function events(): TrainEvent[] {
  const out: TrainEvent[] = [];
  for (let epoch = 1; epoch <= 2; epoch++) {
    for (let step = 1; step <= 4; step++) out.push({ type: 'step', epoch, step, steps: 4, loss: 1, lr: 1e-3, samplesPerSec: 100, backend: 'cpu', terms: { lossD: 1.3 - 0.1 * step, lossG: 0.7 + 0.1 * step } });
    out.push({ type: 'epoch', epoch, epochs: 2, loss: 1, steps: 4, samples: 128, seconds: 1, lr: 1e-3, backend: 'cpu', terms: { lossD: 1.1 - 0.1 * epoch, lossG: 0.9 + 0.1 * epoch, 'D(x)': 0.6, 'D(G(z))': 0.4 } });
  }
  return out;
}

test('adversarialChart: step curves behind, epoch losses bold, D(x) and D(G(z)) dashed, every name in the SVG', async (t) => {
  const spec = adversarialChart({
    epochs: new Map([[1, { lossD: 1.2, lossG: 0.8, 'D(x)': 0.6, 'D(G(z))': 0.4 }], [2, { lossD: 1.1, lossG: 0.9, 'D(x)': 0.55, 'D(G(z))': 0.45 }]]),
    steps: [{ epoch: 1, step: 1, terms: { lossD: 1.3, lossG: 0.7 } }, { epoch: 1, step: 2, terms: { lossD: 1.2, lossG: 0.8 } }],
  });
  const layers = (JSON.parse(JSON.stringify(spec)) as { layer: { data: { values: { series: string; x: number; y: number }[] }; mark: { strokeWidth: number; strokeDash?: number[] } }[] }).layer;
  t.deepEqual(layers.map((l) => l.data.values[0]!.series), ['D step', 'G step', 'loss D', 'loss G', 'D(x)', 'D(G(z))']);
  t.deepEqual(layers[0]!.data.values.map((r) => r.x), [0.5, 1], 'steps at fractions of their epoch');
  t.is(layers[2]!.mark.strokeWidth, 3);
  const svg = await renderSvg(spec);
  for (const name of ['adversarial losses', 'D step', 'loss G', 'D(G(z))', 'epoch']) t.true(svg.includes(name), name);
});

test('plotAdversarialCurves writes the PNG by the time the stream completes, with history first', async (t) => {
  const dir = tempDir('gan-chart');
  const all = events();
  const passed = await lastValueFrom(from(all.slice(5)).pipe(plotAdversarialCurves(join(dir, 'losses.png'), { history: all.slice(0, 5) })));
  t.is(passed.type, 'epoch');
  t.deepEqual(readdirSync(dir), ['losses.png']);
  t.true(PNG.sync.read(readFileSync(join(dir, 'losses.png'))).width > 600);
});
