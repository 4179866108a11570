import test from 'ava';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSafetensors, readIdx, Tensor } from '@eole/core';
import { gaussianBlur } from '@eole/gan';
import { Canvas } from '@eole/core/report';
import { main } from '../mnist-dcgan/main.js';
import { mnistSplit } from '../lib/mnist.js';
import { defaultScorerPath, loadScorer } from '../lib/scorer.js';

const quiet = (): void => {};
const tmp = (): string => mkdtempSync(join(tmpdir(), 'eole-dcgan-'));
const tiny = ['--conditional', '--seed', '3', '--epochs', '2', '--train-size', '256', '--batch', '32', '--ngf', '4', '--ndf', '4'];
const weights = (dir: string): number[] => [...parseSafetensors(readFileSync(join(dir, 'checkpoint.safetensors'))).tensors.entries()].sort(([a], [b]) => a.localeCompare(b)).flatMap(([, t]) => Array.from(t.data));

test.serial('mnist-dcgan: --stop-after 1 then --resume ends bit for bit where an uninterrupted run ends (both nets, both optimizers), with its figures', async (t) => {
  const whole = tmp();
  const done = await main([...tiny, '--out', whole], quiet);
  t.deepEqual(done.history.map((h) => h.epoch), [1, 2]);
  t.true(done.history.every((h) => Number.isFinite(h.lossD) && Number.isFinite(h.lossG) && h.dReal > 0 && h.dReal < 1 && h.dFake > 0 && h.dFake < 1));
  for (const f of ['samples.png', 'samples-strip.png', 'losses.png', 'interpolation.png', 'arithmetic.png', 'events.jsonl', 'mnist-dcgan.safetensors']) t.true(existsSync(join(whole, f)), f);
  const strip = Canvas.fromPNG(readFileSync(join(whole, 'samples-strip.png')));
  t.true(strip.height > 3 * 56, 'the strip has a row for epochs 0, 1 and 2');

  const parts = tmp();
  const lines: string[] = [];
  const first = await main([...tiny, '--out', parts, '--stop-after', '1'], (l) => lines.push(l));
  t.deepEqual(first.history.map((h) => h.epoch), [1]);
  t.true(lines.some((l) => /stopped after epoch 1 \(--stop-after\); continue with --resume/.test(l)));
  const resumed = await main([...tiny, '--out', parts, '--resume'], quiet);
  t.is(resumed.startEpoch, 2);
  t.deepEqual(resumed.history.map((h) => h.epoch), [1, 2]);
  t.deepEqual(weights(parts), weights(whole), 'generator, discriminator and both Adam states bit for bit');
  t.deepEqual(resumed.history.map((h) => h.lossD), done.history.map((h) => h.lossD));
});

test.serial('mnist-dcgan --sample N writes an MNIST IDX pair with balanced classes from the saved generator, training nothing', async (t) => {
  const out = tmp();
  await main([...tiny, '--epochs', '1', '--out', out], quiet);
  const lines: string[] = [];
  const sampled = await main(['--sample', '25', '--out', out], (l) => lines.push(l));
  t.is(sampled.mode, 'sample');
  const images = readIdx(join(out, 'samples-images-idx3-ubyte'));
  const labels = readIdx(join(out, 'samples-labels-idx1-ubyte'));
  t.is(images.magic, 0x803);
  t.deepEqual(images.dims, [25, 28, 28]);
  t.deepEqual(Array.from(labels.data).slice(0, 12), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  t.true(lines.some((l) => l.startsWith('wrote ')));
  const error = await t.throwsAsync(main(['--sample', '5', '--out', tmp()], quiet));
  t.regex(error!.message, /ENOENT|no such file|mnist-dcgan\.safetensors/);
});

// The CI-sized conditional DCGAN: 16 planes instead of 32, 2 epochs of the 8,000 digits, batch 32 at
// 1e-3, scored by the CI-sized scorer (LeNet-5 trained 2 epochs) on 500 samples. Measured: 62.6% of
// the samples in the class asked for (chance 10%), FID 31.6 (held-out digits blurred by 1 px: 66.6 on
// that scorer).
test.serial('mnist-dcgan --conditional: samples improve from epoch 1 to 2, land in the class asked for ≥ 40% of the time, and beat blurred real digits on FID', async (t) => {
  const scorer = await loadScorer({ ci: true, log: quiet });
  const blurred = scorer.score(gaussianBlur(new Tensor(mnistSplit(0, 8000).test.images, [2000, 784]), 1)).fid;
  const out = tmp();
  const args = ['--conditional', '--epochs', '2', '--batch', '32', '--lr', '1e-3', '--ngf', '16', '--ndf', '16', '--out', out, '--score', '--scorer', defaultScorerPath(true), '--score-samples', '500'];
  const first = await main([...args, '--stop-after', '1'], quiet);
  const lines: string[] = [];
  const second = await main([...args, '--resume'], (l) => lines.push(l));
  const [s1, s2] = [first.score!, second.score!];
  t.true(s2.fid < s1.fid, `FID ${s1.fid.toFixed(2)} after epoch 1, ${s2.fid.toFixed(2)} after epoch 2`);
  t.true(s2.accuracy! >= 0.4, `accuracy ${s2.accuracy}`);
  t.true(s2.fid < blurred, `FID ${s2.fid.toFixed(2)} vs blurred real digits ${blurred.toFixed(2)}`);
  t.deepEqual(lines.slice(-3).map((l) => l.replace(/[\d.]+/g, 'N')), ['accuracy: N%', 'FID: N', 'class entropy: N bits']);
});
