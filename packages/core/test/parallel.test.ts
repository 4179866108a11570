import test from 'ava';
import { lastValueFrom } from 'rxjs';
import {
  DataParallelSGD, Downpour, EASGD, eamsgd, fromArray, Generator, Linear, LocalCenter, MSECriterion, ParameterVector, Sequential, SGD, Tanh, Tensor, train,
  type Batch, type CenterStore, type ParallelWorker,
} from '@eole/core';
import { firstBitDifference } from '@eole/core/testing';

const net = (seed = 1): Sequential => new Sequential(new Linear(6, 8, { rng: new Generator(seed) }), new Tanh(), new Linear(8, 3, { rng: new Generator(seed + 10) }));

function batches(count: number, size: number, seed: number): Batch[] {
  const rng = new Generator(seed);
  return Array.from({ length: count }, () => {
    const x = Tensor.from(Array.from({ length: size * 6 }, () => rng.uniform() * 2 - 1), [size, 6]);
    const y = Tensor.from(Array.from({ length: size * 3 }, () => rng.uniform() * 2 - 1), [size, 3]);
    return { x, y };
  });
}

async function fit(model: Sequential, data: Batch[], parallel?: ParallelWorker, optimizer = new SGD(model.parameters(), { lr: 0.1 }), epochs = 2): Promise<Float32Array> {
  await lastValueFrom(train({ model, criterion: new MSECriterion(), optimizer, data: fromArray(data), epochs, ...(parallel ? { parallel } : {}) }));
  return new ParameterVector(model.parameters()).gather();
}

const sizeOf = (m: Sequential): number => new ParameterVector(m.parameters()).size;

test('EASGD with one worker and α = 0 equals plain SGD bit for bit (asynchronous and synchronous)', async (t) => {
  const data = batches(12, 4, 1);
  const plain = await fit(net(), data);
  for (const synchronous of [false, true]) {
    const m = net();
    const worker = new EASGD(m.parameters(), new LocalCenter(sizeOf(m)), { rank: 0, workers: 1, alpha: 0, tau: 3, synchronous });
    const got = await fit(m, data, worker);
    t.is(firstBitDifference(got, plain), -1, `synchronous ${synchronous}`);
    t.is(worker.exchanges, 8, '24 steps, τ 3');
  }
});

test('DataParallelSGD with one worker equals plain SGD bit for bit', async (t) => {
  const data = batches(10, 4, 2);
  const plain = await fit(net(), data);
  const m = net();
  t.is(firstBitDifference(await fit(m, data, new DataParallelSGD(m.parameters(), new LocalCenter(sizeOf(m)), { rank: 0, workers: 1 })), plain), -1);
});

test('DataParallelSGD: two workers on half batches equal SGD on the combined batch (float tolerance), and stay identical', async (t) => {
  const data = batches(10, 8, 3);
  const combined = await fit(net(), data, undefined, undefined, 3);
  const half = (k: number): Batch[] => data.map((b) => ({ x: b.x.narrow(0, 4 * k, 4).clone(), y: b.y.narrow(0, 4 * k, 4).clone() }));
  const store = new LocalCenter(sizeOf(net()));
  const models = [net(), net(7)];
  const got = await Promise.all(models.map((m, k) => fit(m, half(k), new DataParallelSGD(m.parameters(), store, { rank: k, workers: 2 }), undefined, 3)));
  t.is(firstBitDifference(got[0]!, got[1]!), -1, 'the replicas are bit-identical (rank 1 started from rank 0 weights)');
  const worst = Math.max(...Array.from(combined, (v, i) => Math.abs(v - got[0]![i]!)));
  t.true(worst < 1e-5, `largest difference ${worst}`);
  t.true(Math.max(...Array.from(combined, (v, i) => Math.abs(v - new ParameterVector(net().parameters()).gather()[i]!))) > 1e-3, 'training moved the weights');
});

test('asynchronous EASGD: two workers pull toward the centre, which ends between them; α = β/p; one exchange every τ steps', async (t) => {
  const store = new LocalCenter(sizeOf(net()));
  const models = [net(1), net(2)];
  const workers = models.map((m, k) => new EASGD(m.parameters(), store, { rank: k, workers: 2, tau: 2 }));
  t.is(workers[0]!.alpha, 0.45);
  const finals = await Promise.all(models.map((m, k) => fit(m, batches(8, 4, 10 + k), workers[k]!)));
  const center = new Float32Array(store.size);
  await store.read(center);
  const spread = (a: Float32Array, b: Float32Array): number => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));
  t.true(spread(finals[0]!, center) < spread(finals[0]!, finals[1]!), 'the centre lies between the workers');
  t.is(workers[1]!.exchanges, 8);
});

test('synchronous EASGD: one round by hand, x̃ ← x̃ + αΣ(xⁱ − x̃), xⁱ ← xⁱ − α(xⁱ − x̃)', async (t) => {
  const store = new LocalCenter(3);
  const params = [Tensor.from([1, 2, 3]), Tensor.from([5, 5, 5])];
  await store.write(Float32Array.of(0, 0, 0));
  const workers = params.map((p, k) => new EASGD([p], store, { rank: k, workers: 2, tau: 1, alpha: 0.25, synchronous: true }));
  await Promise.all(workers.map((w) => w.start()));
  params[0]!.data.set([4, 0, -4]);
  params[1]!.data.set([0, 8, 4]);
  await Promise.all(workers.map((w) => w.afterStep()));
  t.deepEqual(Array.from(params[0]!.data), [3, 0, -3]);
  t.deepEqual(Array.from(params[1]!.data), [0, 6, 3]);
  const c = new Float32Array(3);
  await store.read(c);
  t.deepEqual(Array.from(c), [1, 2, 0]);
});

test("Downpour: the centre gathers every worker's update, and a worker fetches it", async (t) => {
  const store = new LocalCenter(2);
  const a = Tensor.from([1, 1]);
  const b = Tensor.from([9, 9]);
  const wa = new Downpour([a], store, { rank: 0, workers: 2, tau: 1 });
  const wb = new Downpour([b], store, { rank: 1, workers: 2, tau: 1 });
  await wa.start();
  await wb.start();
  t.deepEqual(Array.from(b.data), [1, 1], 'b starts at the centre a created');
  a.data.set([2, 3]);
  await wa.afterStep();
  b.data.set([0, 1]);
  await wb.afterStep();
  t.deepEqual(Array.from(b.data), [1, 3], 'x̃ = 1 + (1, 2) + (−1, 0)');
  t.deepEqual(Array.from(a.data), [2, 3], 'a fetched after its own push');
});

test('eamsgd: Nesterov SGD with momentum δ locally, EASGD between workers; with α = 0 it is Nesterov SGD', async (t) => {
  const data = batches(6, 4, 4);
  const ref = net();
  const plain = await fit(ref, data, undefined, new SGD(ref.parameters(), { lr: 0.05, momentum: 0.9, nesterov: true }));
  const m = net();
  const { optimizer, parallel } = eamsgd(m.parameters(), new LocalCenter(sizeOf(m)), { rank: 0, workers: 1, alpha: 0, lr: 0.05, delta: 0.9 });
  t.is(parallel.algorithm, 'eamsgd');
  t.is(firstBitDifference(await fit(m, data, parallel, optimizer), plain), -1);
});

test('parallel workers refuse a rank out of range, a bad τ and a store of another size, naming the value', (t) => {
  const m = net();
  const store: CenterStore = new LocalCenter(sizeOf(m));
  t.throws(() => new EASGD(m.parameters(), store, { rank: 2, workers: 2 }), { message: /EASGD: rank must be an integer in \[0, 1\], got 2/ });
  t.throws(() => new Downpour(m.parameters(), store, { rank: 0, workers: 1, tau: 0 }), { message: /tau must be an integer >= 1/ });
  t.throws(() => new DataParallelSGD(m.parameters(), new LocalCenter(5), { rank: 0, workers: 1 }), { message: /parameters hold 83 values, the store's centre 5/ });
  t.throws(() => new EASGD(m.parameters(), store, { rank: 0, workers: 2, alpha: 0.9, synchronous: true }), { message: /p·α <= 1/ });
});
