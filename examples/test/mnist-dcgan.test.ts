import test from 'ava';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSafetensors, readIdx } from '@eole/core';
import { Canvas } from '@eole/core/report';
import { main } from '../mnist-dcgan/main.js';

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
