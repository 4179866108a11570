import test from 'ava';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { firstValueFrom, lastValueFrom, map, take, toArray, filter, Subject } from 'rxjs';
import {
  batch, checkpoint, ClassNLLCriterion, CosineAnnealingLR, Dropout, forward, fromArray, fromIterable, Generator, jsonLines, Linear, LogSoftMax,
  prefetch, pull, resume, ReLU, Sequential, SGD, shuffle, Tensor, train, type Batch, type TrainEvent,
} from '@eole/core';
import { tempDir } from '@eole/core/testing';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('batch stacks fields; shuffle draws a new order every epoch', async (t) => {
  const samples = Array.from({ length: 10 }, (_, i) => ({ x: Float32Array.of(i, -i), y: i }));
  const batches = await lastValueFrom(fromArray(samples).pipe(batch(4), toArray()));
  t.deepEqual(batches.map((b) => b.x.shape), [[4, 2], [4, 2], [2, 2]]);
  t.deepEqual(batches[2]!.y.toArray(), [8, 9]);
  const rng = new Generator(1);
  const epoch = fromArray([0, 1, 2, 3, 4, 5, 6, 7]).pipe(shuffle(rng), toArray());
  const a = await lastValueFrom(epoch);
  const b = await lastValueFrom(epoch);
  t.deepEqual([...a].sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
  t.notDeepEqual(a, b);
  await t.throwsAsync(lastValueFrom(fromArray([{ x: Float32Array.of(1) }, { x: Float32Array.of(1, 2) }]).pipe(batch(2))), {
    message: /batch: sample 1 field 'x' has shape \[2\], expected \[1\]/,
  });
});

test('backpressure: a fast producer stays within k batches of a slow consumer', async (t) => {
  let produced = 0;
  const source = fromIterable(function* () {
    for (let i = 0; i < 200; i++) {
      produced++;
      yield { x: Float32Array.of(i), y: i };
    }
  });
  const k = 3;
  const size = 5;
  let consumed = 0;
  let worst = 0;
  for await (const b of pull(source.pipe(batch(size), prefetch(k)))) {
    consumed += b.y.size;
    await sleep(5);
    worst = Math.max(worst, produced - consumed);
  }
  t.is(consumed, 200);
  t.true(worst <= (k + 1) * size, `the producer ran ${worst} samples ahead (bound ${(k + 1) * size})`);
  t.true(worst >= k * size - size, 'and it does read ahead');
});

test('cancellation: unsubscribing stops the producer', async (t) => {
  let produced = 0;
  const source = fromIterable(function* () {
    for (let i = 0; i < 1e6; i++) {
      produced++;
      yield i;
    }
  });
  const got = await firstValueFrom(source.pipe(prefetch(2), take(5), toArray()));
  t.deepEqual(got, [0, 1, 2, 3, 4]);
  const at = produced;
  await sleep(30);
  t.true(produced <= at + 1, `the producer went on: ${at} -> ${produced}`);
  t.true(produced < 20);
});

function mnistLike(n: number, seed: number): { x: Float32Array; y: number }[] {
  const rng = new Generator(seed);
  return Array.from({ length: n }, () => {
    const y = rng.int(3);
    const x = new Float32Array(8).map((_, j) => (j % 3 === y ? 1 : 0) + rng.normal(0, 0.3));
    return { x, y };
  });
}

interface Run {
  net: Sequential;
  events: TrainEvent[];
}

function setup(seed: number) {
  const rng = new Generator(seed);
  const dropRng = new Generator(seed + 1);
  const shuffleRng = new Generator(seed + 2);
  const net = new Sequential(new Linear(8, 16, { rng }), new ReLU(), new Dropout(0.2, { rng: dropRng }), new Linear(16, 3, { rng }), new LogSoftMax());
  const optimizer = new SGD(net.parameters(), { lr: 0.1, momentum: 0.9 });
  const scheduler = new CosineAnnealingLR(optimizer, { tMax: 4 });
  const samples = mnistLike(64, 9);
  const data = fromArray(samples).pipe(shuffle(shuffleRng), batch(8), prefetch(2)) as unknown as import('rxjs').Observable<Batch>;
  const validation = fromArray(mnistLike(30, 10)).pipe(batch(10)) as unknown as import('rxjs').Observable<Batch>;
  return { net, optimizer, scheduler, data, validation, rngs: { drop: dropRng, shuffle: shuffleRng }, criterion: new ClassNLLCriterion() };
}

async function runTraining(seed: number, epochs: number, dir?: string, startEpoch?: number): Promise<Run> {
  const s = setup(seed);
  let start = startEpoch;
  if (dir && startEpoch === undefined) start = resume(dir, { model: s.net, optimizer: s.optimizer, scheduler: s.scheduler, rngs: s.rngs });
  let events$ = train({ model: s.net, criterion: s.criterion, optimizer: s.optimizer, scheduler: s.scheduler, data: s.data, validation: s.validation, epochs, rngs: s.rngs, startEpoch: start ?? 1 });
  if (dir) events$ = events$.pipe(checkpoint(dir));
  const events = await lastValueFrom(events$.pipe(toArray()));
  return { net: s.net, events };
}

test('train emits typed events and learns', async (t) => {
  const { events } = await runTraining(1, 4);
  t.is(events[0]!.type, 'start');
  t.is(events.at(-1)!.type, 'done');
  const epochs = events.filter((e) => e.type === 'epoch');
  t.is(epochs.length, 4);
  const steps = events.filter((e) => e.type === 'step');
  t.is(steps.length, 32);
  const last = events.filter((e) => e.type === 'validation').at(-1);
  t.true(last?.type === 'validation' && (last.metrics.accuracy ?? 0) > 0.9, JSON.stringify(last));
  const s = steps[0]!;
  t.true(s.type === 'step' && s.backend.length > 0 && s.samplesPerSec > 0);
});

test('resume: stop after epoch 1, resume, and the weights equal an uninterrupted run bit for bit', async (t) => {
  const full = await runTraining(3, 4);
  const dir = tempDir('stream');
  await runTraining(3, 1, dir);
  t.true(existsSync(join(dir, 'checkpoint.safetensors')));
  const resumed = await runTraining(3, 4, dir);
  t.is(resumed.events[0]!.type === 'start' && resumed.events[0]!.startEpoch, 2);
  const a = full.net.parameters().map((p) => Array.from(p.data));
  const b = resumed.net.parameters().map((p) => Array.from(p.data));
  t.deepEqual(b, a);
});

test("schedulerInterval 'step': the scheduler steps after every optimizer step, each step event keeps the lr it used", async (t) => {
  const s = setup(5);
  const scheduler = new CosineAnnealingLR(s.optimizer, { tMax: 16 });
  const events = await lastValueFrom(train({ model: s.net, criterion: s.criterion, optimizer: s.optimizer, scheduler, schedulerInterval: 'step', data: s.data, epochs: 2 }).pipe(toArray()));
  const steps = events.filter((e) => e.type === 'step');
  t.is(steps.length, 16);
  steps.forEach((e, k) => t.true(e.type === 'step' && Math.abs(e.lr - 0.1 * (1 + Math.cos((Math.PI * k) / 16)) / 2) < 1e-12, `step ${k}: ${JSON.stringify(e)}`));
  const epochs = events.filter((e) => e.type === 'epoch');
  t.deepEqual(epochs.map((e) => e.type === 'epoch' && e.lr), [steps[7]!.type === 'step' && steps[7]!.lr, steps[15]!.type === 'step' && steps[15]!.lr]);
  t.is(scheduler.lastEpoch, 16);
  t.true(Math.abs(s.optimizer.lr) < 1e-12, `lr after tMax steps: ${s.optimizer.lr}`);
});

test("schedulerInterval: anything but 'epoch' or 'step' is refused, naming the option", (t) => {
  const s = setup(5);
  t.throws(() => train({ model: s.net, criterion: s.criterion, optimizer: s.optimizer, scheduler: s.scheduler, schedulerInterval: 'batch' as 'step', data: s.data, epochs: 1 }), { message: /schedulerInterval must be 'epoch' or 'step', got batch/ });
});

test('a NaN loss ends the stream with an error naming the epoch, step and tensor', async (t) => {
  const s = setup(4);
  const poisoned = setup(4);
  poisoned.net.parameters()[3]!.data[1] = Number.NaN; // the output layer's bias
  await t.throwsAsync(lastValueFrom(train({ model: poisoned.net, criterion: poisoned.criterion, optimizer: poisoned.optimizer, data: poisoned.data, epochs: 1 })), {
    message: /^train: epoch 1, step 1: the loss is (NaN|Infinity|-Infinity) \(tensor 'loss' from nn\.ClassNLLCriterion\)/,
  });
  // A NaN input dies in the ReLU (NaN > 0 is false) but poisons the weight gradient: named too.
  const nan = fromArray([{ x: new Float32Array(8).fill(Number.NaN), y: 0 }]).pipe(batch(1)) as unknown as import('rxjs').Observable<Batch>;
  await t.throwsAsync(lastValueFrom(train({ model: s.net, criterion: s.criterion, optimizer: s.optimizer, data: nan, epochs: 1 })), {
    message: /^train: epoch 1, step 1: the gradient of parameter '0\.weight' holds NaN or Infinity/,
  });
  const wrong = fromArray([{ x: new Float32Array(5), y: 0 }]).pipe(batch(1)) as unknown as import('rxjs').Observable<Batch>;
  await t.throwsAsync(lastValueFrom(train({ model: s.net, criterion: s.criterion, optimizer: s.optimizer, data: wrong, epochs: 1 })), {
    message: /^train: epoch 1, step 1: .*expected input \[8\] or \[batch, 8\], got \[1, 5\]/,
  });
});

test('unsubscribing from train stops within one step', async (t) => {
  const s = setup(5);
  let steps = 0;
  const stop = new Subject<void>();
  const sub = train({ model: s.net, criterion: s.criterion, optimizer: s.optimizer, data: s.data, epochs: 100 }).subscribe((e) => {
    if (e.type === 'step') steps++;
    if (steps === 3) stop.next();
  });
  stop.subscribe(() => sub.unsubscribe());
  while (steps < 3) await sleep(10);
  await sleep(100);
  t.is(steps, 3);
});

test('jsonLines logs every event; forward(net) maps batches in a pipeline', async (t) => {
  const dir = tempDir('stream');
  const s = setup(6);
  await lastValueFrom(train({ model: s.net, criterion: s.criterion, optimizer: s.optimizer, data: s.data, epochs: 1 }).pipe(jsonLines(join(dir, 'events.jsonl'))));
  const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
  t.deepEqual([lines[0]!.type, lines.at(-1)!.type], ['start', 'done']);
  const outs = await lastValueFrom(fromArray(mnistLike(6, 1)).pipe(batch(3), forward(s.net), map((b) => b.output.shape), toArray()));
  t.deepEqual(outs, [[3, 3], [3, 3]]);
  const single = await lastValueFrom(fromArray([Tensor.zeros([2, 8])]).pipe(forward(s.net), filter(() => true)));
  t.deepEqual([...single.shape], [2, 3]);
});
