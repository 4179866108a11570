import test from 'ava';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { readCocoResults, writeDetectionFolder } from '@eole/conv';
import { clutterValidation } from '../lib/clutter.js';
import { main, type DigitDetectSummary } from '../digit-detect/main.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'eole-digit-detect-'));

async function run(...argv: string[]): Promise<{ summary: DigitDetectSummary; lines: string[]; out: string }> {
  const out = argv.includes('--out') ? argv[argv.indexOf('--out') + 1]! : tmp();
  const lines: string[] = [];
  const summary = await main(argv.includes('--out') ? argv : [...argv, '--out', out], (l) => lines.push(l));
  return { summary, lines, out };
}

// The CI-sized run: 600 training images, 3 epochs (the third resumed), bootstrapping on 100 images, scored on 30
// validation images of held-out digits. Measured (seed 1): mAP@0.5 78.34% (75 digits), about 80 s of CPU.
const VAL = 30;
const TINY = ['--seed', '1', '--images', '600', '--epochs', '3', '--lr', '2e-3', '--mine', '100', '--val-images', String(VAL), '--figures', '2', '--threads', '1'];
const BAR = 0.6;

let trained: { out: string; summary: DigitDetectSummary } | null = null;

test.serial('digit-detect: a CI-sized run finds held-out digits (mAP@0.5 above the bar) and writes its files', async (t) => {
  const { summary, lines, out } = await run(...TINY, '--stop-after', '1');
  t.is(summary.history.length, 1);
  t.true(lines.some((l) => l.startsWith('digit-detect: stopped after epoch 1')));
  const resumed = await run(...TINY, '--out', out, '--resume');
  trained = { out, summary: resumed.summary };
  t.deepEqual(resumed.summary.history.map((h) => h.epoch), [2, 3], 'the resumed run trains epochs 2 and 3');
  const events = readFileSync(join(out, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; epoch?: number });
  t.deepEqual(events.filter((e) => e.type === 'validation').map((e) => e.epoch), [1, 2, 3]);
  const { mAP } = resumed.summary.score;
  t.log(`validation mAP@0.5 after 3 epochs: ${(mAP * 100).toFixed(2)}% (${resumed.summary.score.detections.length} detections of ${resumed.summary.score.objects} digits)`);
  t.true(mAP > BAR, `mAP ${mAP}`);
  t.is(resumed.lines.at(-1), `validation mAP@0.5: ${(mAP * 100).toFixed(2)}%`);
  for (const f of ['digit-detect.safetensors', 'checkpoint.safetensors', 'events.jsonl', 'curves.png', 'detections.png']) t.true(existsSync(join(out, f)), f);
  const figure = PNG.sync.read(readFileSync(join(out, 'detections.png')));
  t.true(figure.width >= 2 * 256 && figure.height >= 2 * 256, `${figure.width}×${figure.height}: two rows of two 256-px panels`);
});

test.serial('digit-detect: --eval on a detection folder prints AP per digit and mAP@0.5 last, equal to the validation score; --save-detections writes COCO results', async (t) => {
  if (!trained) return t.fail('the training test did not run');
  const dir = tmp();
  writeDetectionFolder(dir, clutterValidation(VAL, 1));
  const results = join(tmp(), 'detections.json');
  const { summary, lines } = await run('--eval', join(trained.out, 'digit-detect.safetensors'), '--test', dir, '--save-detections', results);
  t.is(summary.mode, 'eval');
  t.regex(lines.at(-1)!, /^mAP@0\.5: \d+\.\d\d%$/);
  t.is(summary.score.mAP, trained.summary.score.mAP, 'the same images score the same from the folder');
  t.is(lines.filter((l) => /^AP@0\.5 digit \d: \d+\.\d\d%$/.test(l)).length, summary.score.perClass.size);
  const coco = readCocoResults(results);
  t.is(coco.length, summary.score.detections.length);
  t.true(coco.every((d) => d.image_id >= 0 && d.image_id < VAL && d.category_id >= 1 && d.category_id <= 10 && d.score > 0.05));
});

test('digit-detect: bad flags and files are refused with the argument named', async (t) => {
  await t.throwsAsync(run('--scales', '1,zero'), { message: /--scales must be a comma-separated list of numbers > 0, got '1,zero'/ });
  await t.throwsAsync(run('--save-detections', join(tmp(), 'x.json')), { message: /--save-detections goes with --eval/ });
  const missing = join(tmp(), 'none.safetensors');
  await t.throwsAsync(run('--eval', missing), { message: new RegExp(missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) });
});

test.serial('digit-detect: --eval of a folder without annotations.json names the folder and the file', async (t) => {
  if (!trained) return t.fail('the training test did not run');
  const empty = tmp();
  await t.throwsAsync(run('--eval', join(trained.out, 'digit-detect.safetensors'), '--test', empty), { message: new RegExp(`readDetectionFolder: '${empty}'.*annotations\\.json`) });
});
