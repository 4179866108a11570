// The dashboard draws the very spec core's plotCurves renders into curves.png: after the same
// events, its curvesSpec is deep-equal to curvesChart(collectCurves(…)) and renders to the same
// PNG bytes as the file plotCurves writes. No browser needed.
import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from, lastValueFrom } from 'rxjs';
import type { TrainEvent } from '@eole/core';
import { collectCurves, curvesChart, emptyCurves } from '@eole/core/charts';
import { chartPng, plotCurves } from '@eole/core/report';
import type { LiveEvent } from '../lib/LiveServer.js';
import { curvesSpec, stepsSpec, termsSpec } from '../web/dashboard/specs.js';
import { emptyRun, onEvent, STEP_POINTS } from '../web/dashboard/state.js';

const NAME = 'mnist-demo';

/** A three-epoch run's events: steps, epochs (with GAN-like terms in the last two) and validations. */
function trainEvents(): TrainEvent[] {
  const events: TrainEvent[] = [{ type: 'start', epochs: 3, startEpoch: 1, parameters: 1234 }];
  for (let epoch = 1; epoch <= 3; epoch++) {
    for (let step = 1; step <= 4; step++) events.push({ type: 'step', epoch, step, steps: epoch > 1 ? 4 : null, loss: 2 / (epoch * step), lr: 0.01, samples: 8, samplesPerSec: 100, backend: 'cpu' });
    events.push({ type: 'epoch', epoch, epochs: 3, loss: 1.5 / epoch, steps: 4, samples: 32, seconds: 0.5, lr: 0.01, backend: 'cpu', ...(epoch > 1 ? { terms: { lossD: 0.7 / epoch, lossG: 1.1 * epoch } } : {}) });
    events.push({ type: 'validation', epoch, metrics: { loss: 1.8 / epoch, accuracy: 0.5 + 0.1 * epoch, samples: 100 } });
  }
  events.push({ type: 'done', epochs: 3, seconds: 1.5 });
  return events;
}

function pageRun(events: readonly TrainEvent[]) {
  const run = emptyRun();
  const config: LiveEvent = { type: 'config', name: NAME, summary: 'a demo', out: '/tmp', flags: { epochs: 3 }, started: new Date(0).toISOString(), pid: 1, backend: 'cpu' };
  for (const e of [config, ...events]) onEvent(run, e);
  return run;
}

test("the dashboard's curves are plotCurves's spec: deep-equal, and the same PNG bytes as curves.png", async (t) => {
  const events = trainEvents();
  const run = pageRun(events);
  const curves = emptyCurves();
  for (const e of events) collectCurves(curves, e);
  t.deepEqual(curvesSpec(run), curvesChart(curves, NAME));

  const file = join(mkdtempSync(join(tmpdir(), 'eole-dashboard-specs-')), 'curves.png');
  await lastValueFrom(from(events).pipe(plotCurves(file, { title: NAME })));
  t.deepEqual(await chartPng(curvesSpec(run)), readFileSync(file), 'the page and the PNG draw one spec');
});

test('the step and loss-term charts: the latest steps over the whole run, one series per term', (t) => {
  const run = pageRun(trainEvents());
  t.deepEqual(run.steps.slice(0, 5), [[1, 2], [2, 1], [3, 2 / 3], [4, 0.5], [5, 1]], 'steps of later epochs come after the earlier epochs');
  const steps = stepsSpec(run) as { layer: { data: { values: { x: number }[] } }[] };
  t.is(steps.layer[0]!.data.values.length, 12);
  const terms = termsSpec(run) as { layer: { data: { values: { series: string; x: number }[] } }[] };
  t.deepEqual(terms.layer.map((l) => [l.data.values[0]!.series, l.data.values.map((v) => v.x)]), [['lossD', [2, 3]], ['lossG', [2, 3]]]);
  t.is(termsSpec(emptyRun()), null, 'no terms, no chart');
  for (let i = 0; i < STEP_POINTS + 50; i++) onEvent(run, { type: 'step', epoch: 4, step: i + 1, steps: 4, loss: 1, lr: 0.01, samplesPerSec: 1, backend: 'cpu' });
  t.is(run.steps.length, STEP_POINTS, 'at most STEP_POINTS steps kept');
});
