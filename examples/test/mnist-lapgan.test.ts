import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, parseSafetensors, readIdx } from '@eole/core';
import { LAPGAN, latentNoise } from '@eole/gan';
import { generate, toUnit } from '../lib/ganRun.js';
import { mnistSplit } from '../lib/mnist.js';
import { SAMPLE_IMAGES_FILE } from '../lib/scorer.js';
import { main } from '../mnist-lapgan/main.js';

const quiet = (): void => {};
const tmp = (): string => mkdtempSync(join(tmpdir(), 'eole-lapgan-'));

// The CI-sized run: 2 epochs on 320 digits (20 steps per level and epoch), smaller nets and a higher learning rate than the
// defaults. Measured: the samples' pixel W1 distance to real digits falls from 0.471 (untrained) to 0.216.
const TINY = ['--seed', '1', '--epochs', '2', '--train-size', '320', '--batch', '16', '--lr', '5e-4', '--ngf', '8', '--ndf', '16'];

/**
 * The Wasserstein-1 (earth mover's) distance between the pixel-value distributions of two sets of
 * digits in [0, 1], ∫ |F_a(v) − F_b(v)| dv over 100 bins: how far, on average, ink must move in
 * brightness to turn one set's pixels into the other's. A discriminator-free measure of how far
 * samples are from real digits (MNIST is mostly black background and white strokes, an untrained
 * generator mostly grey).
 */
function pixelDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const cdf = (x: ArrayLike<number>): number[] => {
    const h = new Array<number>(100).fill(0);
    for (let i = 0; i < x.length; i++) h[Math.min(99, Math.floor(x[i]! * 100))]! += 1 / x.length;
    for (let i = 1; i < 100; i++) h[i]! += h[i - 1]!;
    return h;
  };
  const [fa, fb] = [cdf(a), cdf(b)];
  return fa.reduce((s, v, i) => s + Math.abs(v - fb[i]!), 0) / 100;
}

let reference: string | null = null;

test.serial('mnist-lapgan: a tiny run writes its files, and its samples are closer to real digits than the untrained LAPGAN’s', async (t) => {
  const out = tmp();
  const trained = await main([...TINY, '--out', out], quiet);
  reference = out;
  t.deepEqual(trained.history.map((h) => h.epoch), [1, 2]);
  t.true(trained.history.every((h) => Number.isFinite(h.lossD) && Number.isFinite(h.lossG)));
  t.deepEqual(trained.files.map((f) => f.slice(out.length + 1)), ['mnist-lapgan.safetensors', 'checkpoint.safetensors', 'events.jsonl', 'samples.png', 'samples-strip.png', 'losses.png', 'pyramid.png', 'interpolation.png', 'arithmetic.png']);
  const events = readFileSync(join(out, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; terms?: Record<string, number> });
  const epoch = events.find((e) => e.type === 'epoch')!;
  t.true(['lossD@28', 'lossG@14', 'lossD@7'].every((k) => Number.isFinite(epoch.terms?.[k])), 'the epoch events carry every level’s losses');

  const sampled = await main(['--seed', '1', '--sample', '300', '--out', out], quiet);
  t.is(sampled.mode, 'sample');
  const idx = readIdx(join(out, SAMPLE_IMAGES_FILE));
  t.deepEqual(idx.dims, [300, 28, 28]);
  t.false(readdirSync(out).includes('samples-labels-idx1-ubyte'), 'no labels for an unconditional model');
  const samples = Float32Array.from(idx.data, (v) => v / 255);
  const untrained = new LAPGAN({ levels: 3, nz: 64, ngf: 8, ndf: 16, rng: new Generator(1) });
  const before = toUnit(generate(untrained, latentNoise(300, untrained.codeSize, new Generator(1 + 4000)), undefined, 0));
  const real = mnistSplit(0, 320).test.images.subarray(0, 1000 * 784);
  const [dBefore, dAfter] = [pixelDistance(before, real), pixelDistance(samples, real)];
  t.log(`pixel-value W1 distance to real digits: untrained ${dBefore.toFixed(3)}, after 2 epochs ${dAfter.toFixed(3)}`);
  t.true(dAfter < 0.7 * dBefore, `untrained ${dBefore}, trained ${dAfter}`);
});

test.serial('mnist-lapgan: --stop-after 1 then --resume ends with the same nets, optimizers and generators as the uninterrupted run, bit for bit', async (t) => {
  const out = tmp();
  const lines: string[] = [];
  await main([...TINY, '--stop-after', '1', '--out', out], (l) => lines.push(l));
  t.true(lines.some((l) => l.includes('stopped after epoch 1')));
  const resumed = await main([...TINY, '--resume', '--out', out], (l) => lines.push(l));
  t.is(resumed.startEpoch, 2);
  t.deepEqual(resumed.history.map((h) => h.epoch), [1, 2]);
  t.truthy(reference, 'runs after the first test');
  // The checkpoints hold every level's two nets, the six Adam states and the generators.
  for (const file of ['mnist-lapgan.safetensors', 'checkpoint.safetensors']) {
    const a = parseSafetensors(readFileSync(join(reference!, file)));
    const b = parseSafetensors(readFileSync(join(out, file)));
    t.deepEqual([...b.tensors.keys()], [...a.tensors.keys()], file);
    for (const [name, ta] of a.tensors) t.deepEqual(Array.from(b.tensors.get(name)!.data), Array.from(ta.data), `${file}: ${name}`);
  }
});
