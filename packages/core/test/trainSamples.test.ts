import test from 'ava';
import { lastValueFrom, toArray } from 'rxjs';
import { evaluate, fromArray, Generator, Linear, Module, MSECriterion, samplesOf, SGD, Tensor, train, type Batch, type EpochEvent, type StepEvent } from '@eole/core';

/** A shared Linear over stacked branches x [B, N, D] → [B·N, 1], as a Siamese net sees its pairs. */
class Branches extends Module {
  readonly linear: Linear;
  constructor(rng: Generator) {
    super();
    this.linear = this.registerModule('linear', new Linear(3, 1, { rng }));
  }
  protected updateOutput(x: Tensor): Tensor {
    const [b, n, d] = x.shape as [number, number, number];
    return this.linear.forward(x.reshape([b * n, d]));
  }
}

/** Three batches of P pairs stacked as x [2, P, 3], with or without a declared sample count. */
function pairBatches(sizes: number[], declare: boolean): Batch[] {
  const rng = new Generator(5);
  return sizes.map((p) => ({ x: Tensor.randn([2, p, 3], rng), y: Tensor.randn([2 * p, 1], rng), ...(declare ? { samples: p } : {}) }));
}

async function run(batches: Batch[]): Promise<{ steps: StepEvent[]; epochs: EpochEvent[] }> {
  const rng = new Generator(1);
  const model = new Branches(rng);
  const events = await lastValueFrom(
    train({ model, criterion: new MSECriterion(), optimizer: new SGD(model.parameters(), { lr: 0.01 }), data: fromArray(batches), epochs: 2 }).pipe(toArray()),
  );
  return { steps: events.filter((e): e is StepEvent => e.type === 'step'), epochs: events.filter((e): e is EpochEvent => e.type === 'epoch') };
}

test("train counts a batch's declared samples in its step and epoch events", async (t) => {
  const { steps, epochs } = await run(pairBatches([8, 5, 8], true));
  t.deepEqual(steps.map((s) => s.samples), [8, 5, 8, 8, 5, 8]);
  t.deepEqual(epochs.map((e) => e.samples), [21, 21]);
  for (const s of steps) t.true(Number.isFinite(s.samplesPerSec) && s.samplesPerSec > 0);
});

test('without a declared count a batch is x.shape[0] samples, as before', async (t) => {
  const { steps, epochs } = await run(pairBatches([8, 5, 8], false));
  t.deepEqual(steps.map((s) => s.samples), [2, 2, 2, 2, 2, 2]);
  t.deepEqual(epochs.map((e) => e.samples), [6, 6]);
  t.is(samplesOf({ x: Tensor.zeros([7, 2]), y: Tensor.zeros([7]) }), 7);
  t.is(samplesOf({ x: Tensor.zeros([]), y: Tensor.zeros([1]) }), 1);
});

test('evaluate weights each batch by its declared samples and reports their sum', async (t) => {
  const rng = new Generator(2);
  const model = new Branches(rng);
  const batches = pairBatches([6, 2], true);
  const [validation] = await lastValueFrom(evaluate({ model, criterion: new MSECriterion(), data: fromArray(batches) }).pipe(toArray()));
  t.true(validation?.type === 'validation');
  if (validation?.type !== 'validation') return;
  t.is(validation.metrics.samples, 8);
  const crit = new MSECriterion();
  model.evaluate();
  const losses = batches.map((b) => crit.forward(model.forward(b.x), b.y).item());
  t.true(Math.abs(validation.metrics.loss - (6 * losses[0]! + 2 * losses[1]!) / 8) < 1e-6);
});

test('a declared count that is not a non-negative integer ends training with an error naming the step', async (t) => {
  for (const samples of [-1, 2.5, Number.NaN]) {
    const batches = pairBatches([4], true).map((b) => ({ ...b, samples }));
    await t.throwsAsync(run(batches), { message: new RegExp(`train: epoch 1, step 1: batch\\.samples must be a non-negative integer \\(the samples in the batch\\), got ${String(samples)}`) });
  }
});
