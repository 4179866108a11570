// @ts-check
// The live dashboard of an Eole training run (examples/lib/live.ts): reads the run's server-sent
// events and draws its progress, curves, pictures and configuration. Plain JS and SVG, no library.
// Served by the run itself (`--live PORT`, at /), or by `npm run web` with ?live=http://127.0.0.1:PORT/.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
const COLORS = ['#2f6fdf', '#e0663a', '#1f9d55', '#9b59b6', '#c0392b', '#16a2b8', '#8a6d3b'];
const STEP_POINTS = 300;

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

const liveParam = new URLSearchParams(location.search).get('live');
const base = liveParam ? new URL(liveParam, location.href) : new URL('.', location.href);

/** Everything the page knows about the run; rebuilt from the replayed history on every (re)connection. */
let run = emptyRun();
let scheduled = false;

function emptyRun() {
  return {
    /** @type {any} */ config: null,
    /** @type {any} */ start: null,
    /** @type {any} */ step: null,
    /** @type {Map<number, any>} */ epochs: new Map(),
    /** @type {Map<number, any>} */ validations: new Map(),
    /** @type {[number, number][]} */ steps: [],
    /** @type {Map<string, any>} */ files: new Map(),
    /** @type {any} */ done: null,
    ended: false,
    /** Wall-clock ms of the first event (for elapsed time). */
    since: Date.now(),
  };
}

/** @param {any} e */
function onEvent(e) {
  switch (e.type) {
    case 'config':
      run.config = e;
      run.since = Date.parse(e.started) || run.since;
      break;
    case 'start':
      run.start = e;
      break;
    case 'step':
      run.step = e;
      if (Number.isFinite(e.loss)) {
        // x: the step's number in the whole run (the steps of the epochs before it, plus its own)
        let before = 0;
        for (const ep of run.epochs.values()) if (ep.epoch < e.epoch) before += ep.steps;
        run.steps.push([before + e.step, e.loss]);
        if (run.steps.length > STEP_POINTS) run.steps.shift();
      }
      break;
    case 'epoch':
      run.epochs.set(e.epoch, e);
      break;
    case 'validation':
      run.validations.set(e.epoch, e);
      break;
    case 'file':
      run.files.set(e.name, e);
      break;
    case 'done':
      run.done = e;
      break;
    case 'end':
      run.ended = true;
      break;
  }
  render();
}

function connect() {
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
  source.onmessage = (m) => {
    const e = JSON.parse(m.data);
    onEvent(e);
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

/**
 * @param {string} status
 * @param {string} text
 */
function setStatus(status, text) {
  document.body.dataset['status'] = status;
  $('status').textContent = text;
}

function render() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    drawHeader();
    drawProgress();
    drawCurves();
    drawFiles();
    drawEpochTable();
    drawConfig();
  });
}

function drawHeader() {
  if (!run.config) return;
  $('name').textContent = run.config.name;
  $('summary').textContent = run.config.summary;
  document.title = `${run.config.name} · Eole live`;
  if (run.done && document.body.dataset['status'] === 'live') setStatus('done', 'finished');
}

function drawProgress() {
  const last = Math.max(0, ...run.epochs.keys());
  const total = run.start?.epochs ?? run.config?.flags?.epochs;
  const step = run.step;
  const current = step && step.epoch > last ? step.epoch : last;
  const epochEl = $('epoch');
  epochEl.textContent = String(current || '–');
  epochEl.dataset['epoch'] = String(last);
  $('epochs').textContent = total ? String(total) : '–';
  const inEpoch = step && step.epoch > last && step.steps ? step.step / step.steps : 0;
  $('bar-epoch').style.width = `${(run.done ? 1 : inEpoch) * 100}%`;
  const first = (run.start?.startEpoch ?? 1) - 1;
  const span = total ? total - first : 0;
  $('bar-run').style.width = span > 0 ? `${Math.min(1, (last - first + inEpoch) / span) * 100}%` : '0';
  $('step').textContent = step ? `${step.step}${step.steps ? ` / ${step.steps}` : ''}` : '–';
  $('rate').textContent = step && Number.isFinite(step.samplesPerSec) ? fmt(step.samplesPerSec, 0) : '–';
  $('loss').textContent = step ? fmt(step.loss, 4) : '–';
  $('lr').textContent = step ? fmt(step.lr, 4) : '–';
  $('backend').textContent = step?.backend ?? run.config?.backend ?? '–';
  const seconds = run.done ? run.done.seconds : (Date.now() - run.since) / 1000;
  $('elapsed').textContent = run.config ? duration(seconds) : '–';
}

function drawCurves() {
  const epochs = [...run.epochs.values()].sort((a, b) => a.epoch - b.epoch);
  const validations = [...run.validations.values()].sort((a, b) => a.epoch - b.epoch);
  /** @type {{ name: string, points: [number, number][] }[]} */
  const loss = [{ name: 'training', points: epochs.map((e) => [e.epoch, e.loss]) }];
  if (validations.some((v) => Number.isFinite(v.metrics.loss))) loss.push({ name: 'validation', points: validations.map((v) => [v.epoch, v.metrics.loss]) });
  const terms = new Set(epochs.flatMap((e) => Object.keys(e.terms ?? {})));
  for (const term of terms) loss.push({ name: term, points: epochs.filter((e) => e.terms && term in e.terms).map((e) => [e.epoch, e.terms[term]]) });
  lineChart($('chart-loss'), loss, { x: 'epoch', integerX: true });
  const accuracy = validations.filter((v) => typeof v.metrics.accuracy === 'number').map((v) => /** @type {[number, number]} */ ([v.epoch, 100 * v.metrics.accuracy]));
  lineChart($('chart-accuracy'), accuracy.length ? [{ name: 'validation', points: accuracy }] : [], { x: 'epoch', integerX: true });
  lineChart($('chart-steps'), run.steps.length ? [{ name: 'step loss', points: run.steps }] : [], { x: 'step', dots: false });
}

function drawFiles() {
  const box = $('files');
  const files = [...run.files.values()].sort((a, b) => a.name.localeCompare(b.name));
  if (files.length === 0) return;
  box.querySelector('.empty')?.remove();
  for (const f of files) {
    let fig = /** @type {HTMLElement | null} */ (box.querySelector(`figure[data-name="${CSS.escape(f.name)}"]`));
    if (!fig) {
      fig = document.createElement('figure');
      fig.dataset['name'] = f.name;
      fig.append(document.createElement('img'), document.createElement('figcaption'));
      box.append(fig);
    }
    const img = /** @type {HTMLImageElement} */ (fig.querySelector('img'));
    const src = new URL(f.url, base).href;
    // Swap only once the new version has loaded, so the picture never blinks.
    if (img.dataset['src'] !== src) {
      img.dataset['src'] = src;
      const next = new Image();
      next.onload = () => {
        if (img.dataset['src'] === src) img.src = src;
      };
      next.src = src;
      img.alt = f.name;
    }
    fig.classList.toggle('earlier', f.earlier);
    /** @type {HTMLElement} */ (fig.querySelector('figcaption')).textContent = `${f.name} · ${new Date(f.mtime).toLocaleTimeString()}${f.earlier ? ' (from before this run)' : ''}`;
  }
}

function drawEpochTable() {
  const body = /** @type {HTMLTableSectionElement} */ ($('epochs-table').querySelector('tbody'));
  const rows = [...run.epochs.values()].sort((a, b) => b.epoch - a.epoch).map((e) => {
    const v = run.validations.get(e.epoch);
    const acc = v && typeof v.metrics.accuracy === 'number' ? `${fmt(100 * v.metrics.accuracy, 2)}%` : '–';
    return [e.epoch, fmt(e.loss, 4), v ? fmt(v.metrics.loss, 4) : '–', acc, fmt(e.seconds, 1), fmt(e.samples / e.seconds, 0)];
  });
  body.replaceChildren(...rows.map((cells) => tableRow(cells.map(String))));
}

function drawConfig() {
  const box = $('config');
  const key = run.config ? `${run.config.pid}:${run.config.started}:${run.start ? run.start.parameters : ''}` : '';
  if (!run.config || box.dataset['run'] === key) return;
  box.dataset['run'] = key;
  /** @type {[string, string][]} */
  const rows = Object.entries(run.config.flags).map(([k, v]) => [`--${k}`, v === undefined ? '–' : typeof v === 'string' ? v : JSON.stringify(v)]);
  rows.push(['started', new Date(run.config.started).toLocaleString()], ['pid', String(run.config.pid)]);
  if (run.start) rows.push(['parameters', run.start.parameters.toLocaleString('en-US')]);
  box.replaceChildren(
    ...rows.map(([k, v]) => {
      const row = document.createElement('div');
      const key = document.createElement('span');
      const value = document.createElement('span');
      key.textContent = k;
      value.textContent = v;
      row.append(key, value);
      return row;
    }),
  );
}

/** @param {string[]} cells */
function tableRow(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement('td');
    td.textContent = c;
    tr.append(td);
  }
  return tr;
}

/**
 * A line chart in an SVG of viewBox 420 × 240: axes with round ticks, one polyline per series, a legend.
 * @param {HTMLElement} svg
 * @param {{ name: string, points: [number, number][] }[]} series
 * @param {{ x: string, integerX?: boolean, dots?: boolean }} options
 */
function lineChart(svg, series, options) {
  const W = 420, H = 240, L = 48, R = 10, T = 10, B = 34;
  svg.replaceChildren();
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (all.length === 0) {
    svg.append(el('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'empty' }, 'waiting for data'));
    return;
  }
  let [x0, x1] = extent(all.map((p) => p[0]));
  let [y0, y1] = extent(all.map((p) => p[1]));
  if (options.integerX) [x0, x1] = [Math.min(x0, 1), Math.max(x1, x0 + 1)];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) [y0, y1] = [y0 - 0.5 * Math.abs(y0 || 1), y1 + 0.5 * Math.abs(y1 || 1)];
  const yt = ticks(y0, y1, 5);
  [y0, y1] = [Math.min(y0, yt[0]), Math.max(y1, yt[yt.length - 1])];
  const sx = (/** @type {number} */ x) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const sy = (/** @type {number} */ y) => H - B - ((y - y0) / (y1 - y0)) * (H - T - B);
  for (const t of yt) {
    svg.append(el('line', { x1: L, x2: W - R, y1: sy(t), y2: sy(t), class: 'grid' }));
    svg.append(el('text', { x: L - 5, y: sy(t) + 4, 'text-anchor': 'end' }, tickLabel(t, yt)));
  }
  const xt = ticks(x0, x1, 6).filter((t) => !options.integerX || Number.isInteger(t));
  for (const t of xt) svg.append(el('text', { x: sx(t), y: H - B + 15, 'text-anchor': 'middle' }, tickLabel(t, xt)));
  svg.append(el('line', { x1: L, x2: L, y1: T, y2: H - B, class: 'axis' }), el('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, class: 'axis' }));
  svg.append(el('text', { x: (L + W - R) / 2, y: H - 4, 'text-anchor': 'middle' }, options.x));
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    svg.append(el('polyline', { points: pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' '), fill: 'none', stroke: color, 'stroke-width': 2 }));
    if (options.dots !== false) for (const [x, y] of pts) svg.append(el('circle', { cx: sx(x), cy: sy(y), r: 3, fill: color }));
    if (series.length > 1) {
      const lx = L + 10 + i * 90;
      svg.append(el('line', { x1: lx, x2: lx + 14, y1: T + 6, y2: T + 6, stroke: color, 'stroke-width': 2 }), el('text', { x: lx + 18, y: T + 10 }, s.name));
    }
  });
}

/**
 * @param {string} name
 * @param {Record<string, string | number>} attrs
 * @param {string} [text]
 */
function el(name, attrs, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** @param {number[]} values @returns {[number, number]} */
function extent(values) {
  return [Math.min(...values), Math.max(...values)];
}

/** Round tick values spanning [a, b], about `n` of them. @param {number} a @param {number} b @param {number} n */
function ticks(a, b, n) {
  const raw = (b - a) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out = [];
  for (let t = Math.floor(a / step) * step; t <= b + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  if (out[out.length - 1] < b) out.push(Number((out[out.length - 1] + step).toPrecision(12)));
  return out;
}

/** @param {number} t @param {number[]} all */
function tickLabel(t, all) {
  const step = all.length > 1 ? Math.abs(all[1] - all[0]) : 1;
  const digits = Math.max(0, Math.min(6, -Math.floor(Math.log10(step))));
  return t.toFixed(digits);
}

/** @param {number} v @param {number} digits */
function fmt(v, digits) {
  return typeof v === 'number' && Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits > 2 ? 0 : digits }) : '–';
}

/** @param {number} s */
function duration(s) {
  const m = Math.floor(s / 60);
  return m > 0 ? `${m} min ${Math.floor(s % 60)} s` : `${s.toFixed(1)} s`;
}

setInterval(() => {
  if (!run.done && !run.ended && run.config) $('elapsed').textContent = duration((Date.now() - run.since) / 1000);
}, 1000);
connect();
