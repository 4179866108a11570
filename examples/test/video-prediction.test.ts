import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeNpy } from '@eole/core';
import { readVideoNpy } from '@eole/gan';
import { PNG } from 'pngjs';
import { main } from '../video-prediction/main.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'eole-video-'));

/** Runs main with --out in a fresh folder, returning the summary and the printed lines. */
async function run(...argv: string[]) {
  const out = argv.includes('--out') ? argv[argv.indexOf('--out') + 1]! : tmp();
  const lines: string[] = [];
  const summary = await main(argv.includes('--out') ? argv : [...argv, '--out', out], (l) => lines.push(l));
  return { summary, lines, out };
}

// The CI-sized run: one epoch of 960 crops (60 steps of 16) with the l2 loss; the model must already beat copying the last
// frame on the held-out validation sequences, for the next frame. Measured: frame 11 MSE per frame 112.47 against copy-last 198.84 (12 validation sequences).
const TINY = ['--seed', '1', '--loss', 'l2', '--rollout', '1', '--epochs', '1', '--samples', '960', '--val-sequences', '12', '--lr', '2e-3'];

let trained: { out: string } | null = null;

test.serial('video-prediction: a CI-sized l2 run beats copy-last-frame on held-out sequences and writes its files', async (t) => {
  const { summary, lines, out } = await run(...TINY);
  trained = { out };
  t.is(summary.mode, 'train');
  const score = summary.score!;
  t.is(score.rows[0]!.frame, 11);
  t.is(score.rows.length, 10);
  t.log(`validation frame 11: model ${score.rows[0]!.mse.toFixed(2)}, copy-last ${score.rows[0]!.copyMse.toFixed(2)}`);
  t.true(score.rows[0]!.mse < score.rows[0]!.copyMse, 'the next frame beats copying the last one');
  for (const f of ['video-prediction.safetensors', 'checkpoint.safetensors', 'events.jsonl', 'curves.png', 'strip.png']) t.true(existsSync(join(out, f)), f);
  const strip = PNG.sync.read(readFileSync(join(out, 'strip.png')));
  t.true(strip.width > 14 * 64 && strip.height > 6 * 64, 'six rows of 14 frames');
  t.true(lines.some((l) => /^video-prediction: epoch 1: validation MSE per frame, frame 11 \d+\.\d\d \(copy-last \d+\.\d\d\)/.test(l)));
});

test.serial('video-prediction: --make-test writes a Moving MNIST .npy; --eval scores it, prints the table and the last line; --save-predictions', async (t) => {
  if (!trained) return t.fail('the training test did not run');
  const dir = tmp();
  const file = join(dir, 'test.npy');
  await run('--make-test', file, '--sequences', '12', '--seed', '7');
  const video = readVideoNpy(file);
  t.deepEqual([video.frames, video.sequences, video.height, video.width], [20, 12, 64, 64]);
  const predictions = join(dir, 'pred.npy');
  const model = join(trained.out, 'video-prediction.safetensors');
  const { summary, lines } = await run('--eval', model, '--test', file, '--save-predictions', predictions);
  const last = lines.at(-1)!;
  t.regex(last, /^MSE per frame: model \d+\.\d\d, copy-last-frame \d+\.\d\d \(frames 11-20\)$/);
  const s = summary.score!;
  t.is(last, `MSE per frame: model ${s.mean.mse.toFixed(2)}, copy-last-frame ${s.mean.copyMse.toFixed(2)} (frames 11-20)`);
  t.true(s.rows[0]!.mse < s.rows[0]!.copyMse, 'frame 11 beats copy-last on the test file too');
  t.true(lines.some((l) => /^frame +MSE +copy-last +black +PSNR/.test(l)), 'the per-frame table');
  t.true(lines.some((l) => /^black frames: MSE per frame \d+\.\d\d \(frames 11-20\)$/.test(l)));
  const pred = readVideoNpy(predictions);
  t.deepEqual([pred.frames, pred.sequences, pred.height, pred.width], [10, 12, 64, 64]);
  // The saved predictions are what was scored: their MSE against the truth matches the table (up to 8-bit rounding).
  let sum = 0;
  for (let i = 0; i < 12; i++) {
    for (let q = 0; q < 4096; q++) {
      const d = pred.data[i * 4096 + q]! / 255 - video.data[(10 * 12 + i) * 4096 + q]! / 255;
      sum += d * d;
    }
  }
  t.true(Math.abs(sum / 12 - s.rows[0]!.mse) < 0.5, `frame 11 from the file ${(sum / 12).toFixed(2)} vs the table ${s.rows[0]!.mse.toFixed(2)}`);

  const compared = await run('--compare', `${model},${model}`, '--test', file, '--sequences', '4');
  t.is(compared.summary.compared!.length, 2);
  t.true(compared.lines.some((l) => l.startsWith('| copy last frame |')));
  t.true(existsSync(join(compared.out, 'compare.png')));
});

test('video-prediction: an adversarial run trains both nets and draws their curves', async (t) => {
  const { summary, out } = await run('--loss', 'adv+gdl', '--epochs', '1', '--samples', '64', '--val-sequences', '2', '--scales', '3');
  t.is(summary.mode, 'train');
  t.true(existsSync(join(out, 'losses.png')));
  const epoch = readFileSync(join(out, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; terms?: Record<string, number> }).find((e) => e.type === 'epoch')!;
  t.true(['lossD', 'lossG', 'gdl', 'l2', 'D(x)'].every((k) => Number.isFinite(epoch.terms?.[k])), JSON.stringify(epoch.terms));
});

test('video-prediction: clear errors for --eval without --test, a file of the wrong dtype, too few frames', async (t) => {
  const dir = tmp();
  await t.throwsAsync(run('--eval', join(dir, 'none.safetensors')), { message: /--eval needs --test FILE\.npy/ });
  const floats = join(dir, 'floats.npy');
  writeFileSync(floats, serializeNpy(new Float32Array(2 * 1 * 64 * 64), [2, 1, 64, 64]));
  if (!trained) return;
  const model = join(trained.out, 'video-prediction.safetensors');
  await t.throwsAsync(run('--eval', model, '--test', floats), { message: /readVideoNpy: '.*floats\.npy': .*uint8/ });
  const short = join(dir, 'short.npy');
  writeFileSync(short, serializeNpy(new Uint8Array(4 * 1 * 64 * 64), [4, 1, 64, 64]));
  await t.throwsAsync(run('--eval', model, '--test', short), { message: /the file has 4 frames, so 3 context frames; the model needs 4/ });
  await t.throwsAsync(run('--eval', model, '--test', short, '--context', '3'), { message: /--context 3 does not match the model in '.*', which reads 4 context frames/ });
});
