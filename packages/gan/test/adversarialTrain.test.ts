import test from 'ava';
import { lastValueFrom, toArray } from 'rxjs';
import { Adam, checkpoint, concat, fromArray, Generator, resume, Tensor, type Batch, type TrainEvent } from '@eole/core';
import { progressBar } from '@eole/core/report';
import { tempDir } from '@eole/core/testing';
import { adversarialTrain, GAN, ganTrainState, latentNoise, MLPDiscriminator, MLPGenerator, oneHot, type AdversarialTrainOptions } from '@eole/gan';

/**
 * Real 2-D points with std 0.05 around (0.5, −0.3), in batches of 32 with a label (0 or 1); with
 * `twoClasses`, the points of class 1 sit around (−0.1, −0.3) instead.
 */
function realData(seed: number, batches: number, twoClasses = false): Batch[] {
  const rng = new Generator(seed);
  return Array.from({ length: batches }, () => {
    const y = Float32Array.from({ length: 32 }, (_, i) => i % 2);
    const x = Float32Array.from({ length: 64 }, (_, i) => (i % 2 === 0 ? 0.5 : -0.3) + (twoClasses && y[i >> 1] === 1 && i % 2 === 0 ? -0.6 : 0) + rng.normal(0, 0.05));
    return { x: new Tensor(x, [32, 2]), y: new Tensor(y, [32]) };
  });
}

function setup(seed: number, conditional = false): AdversarialTrainOptions & { noiseRng: Generator } {
  const rng = new Generator(seed);
  const classes = conditional ? 2 : 0;
  const generator = MLPGenerator({ nz: 4, hidden: 32, outputs: 2, classes, rng });
  const discriminator = MLPDiscriminator({ inputs: 2, hidden: 32, dropout: 0, classes, rng });
  const noiseRng = new Generator(seed + 1);
  const data = realData(2, 20, conditional);
  return {
    generator,
    discriminator,
    generatorOptimizer: new Adam(generator.parameters(), { lr: 2e-3, betas: [0.5, 0.999] }),
    discriminatorOptimizer: new Adam(discriminator.parameters(), { lr: 2e-3, betas: [0.5, 0.999] }),
    data: fromArray(data),
    noise: (n) => latentNoise(n, 4, noiseRng),
    ...(conditional ? { conditioning: { generator: (z, y) => concat([z, oneHot(y, 2)], 1), discriminator: (x, y) => concat([x, oneHot(y, 2)], 1) } } : {}),
    epochs: 8,
    rngs: { noise: noiseRng },
    noiseRng,
  };
}

/** The mean generated point (of the classes `labels` in turn, for a conditional generator). */
function meanGap(o: AdversarialTrainOptions, labels?: number[]): number[] {
  const n = 400;
  const z = latentNoise(n, 4, new Generator(77));
  const input = labels ? concat([z, oneHot(Array.from({ length: n }, (_, i) => labels[i % labels.length]!), 2)], 1) : z;
  const x = o.generator.forward(input).data;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[2 * i]! / n;
    my += x[2 * i + 1]! / n;
  }
  return [mx, my];
}

test('adversarialTrain: the generator moves to the real distribution; events carry D and G losses, D(x), D(G(z))', async (t) => {
  const o = setup(1);
  const [bx, by] = meanGap(o);
  const before = Math.hypot(bx - 0.5, by + 0.3);
  const events = await lastValueFrom(adversarialTrain(o).pipe(toArray()));
  const [ax, ay] = meanGap(o);
  const after = Math.hypot(ax - 0.5, ay + 0.3);
  t.true(after < before / 4, `mean of G(z) ${before.toFixed(3)} → ${after.toFixed(3)} from the real mean`);
  const steps = events.filter((e) => e.type === 'step');
  t.is(steps.length, 8 * 20);
  const first = steps[0]!;
  t.true(first.type === 'step' && first.terms !== undefined && ['lossD', 'lossG', 'D(x)', 'D(G(z))'].every((k) => Number.isFinite(first.terms![k])));
  t.true(first.type === 'step' && Math.abs(first.loss - first.terms!['lossD']!) < 1e-12, 'a step event’s loss is the discriminator loss');
  t.true(first.type === 'step' && Math.abs(first.terms!['lossD']! - 2 * Math.LN2) < 0.2, 'D starts near chance, 2·log 2');
  const epoch = events.find((e) => e.type === 'epoch');
  t.true(epoch?.type === 'epoch' && epoch.terms !== undefined && epoch.samples === 20 * 32);
  t.deepEqual(events.map((e) => e.type).filter((k) => k !== 'step').slice(0, 3), ['start', 'epoch', 'epoch']);
});

test('adversarialTrain: a class-conditional GAN puts each class where its real points are', async (t) => {
  const o = setup(3, true);
  await lastValueFrom(adversarialTrain(o).pipe(toArray()));
  const [x0] = meanGap(o, [0]);
  const [x1] = meanGap(o, [1]);
  t.true(Math.abs(x0! - 0.5) < 0.12 && Math.abs(x1! + 0.1) < 0.12, `class 0 at x ${x0!.toFixed(3)} (real 0.5), class 1 at ${x1!.toFixed(3)} (real −0.1)`);
});

test('adversarialTrain: a run resumed from its checkpoint ends bit for bit where the uninterrupted run ends', async (t) => {
  const whole = setup(5);
  await lastValueFrom(adversarialTrain({ ...whole, epochs: 4 }));
  const dir = tempDir('gan-resume');
  const first = setup(5);
  await lastValueFrom(adversarialTrain({ ...first, epochs: 2 }).pipe(checkpoint(dir)));
  const second = setup(99);
  const startEpoch = resume(dir, ganTrainState(second));
  t.is(startEpoch, 3);
  await lastValueFrom(adversarialTrain({ ...second, epochs: 4, startEpoch }));
  const weights = (o: AdversarialTrainOptions): number[] => new GAN(o.generator, o.discriminator).parameters().flatMap((p) => Array.from(p.data));
  t.deepEqual(weights(second), weights(whole));
  t.deepEqual(second.noiseRng.getState(), whole.noiseRng.getState());
});

test('adversarialTrain: the progress lines show the terms; a NaN in the data ends the stream naming the epoch and step', async (t) => {
  const lines: string[] = [];
  const stream = { write: (s: string) => lines.push(s), isTTY: false } as unknown as NodeJS.WritableStream;
  await lastValueFrom(adversarialTrain({ ...setup(7), epochs: 1 }).pipe(progressBar({ stream, mode: 'lines' })));
  t.regex(lines.join(''), /epoch 1\/1 {2}loss \d\.\d{4} {2}lossD \d\.\d{4} {2}lossG \d\.\d{4} {2}D\(x\) 0\.\d{4} {2}D\(G\(z\)\) 0\.\d{4}/);
  const bad = setup(8);
  const data = realData(1, 3);
  data[1]!.x.data[5] = Number.NaN;
  const error = await t.throwsAsync(lastValueFrom(adversarialTrain({ ...bad, data: fromArray(data), epochs: 1 })));
  t.regex(error!.message, /^adversarialTrain: epoch 1, step 2: the discriminator loss is NaN/);
  const short = await t.throwsAsync(lastValueFrom(adversarialTrain({ ...setup(9), noise: () => latentNoise(3, 4, new Generator(1)), epochs: 1 })));
  t.regex(short!.message, /noise\(32\) returned 3 codes, expected 32/);
  const events: TrainEvent[] = await lastValueFrom(adversarialTrain({ ...setup(9), data: fromArray([]), epochs: 1 }).pipe(toArray())).catch((e: Error) => [{ type: 'done', epochs: 0, seconds: Number.NaN, message: e.message } as unknown as TrainEvent]);
  t.regex((events[0] as unknown as { message: string }).message, /epoch 1 had no batches/);
});
