/// <reference lib="dom" />
// The live dashboard of an Eole training run (examples/lib/live.ts): reads the run's server-sent
// events and shows its progress, curves, pictures and configuration. The curves are Vega-Lite
// specs of @eole/core/charts drawn by vega (the same specs `plotCurves` renders into curves.png).
// Bundled by build.ts into dist/dashboard.js; served by the run itself (`--live PORT`, at /), or
// by `npm run web` with ?live=http://127.0.0.1:PORT/.
import type { LiveEvent } from '../../lib/LiveServer.js';
import { VegaChart } from '../lib/VegaChart.js';
import { drawConfig, drawEpochTable, drawFiles, drawHeader, drawProgress, duration, setStatus } from './panels.js';
import { curvesSpec, stepsSpec, termsSpec } from './specs.js';
import { emptyRun, onEvent, type RunState } from './state.js';

const $ = (id: string): HTMLElement => document.getElementById(id)!;
const liveParam = new URLSearchParams(location.search).get('live');
const base = liveParam ? new URL(liveParam, location.href) : new URL('.', location.href);

let run: RunState = emptyRun();
let scheduled = false;
const charts = { curves: new VegaChart($('chart-curves')), steps: new VegaChart($('chart-steps')), terms: new VegaChart($('chart-terms')) };
/** What the test reads: the run's state and the chart views. */
(globalThis as unknown as { eoleDashboard: unknown }).eoleDashboard = { run: () => run, charts };

function render(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    drawHeader(run);
    drawProgress(run);
    drawCurves();
    drawFiles(run, base);
    drawEpochTable(run);
    drawConfig(run);
  });
}

function drawCurves(): void {
  charts.curves.show(curvesSpec(run));
  charts.steps.show(stepsSpec(run));
  const terms = termsSpec(run);
  $('terms-figure').hidden = terms === null;
  if (terms) charts.terms.show(terms);
}

function connect(): void {
  if (location.protocol === 'file:' || (!liveParam && location.pathname.includes('/dashboard/'))) {
    $('help').hidden = false;
    setStatus('connecting', 'no run');
    return;
  }
  const source = new EventSource(new URL('events', base));
  source.onopen = () => {
    run = emptyRun();
    setStatus('live', 'live');
    render();
  };
  source.onmessage = (m: MessageEvent<string>) => {
    const e = JSON.parse(m.data) as LiveEvent;
    onEvent(run, e);
    render();
    if (e.type === 'end') {
      source.close();
      setStatus('ended', run.done ? 'finished' : 'ended');
    }
  };
  source.onerror = () => {
    if (run.ended) return;
    setStatus('disconnected', source.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting…');
  };
}

setInterval(() => {
  if (!run.done && !run.ended && run.config) $('elapsed').textContent = duration((Date.now() - run.since) / 1000);
}, 1000);
connect();
