import test from 'ava';
import { join } from 'node:path';
import { Generator, kernels, loadModule, noGrad, saveModule, SGD, ShapeError, Tensor } from '@eole/core';
import { checkGrad, tempDir } from '@eole/core/testing';
import { SkipGramSampler, Word2Vec } from '@eole/rnn-memory';

const tokens = 'a b a c a b d a b c e e a'.split(' ');

test('SkipGramSampler: vocabulary above minCount, counts, subsampling keep probabilities', (t) => {
  const s = new SkipGramSampler(tokens, { minCount: 2, subsample: 0.1, window: 1, negatives: 2 });
  t.deepEqual(s.vocab.words.slice(1), ['a', 'b', 'c', 'e']);
  t.deepEqual([...s.counts], [0, 5, 3, 2, 2]);
  t.deepEqual([...s.corpus].map((id) => (id < 0 ? '-' : s.vocab.word(id))).join(''), 'abacab-abceea');
  // f(a) = 5/12: kept with probability √(0.1 / (5/12)); f(e) = 2/12 → √(0.6).
  t.true(Math.abs(s.keepProbability(s.vocab.id('a')) - Math.sqrt(0.1 / (5 / 12))) < 1e-12);
  t.true(Math.abs(s.keepProbability(s.vocab.id('e')) - Math.sqrt(0.6)) < 1e-12);
  t.is(new SkipGramSampler(tokens, { minCount: 2, subsample: 0 }).keepProbability(1), 1);
  t.throws(() => new SkipGramSampler(tokens, { minCount: 9 }), { message: /no word occurs at least minCount = 9 times in 13 tokens/ });
  t.throws(() => new SkipGramSampler(tokens, { window: 0 }), { message: /window must be a positive integer, got 0/ });
});

test('SkipGramSampler: noise words follow count^0.75; pairs lie within the window; batches are [B, 2 + k]', (t) => {
  const s = new SkipGramSampler(tokens, { minCount: 2, subsample: 0, window: 2, negatives: 3 });
  const rng = new Generator(2);
  const draws = new Float64Array(s.vocab.size);
  const n = 40000;
  for (let i = 0; i < n; i++) draws[s.noise(rng)]!++;
  const z = [...s.counts].reduce((acc, c) => acc + c ** 0.75, 0);
  s.counts.forEach((c, id) => t.true(Math.abs(draws[id]! / n - c ** 0.75 / z) < 0.01, `word ${id}: ${draws[id]! / n} vs ${c ** 0.75 / z}`));
  t.is(draws[0], 0, 'NIL is never drawn');
  // Without subsampling the kept corpus is 'abacababceea' (d dropped): every pair is at distance ≤ 2 in it.
  const kept = [...s.corpus].filter((id) => id > 0);
  const pairs = s.pairs(new Generator(3));
  t.true(pairs.length > 0 && pairs.length % 2 === 0);
  const near = new Set<string>();
  kept.forEach((a, i) => kept.forEach((b, j) => i !== j && Math.abs(i - j) <= 2 && near.add(`${a},${b}`)));
  for (let p = 0; p < pairs.length; p += 2) t.true(near.has(`${pairs[p]},${pairs[p + 1]}`), `pair ${pairs[p]},${pairs[p + 1]}`);
  const batches = [...s.batches(8, new Generator(4))];
  t.deepEqual([...batches[0]!.shape], [8, 5]);
  t.true(batches.every((b) => b.data.every((id) => id >= 1 && id < s.vocab.size)));
});

test('Word2Vec: gradcheck of both tables; the loss is −log σ(s₀) − Σ log σ(−s_j); shapes are checked', (t) => {
  const net = new Word2Vec(6, 3, { rng: new Generator(5) });
  t.deepEqual([...net.stateDict().keys()], ['input.weight', 'output.weight']);
  t.true(net.outputVectors.weight.data.every((v) => v === 0), 'output vectors start at zero, as in word2vec');
  t.true(net.inputVectors.weight.data.every((v) => Math.abs(v) <= 0.5 / 3), 'input vectors start in ±0.5/d');
  for (const p of net.parameters()) p.data.forEach((_, i) => (p.data[i] = Math.sin(7.3 * i + p.size) * 0.8));
  const ids = Tensor.from([1, 2, 3, 4, 2, 5, 1, 1], [2, 4]);
  checkGrad(t, 'Word2Vec.loss', () => Word2Vec.loss(net.forward(ids)).reshape([1]), net.parameters());
  const scores = noGrad(() => net.forward(ids));
  t.deepEqual([...scores.shape], [2, 3]);
  const sig = (v: number): number => 1 / (1 + Math.exp(-v));
  const s = scores.data;
  const want = -(Math.log(sig(s[0]!)) + Math.log(sig(-s[1]!)) + Math.log(sig(-s[2]!)) + Math.log(sig(s[3]!)) + Math.log(sig(-s[4]!)) + Math.log(sig(-s[5]!))) / 2;
  t.true(Math.abs(noGrad(() => Word2Vec.loss(scores)).item() - want) < 1e-5);
  t.throws(() => net.forward(Tensor.from([1, 2, 3])), { instanceOf: ShapeError, message: /expected ids \[B, 2 \+ negatives\]/ });
  t.throws(() => net.forward(Tensor.from([1, 9], [1, 2])), { message: /id 9 at position 0 is out of range for nIndex 6/ });
  t.throws(() => net.nearest(6), { message: /id 6 is out of range \[0, 6\)/ });
});

test('Word2Vec: save/load round trip keeps the vectors and the neighbours', (t) => {
  const a = new Word2Vec(20, 4, { rng: new Generator(6) });
  a.outputVectors.weight.data.forEach((_, i) => (a.outputVectors.weight.data[i] = Math.cos(i)));
  const path = join(tempDir('w2v'), 'w2v.safetensors');
  saveModule(path, a);
  const b = new Word2Vec(20, 4, { rng: new Generator(7) });
  loadModule(path, b);
  const ids = Tensor.from([3, 4, 5, 6], [1, 4]);
  t.deepEqual([...noGrad(() => b.forward(ids)).data], [...noGrad(() => a.forward(ids)).data]);
  t.deepEqual(b.nearest(3, 5), a.nearest(3, 5));
  t.false(a.nearest(3, 19).some((n) => n.id === 3 || n.id === 0), 'neither the word itself nor NIL is a neighbour');
});

/** Sentences where the words of a pair share every context: (cat, dog), (car, bus), (apple, bread). */
function corpus(rng: Generator, sentences: number): string[] {
  const groups: [string[], string[]][] = [
    [['cat', 'dog'], ['my X sleeps on the mat', 'the X chases the mouse', 'a hungry X wants milk']],
    [['car', 'bus'], ['i drive the X to work', 'the X needs more fuel', 'a red X stops at lights']],
    [['apple', 'bread'], ['she eats an X for lunch', 'the X tastes sweet today', 'buy X at the market']],
  ];
  const out: string[] = [];
  for (let i = 0; i < sentences; i++) {
    const [pair, templates] = groups[rng.int(groups.length)]!;
    out.push(...templates[rng.int(templates.length)]!.replace('X', pair[rng.int(2)]!).split(' '));
  }
  return out;
}

test('Word2Vec on a synthetic corpus: words that share their contexts become nearest neighbours', (t) => {
  const rng = new Generator(8);
  const sampler = new SkipGramSampler(corpus(rng, 1500), { window: 3, negatives: 5, minCount: 1, subsample: 0 });
  const net = new Word2Vec(sampler.vocab.size, 16, { rng: new Generator(9) });
  const optimizer = new SGD(net.parameters(), { lr: 0.02 });
  for (let epoch = 0; epoch < 4; epoch++) {
    for (const ids of sampler.batches(64, rng)) {
      optimizer.zeroGrad();
      Word2Vec.loss(net.forward(ids), false).backward();
      optimizer.step();
    }
  }
  const v = sampler.vocab;
  for (const [a, b] of [['cat', 'dog'], ['car', 'bus'], ['apple', 'bread']] as const) {
    const near = net.nearest(v.id(a), 3);
    t.log(`${a}: ${near.map((n) => `${v.word(n.id)} ${n.similarity.toFixed(2)}`).join(', ')}`);
    t.is(v.word(near[0]!.id), b, `nearest neighbour of ${a}`);
  }
});
