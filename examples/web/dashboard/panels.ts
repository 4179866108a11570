/// <reference lib="dom" />
// The dashboard's panels other than the charts: header, progress, pictures, epoch table, configuration.
import type { RunState } from './state.js';

const $ = (id: string): HTMLElement => document.getElementById(id)!;

/** Sets the status pill (`live`, `done`, `ended`, `disconnected`, …) and its text. */
export function setStatus(status: string, text: string): void {
  document.body.dataset['status'] = status;
  $('status').textContent = text;
}

/** The run's name, summary and the page title. */
export function drawHeader(run: RunState): void {
  if (!run.config) return;
  $('name').textContent = run.config.name;
  $('summary').textContent = run.config.summary;
  document.title = `${run.config.name} · Eole live`;
  if (run.done && document.body.dataset['status'] === 'live') setStatus('done', 'finished');
}

/** Epoch, bars, step, samples/s, step loss, learning rate, backend, elapsed time. */
export function drawProgress(run: RunState): void {
  const last = Math.max(0, ...run.epochs.keys());
  const total = run.start?.epochs ?? (Number(run.config?.flags['epochs']) || undefined);
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

/** The PNGs the run wrote, each swapped for its newest version once that has loaded (no blinking). */
export function drawFiles(run: RunState, base: URL): void {
  const box = $('files');
  const files = [...run.files.values()].sort((a, b) => a.name.localeCompare(b.name));
  if (files.length === 0) return;
  box.querySelector('.empty')?.remove();
  for (const f of files) {
    let fig = box.querySelector<HTMLElement>(`figure[data-name="${CSS.escape(f.name)}"]`);
    if (!fig) {
      fig = document.createElement('figure');
      fig.dataset['name'] = f.name;
      fig.append(document.createElement('img'), document.createElement('figcaption'));
      box.append(fig);
    }
    const img = fig.querySelector('img')!;
    const src = new URL(f.url, base).href;
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
    fig.querySelector('figcaption')!.textContent = `${f.name} · ${new Date(f.mtime).toLocaleTimeString()}${f.earlier ? ' (from before this run)' : ''}`;
  }
}

/** One row per epoch, newest first. */
export function drawEpochTable(run: RunState): void {
  const body = $('epochs-table').querySelector('tbody')!;
  const rows = [...run.epochs.values()].sort((a, b) => b.epoch - a.epoch).map((e) => {
    const v = run.validations.get(e.epoch);
    const acc = v && typeof v.metrics.accuracy === 'number' ? `${fmt(100 * v.metrics.accuracy, 2)}%` : '–';
    return [String(e.epoch), fmt(e.loss, 4), v ? fmt(v.metrics.loss, 4) : '–', acc, fmt(e.seconds, 1), fmt(e.samples / e.seconds, 0)];
  });
  body.replaceChildren(...rows.map(tableRow));
}

/** The run's flags, start time, pid and parameter count (redrawn only when they change). */
export function drawConfig(run: RunState): void {
  const box = $('config');
  const key = run.config ? `${run.config.pid}:${run.config.started}:${run.start ? run.start.parameters : ''}` : '';
  if (!run.config || box.dataset['run'] === key) return;
  box.dataset['run'] = key;
  const rows: [string, string][] = Object.entries(run.config.flags).map(([k, v]) => [`--${k}`, v === undefined ? '–' : typeof v === 'string' ? v : JSON.stringify(v)]);
  rows.push(['started', new Date(run.config.started).toLocaleString()], ['pid', String(run.config.pid)]);
  if (run.start) rows.push(['parameters', run.start.parameters.toLocaleString('en-US')]);
  box.replaceChildren(
    ...rows.map(([k, v]) => {
      const row = document.createElement('div');
      const name = document.createElement('span');
      const value = document.createElement('span');
      name.textContent = k;
      value.textContent = v;
      row.append(name, value);
      return row;
    }),
  );
}

function tableRow(cells: readonly string[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement('td');
    td.textContent = c;
    tr.append(td);
  }
  return tr;
}

/** `v` with `digits` decimals (en-US grouping), or `–` when it is not a finite number. */
export function fmt(v: unknown, digits: number): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits > 2 ? 0 : digits }) : '–';
}

/** Seconds as `1 min 5 s` or `4.2 s`. */
export function duration(s: number): string {
  const m = Math.floor(s / 60);
  return m > 0 ? `${m} min ${Math.floor(s % 60)} s` : `${s.toFixed(1)} s`;
}
