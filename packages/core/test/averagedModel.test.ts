import test from 'ava';
import { lastValueFrom } from 'rxjs';
import { AveragedModel, fromIterable, Generator, Linear, loadTrainState, MSECriterion, ReLU, saveTrainState, Sequential, SGD, Tensor, train, type Batch } from '@eole/core';
import { tempDir } from '@eole/core/testing';

const net = (seed: number): Sequential => new Sequential(new Linear(3, 4, { rng: new Generator(seed) }), new ReLU(), new Linear(4, 2, { rng: new Generator(seed + 100) }));
const weights = (m: Sequential): number[][] => [...m.stateDict().values()].map((t) => Array.from(t.data));
const setAll = (m: Sequential, v: number): void => {
  for (const t of m.stateDict().values()) t.data.fill(v);
};

test('AveragedModel: the running mean of every update (SWA), and the exponential moving average with a decay', (t) => {
  const model = net(1);
  const swa = new AveragedModel(model, net(2));
  const ema = new AveragedModel(model, net(3), { decay: 0.75 });
  t.deepEqual(weights(swa.average as Sequential), weights(model), 'built as a copy of the model');
  const seen = [2, 6, 1, 3];
  for (const v of seen) {
    setAll(model, v);
    swa.update();
    ema.update();
  }
  t.is(swa.count, 4);
  for (const w of weights(swa.average as Sequential).flat()) t.true(Math.abs(w - 3) < 1e-6, `mean of 2, 6, 1, 3 is 3, got ${w}`);
  // the first update copies (2); then 0.75·2 + 0.25·6 = 3, 0.75·3 + 0.25·1 = 2.5, 0.75·2.5 + 0.25·3 = 2.625
  for (const w of weights(ema.average as Sequential).flat()) t.true(Math.abs(w - 2.625) < 1e-6, `EMA 2.625, got ${w}`);
});

test('AveragedModel: with start, the updates before it only copy the model and the mean covers the rest', (t) => {
  const model = net(1);
  const swa = new AveragedModel(model, net(2), { start: 2 });
  for (const v of [9, 7, 2, 6, 1]) {
    setAll(model, v);
    swa.update();
  }
  t.is(swa.count, 5);
  for (const w of weights(swa.average as Sequential).flat()) t.true(Math.abs(w - 3) < 1e-6, `mean of 2, 6, 1 (9 and 7 before the start) is 3, got ${w}`);
  t.throws(() => new AveragedModel(model, net(3), { start: -1 }), { instanceOf: RangeError, message: /start must be a non-negative integer .*got -1/ });
});

test('AveragedModel: a module of another structure, the model itself or a bad decay are refused, naming what differs', (t) => {
  const model = net(1);
  t.throws(() => new AveragedModel(model, model), { message: /average must be a separate module/ });
  t.throws(() => new AveragedModel(model, new Sequential(new Linear(3, 4))), { message: /missing \["2\.weight","2\.bias"\]/ });
  t.throws(() => new AveragedModel(model, new Sequential(new Linear(3, 5), new ReLU(), new Linear(5, 2))), { message: /'0\.weight' is \[4, 3\] in model but \[5, 3\] in average/ });
  t.throws(() => new AveragedModel(model, net(2), { decay: 1 }), { message: /decay must be a number in \[0, 1\), got 1/ });
  t.throws(() => new AveragedModel(model, net(2)).loadStateDict({ count: -1 }), { message: /count must be a non-negative integer, got -1/ });
});

/** 8 epochs' worth of a fixed regression set, 4 batches an epoch. */
function batches(): () => Iterable<Batch> {
  const rng = new Generator(7);
  const data = Array.from({ length: 4 }, () => ({ x: Tensor.randn([5, 3], rng), y: Tensor.randn([5, 2], rng) }));
  return () => data;
}

async function run(model: Sequential, average: AveragedModel, optimizer: SGD, epochs: number, startEpoch = 1): Promise<void> {
  await lastValueFrom(train({ model, criterion: new MSECriterion(), optimizer, data: () => fromIterable(batches()()), epochs, startEpoch, average }));
}

test('AveragedModel: train() updates it after every step; a checkpoint keeps it and a resumed run ends bit for bit where an unbroken one does', async (t) => {
  const whole = net(1);
  const wholeAverage = new AveragedModel(whole, net(1), { decay: 0.9 });
  await run(whole, wholeAverage, new SGD(whole.parameters(), { lr: 0.05, momentum: 0.9 }), 4);
  t.is(wholeAverage.count, 16, 'one update per step: 4 epochs of 4 batches');
  t.notDeepEqual(weights(wholeAverage.average as Sequential), weights(whole), 'the average lags the weights');

  const first = net(1);
  const firstAverage = new AveragedModel(first, net(1), { decay: 0.9 });
  const firstOpt = new SGD(first.parameters(), { lr: 0.05, momentum: 0.9 });
  await run(first, firstAverage, firstOpt, 2);
  const dir = tempDir('eole-average-');
  saveTrainState(dir, { model: first, optimizer: firstOpt, average: firstAverage }, 2);

  const resumed = net(5);
  const resumedAverage = new AveragedModel(resumed, net(6), { decay: 0.9 });
  const resumedOpt = new SGD(resumed.parameters(), { lr: 0.05, momentum: 0.9 });
  t.is(loadTrainState(dir, { model: resumed, optimizer: resumedOpt, average: resumedAverage }), 2);
  t.is(resumedAverage.count, 8);
  t.deepEqual(weights(resumedAverage.average as Sequential), weights(firstAverage.average as Sequential));
  await run(resumed, resumedAverage, resumedOpt, 4, 3);
  t.deepEqual(weights(resumed), weights(whole));
  t.deepEqual(weights(resumedAverage.average as Sequential), weights(wholeAverage.average as Sequential));

  // a checkpoint written without an average restarts it from the restored model
  saveTrainState(dir, { model: first, optimizer: firstOpt }, 2);
  const fresh = new AveragedModel(resumed, net(9), { decay: 0.9 });
  loadTrainState(dir, { model: resumed, optimizer: resumedOpt, average: fresh });
  t.is(fresh.count, 0);
  t.deepEqual(weights(fresh.average as Sequential), weights(first));
});
