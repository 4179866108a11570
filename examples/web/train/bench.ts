// LeNet-5 training speed in headless Chromium: Eole on WebGL against TensorFlow.js's WebGL
// backend, both in the page "Train in the browser" (its `compare` button, run here without
// training first). On a machine without a GPU, Chromium's WebGL is SwiftShader: software, no GPU.
// Run: `npm run bench:web -w examples [-- --steps 30 --warmup 3 --backend webgl2]`.
import { loadavg } from 'node:os';
import { buildTrainPage } from './build.js';
import type { Comparison } from './compare.js';
import { serveWeb } from '../serve.js';
import { chromiumPath, launchChromium } from '../../lib/chromium.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const executable = chromiumPath();
if (!executable) throw new Error('bench:web needs chromium (Debian: apt-get install chromium) or EOLE_CHROMIUM');
const [steps, warmup, backend] = [Number(flag('steps', '30')), Number(flag('warmup', '3')), flag('backend', 'webgl2')];
await buildTrainPage();
const web = await serveWeb({ port: 0 });
const browser = await launchChromium(executable);
try {
  const page = await browser.newPage();
  await page.goto(`${web.url}train/?steps=0&backend=${backend}`);
  await page.waitForFunction(() => 'eoleTrain' in globalThis, undefined, { timeout: 60_000 });
  const load = loadavg();
  const c = await page.evaluate(
    (o) => (globalThis as unknown as { eoleTrain: { compare(o: { steps: number; warmup: number }): Promise<Comparison> } }).eoleTrain.compare(o),
    { steps, warmup },
  );
  const after = loadavg();
  console.log(JSON.stringify({ ...c, loadavg: { before: load, after } }));
  console.log(
    `LeNet-5, batch ${c.batch}, ${c.steps} timed steps after ${c.warmup}: ${c.eole.backend} ${c.eole.samplesPerSec.toFixed(1)} samples/s, ` +
      `${c.tfjs.backend} ${c.tfjs.samplesPerSec.toFixed(1)} samples/s, ratio ${c.ratio.toFixed(2)} (Eole/tfjs); renderer ${c.renderer ?? 'none'}; ` +
      `load average ${load.map((v) => v.toFixed(2)).join(' ')} before, ${after.map((v) => v.toFixed(2)).join(' ')} after`,
  );
} finally {
  await browser.close();
  web.server.close();
}
