/// <reference lib="dom" />
// "Watch a Node run": a real mnist-lenet run in this process with `--live 0`, its dashboard in
// headless Chromium. The page must show the epochs advance while the run goes on, the curves, the
// PNGs the run writes and its configuration; a tab opened after the run (from `npm run web`'s
// server, with ?live=) gets the whole history. The curves are vega views of core's chart specs.
// Writes docs/img/dashboard.png. Run: `cd examples && npx ava test/dashboard.test.ts` (about 40 s).
import test from 'ava';
import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { closeLive, liveRun } from '../lib/live.js';
import { main } from '../mnist-lenet/main.js';
import { serveWeb } from '../web/serve.js';
import { chromiumPath, chromiumRequired, LAUNCH_ARGS } from '../lib/chromium.js';

const SCREENSHOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'img', 'dashboard.png');
const EPOCHS = 4;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What the page shows: the last finished epoch, the status, the epoch table's rows, the loss curve's points, the pictures loaded, the charts. */
async function shown(page: Page): Promise<{ epoch: number; status: string; rows: number; lossPoints: number; images: Record<string, number>; config: string; charts: Charts }> {
  return page.evaluate(() => {
    const images: Record<string, number> = {};
    for (const fig of Array.from(document.querySelectorAll<HTMLElement>('#files figure'))) images[fig.dataset['name']!] = fig.querySelector('img')!.naturalWidth;
    // Vega's SVG renderer: an <svg class="marks">, each mark a <g class="mark-TYPE role-mark …">, each point a <path> labelled with its fields.
    // (no named function in here: tsx would wrap it in a helper the page lacks)
    const [curves, steps] = ['chart-curves', 'chart-steps'].map((id) => ({
      vega: document.querySelector(`#${id} > svg.marks`) !== null,
      marks: Array.from(document.querySelectorAll(`#${id} g.role-mark`), (g) => g.classList[0]!),
    }));
    const dashboard = (globalThis as unknown as { eoleDashboard: { charts: Record<string, { stats: { views: number; updates: number }; markCounts(): Record<string, number> }> } }).eoleDashboard;
    return {
      epoch: Number(document.getElementById('epoch')!.dataset['epoch']),
      status: document.body.dataset['status'] ?? '',
      rows: document.querySelectorAll('#epochs-table tbody tr').length,
      lossPoints: document.querySelectorAll('#chart-curves g.role-mark path[aria-roledescription="point"][aria-label*="series: training loss"]').length,
      images,
      config: document.getElementById('config')!.textContent ?? '',
      charts: { curves: curves!, steps: steps!, stats: { curves: dashboard.charts['curves']!.stats, steps: dashboard.charts['steps']!.stats }, counts: dashboard.charts['curves']!.markCounts() },
    };
  });
}

type Charts = { curves: { vega: boolean; marks: string[] }; steps: { vega: boolean; marks: string[] }; stats: Record<'curves' | 'steps', { views: number; updates: number }>; counts: Record<string, number> };

const executable = chromiumPath();
if (!executable) {
  if (chromiumRequired()) test('dashboard: chromium is required here (CI or EOLE_REQUIRE_CHROMIUM=1) but was not found', (t) => t.fail('install it (Debian: apt-get install chromium) or set EOLE_CHROMIUM'));
  else test.skip('dashboard (needs chromium, absent here; set EOLE_REQUIRE_CHROMIUM=1 to fail instead), skipped', () => {});
} else {
  test('the dashboard shows a live mnist-lenet run: epochs advance while it trains, curves, PNGs and configuration; a late tab gets the history', async (t) => {
    const browser = await chromium.launch({ executablePath: executable, args: [...LAUNCH_ARGS], timeout: 60_000 });
    const out = mkdtempSync(join(tmpdir(), 'eole-dashboard-'));
    try {
      const argv = ['--seed', '1', '--epochs', String(EPOCHS), '--train-size', '1000', '--threads', '1', '--out', out, '--live', '0'];
      let finished = false;
      const run = main(argv, () => {}).finally(() => (finished = true));
      let live = liveRun();
      for (let i = 0; i < 500 && live === null; i++) live = (await sleep(10), liveRun());
      t.truthy(live, 'the run started its live server');
      const url = await live!.url;
      const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url);

      // Watch the page while the run trains: every epoch number it shows, and whether the run was still going.
      const seen: { epoch: number; running: boolean }[] = [];
      while (!finished) {
        const { epoch } = await shown(page);
        if (seen.at(-1)?.epoch !== epoch) seen.push({ epoch, running: !finished });
        await sleep(100);
      }
      await run;
      t.log(`epochs seen live: ${seen.map((s) => `${s.epoch}${s.running ? '' : ' (after)'}`).join(', ')}`);
      const whileTraining = seen.filter((s) => s.running && s.epoch >= 1).map((s) => s.epoch);
      t.true(whileTraining.length >= 2, `the page showed at least two finished epochs while the run trained: ${whileTraining.join(', ')}`);
      t.deepEqual(whileTraining, [...whileTraining].sort((a, b) => a - b), 'in increasing order');

      await page.waitForFunction((n) => document.querySelectorAll('#epochs-table tbody tr').length === n && document.body.dataset['status'] === 'done', EPOCHS, { timeout: 10_000 });
      // The newest version of each PNG is the one shown (its URL carries the file's mtime).
      const versions = ['curves.png', 'filters.png'].map((name) => [name, `v=${Math.round(statSync(join(out, name)).mtimeMs)}`] as const);
      await page.waitForFunction(
        (vs) => vs.every(([name, v]) => {
          const img = document.querySelector<HTMLImageElement>(`#files figure[data-name="${name}"] img`);
          return img !== null && img.src.endsWith(v) && img.complete && img.naturalWidth > 0;
        }),
        versions,
        { timeout: 10_000 },
      );
      await page.waitForFunction((n) => document.querySelectorAll('#chart-curves g.role-mark path[aria-roledescription="point"][aria-label*="series: training loss"]').length === n, EPOCHS, { timeout: 10_000 });
      const end = await shown(page);
      t.is(end.epoch, EPOCHS);
      t.is(end.lossPoints, EPOCHS, 'the loss curve has a point per epoch');
      t.true(end.charts.curves.vega && end.charts.steps.vega, 'the charts are vega views (SVG renderer)');
      t.deepEqual([...new Set(end.charts.curves.marks)].sort(), ['mark-line', 'mark-symbol'], 'curvesChart: lines with points');
      t.true(end.charts.curves.marks.length >= 4, `loss (training, validation) and accuracy layers: ${end.charts.curves.marks.join(' ')}`);
      t.deepEqual(end.charts.steps.marks, ['mark-line'], 'the step losses: one line');
      t.deepEqual(end.charts.counts, { line: 3 * EPOCHS, symbol: 3 * EPOCHS }, 'training loss, validation loss and accuracy: a point per epoch each');
      t.log(`chart views created / data swaps: ${JSON.stringify(end.charts.stats)}`);
      t.true(end.charts.stats.steps.updates > 0, 'the step chart keeps its view and swaps its data');
      t.true((end.images['curves.png'] ?? 0) > 100 && (end.images['filters.png'] ?? 0) > 100, `PNGs shown: ${JSON.stringify(end.images)}`);
      t.regex(end.config, /--train-size1000/);
      t.regex(await page.locator('#name').innerText(), /mnist-lenet/);
      t.true(Number((await page.locator('#rate').innerText()).replace(/,/g, '')) > 0, 'samples/s shown');
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });

      // A second tab, opened after the run ended, gets the whole history; this one from `npm run web`'s server (?live=).
      const web = await serveWeb({ port: 0 });
      const late = await browser.newPage();
      late.on('pageerror', (e) => errors.push(e.message));
      await late.goto(`${web.url}dashboard/?live=${encodeURIComponent(url)}`);
      await late.waitForFunction((n) => document.querySelectorAll('#epochs-table tbody tr').length === n, EPOCHS, { timeout: 10_000 });
      const lateShown = await shown(late);
      t.is(lateShown.epoch, EPOCHS);
      await late.waitForFunction((n) => document.querySelectorAll('#chart-curves g.role-mark path[aria-roledescription="point"][aria-label*="series: training loss"]').length === n, EPOCHS, { timeout: 10_000 });
      t.true(Object.keys(lateShown.images).length >= 2, 'the late tab lists the PNGs');
      web.server.close();

      await closeLive();
      await page.waitForFunction(() => document.body.dataset['status'] === 'ended', undefined, { timeout: 5_000 });
      t.deepEqual(errors, [], 'no error in the page');
    } finally {
      await closeLive();
      await browser.close();
    }
  });
}
