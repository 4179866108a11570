import test from 'ava';
import { Generator, Linear, Tensor } from '@eole/core';
import { close } from '@eole/core/testing';
import {
  BatchContrastiveCriterion, ContrastiveCriterion, gatherPairs, hardPairs, minePairs, PairwiseDistance, randomPairs, siameseBatch, type PairMining,
} from '@eole/metric';

const labels = Tensor.from([0, 1, 0, 2, 1, 2, 0, 1]);
const embeddings = (): Tensor => Tensor.randn([8, 3], new Generator(4));

test('minePairs: random pairs are randomPairs with the same generator; the embeddings are not computed', (t) => {
  let embedded = 0;
  const pairs = minePairs(labels, () => (embedded++, embeddings()), { mining: 'random', pairs: 16, positiveFraction: 0.25, rng: new Generator(3) });
  t.deepEqual(pairs, randomPairs(labels, 16, new Generator(3), { positiveFraction: 0.25 }));
  t.is(embedded, 0);
  t.deepEqual(minePairs(labels, embeddings, { mining: 'random', pairs: 16, rng: new Generator(3) }), randomPairs(labels, 16, new Generator(3)), 'half similar by default');
});

test('minePairs: hard pairs are hardPairs of the embeddings; mixed is the random pairs followed by the hard ones', (t) => {
  const hard = hardPairs(embeddings(), labels);
  t.deepEqual(minePairs(labels, embeddings, { mining: 'hard', pairs: 16, rng: new Generator(3) }), hard);
  const mixed = minePairs(labels, embeddings, { mining: 'mixed', pairs: 5, rng: new Generator(3) });
  const random = randomPairs(labels, 5, new Generator(3));
  t.deepEqual(Array.from(mixed.first), [...random.first, ...hard.first]);
  t.deepEqual(Array.from(mixed.second), [...random.second, ...hard.second]);
  t.deepEqual(Array.from(mixed.target), [...random.target, ...hard.target]);
});

test('minePairs: the embeddings are computed without the graph; bad options get a clear error', (t) => {
  const w = Tensor.randn([3, 3], new Generator(1)).requiresGrad_();
  let seen: Tensor | null = null;
  minePairs(labels, () => (seen = embeddings().matmul(w)), { mining: 'hard', pairs: 1, rng: new Generator(1) });
  t.false(seen!.requiresGrad);
  t.throws(() => minePairs(labels, embeddings, { mining: 'random', pairs: 0, rng: new Generator(1) }), { message: /minePairs: pairs/ });
  t.throws(() => minePairs(labels, embeddings, { mining: 'hardest' as PairMining['mining'], pairs: 4, rng: new Generator(1) }), { message: /mining must be 'random', 'hard' or 'mixed', got 'hardest'/ });
});

test('siameseBatch: the two members of every mined pair stacked as [2, P, ...], with their DrLIM targets', (t) => {
  const x = Tensor.randn([8, 5], new Generator(2));
  const net = new Linear(5, 3, { rng: new Generator(6) });
  for (const mining of ['random', 'hard', 'mixed'] as const) {
    const batch = siameseBatch({ x, y: labels }, net, { mining, pairs: 6, rng: new Generator(9) });
    const pairs = minePairs(labels, () => net.forward(x), { mining, pairs: 6, rng: new Generator(9) });
    const p = pairs.first.length;
    t.deepEqual(batch.x.shape, [2, p, 5], mining);
    t.is(batch.samples, p, 'the batch declares its P pairs as its samples');
    t.deepEqual(Array.from(batch.y.data), Array.from(pairs.target));
    t.false(batch.x.requiresGrad);
    for (let k = 0; k < p; k++) {
      t.deepEqual(Array.from(batch.x.data.subarray(k * 5, k * 5 + 5)), Array.from(x.data.subarray(pairs.first[k]! * 5, pairs.first[k]! * 5 + 5)));
      t.deepEqual(Array.from(batch.x.data.subarray((p + k) * 5, (p + k) * 5 + 5)), Array.from(x.data.subarray(pairs.second[k]! * 5, pairs.second[k]! * 5 + 5)));
    }
  }
});

test('BatchContrastiveCriterion: the contrastive loss of the mined pairs of one embedded batch, and its gradient', (t) => {
  for (const mining of ['random', 'hard', 'mixed'] as const) {
    const e = embeddings().requiresGrad_();
    const crit = new BatchContrastiveCriterion({ mining, pairs: 12, rng: new Generator(5) }, 1.5);
    const loss = crit.forward(e, labels);
    loss.backward();

    const ref = embeddings().requiresGrad_();
    const pairs = minePairs(labels, () => ref.detach(), { mining, pairs: 12, rng: new Generator(5) });
    const expected = new ContrastiveCriterion(1.5).forward(new PairwiseDistance().forward(gatherPairs(ref, pairs)), Tensor.from(pairs.target));
    expected.backward();
    close(t, [loss.item()], [expected.item()], 1e-6, `${mining}: loss`);
    close(t, e.grad!.data, ref.grad!.data, 1e-6, `${mining}: gradient`);
    t.true(e.grad!.data.some((v) => v !== 0));
  }
});

test('BatchContrastiveCriterion: Torch7 backward equals autograd; mining switched between calls is read; shape errors are clear', (t) => {
  const mining: PairMining = { mining: 'hard', pairs: 4, rng: new Generator(1) };
  const crit = new BatchContrastiveCriterion(mining);
  const e = embeddings();
  crit.forward(e, labels);
  const grad = crit.backward(e, labels);
  const leaf = e.detach().requiresGrad_();
  new BatchContrastiveCriterion({ mining: 'hard', pairs: 4, rng: new Generator(1) }).forward(leaf, labels).backward();
  t.deepEqual(Array.from(grad.data), Array.from(leaf.grad!.data));
  t.is(crit.toString(), 'nn.BatchContrastiveCriterion(margin=1, mining=hard)');
  mining.mining = 'random';
  t.is(crit.toString(), 'nn.BatchContrastiveCriterion(margin=1, mining=random)');
  t.throws(() => crit.forward(Tensor.zeros([8]), labels), { message: /expected embeddings \[B, D\] and labels \[B\], got \[8\] and \[8\]/ });
  t.throws(() => crit.forward(Tensor.zeros([4, 2]), labels), { message: /got \[4, 2\] and \[8\]/ });
});
