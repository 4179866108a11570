import test from 'ava';
import { Generator, ShapeError, Tensor } from '@eole/core';
import { distanceMatrix, gatherPairs, gatherTriplets, hardNegativeTriplets, hardPairs, randomPairs, randomTriplets } from '@eole/metric';
import { maxRelErr } from '@eole/core/testing';

const labels = Int32Array.from({ length: 40 }, (_, i) => (i * 7) % 5); // 5 classes of 8

test('randomPairs: similar pairs share a label, dissimilar ones do not, in the asked fraction', (t) => {
  const pairs = randomPairs(labels, 200, new Generator(1), { positiveFraction: 0.3 });
  t.is(pairs.first.length, 200);
  let similar = 0;
  for (let i = 0; i < 200; i++) {
    const a = pairs.first[i]!;
    const b = pairs.second[i]!;
    t.true(a >= 0 && a < 40 && b >= 0 && b < 40);
    t.not(a, b, 'never an item with itself');
    t.is(pairs.target[i], labels[a] === labels[b] ? 0 : 1, `pair ${i}`);
    if (pairs.target[i] === 0) similar++;
  }
  t.is(similar, 60);
  t.true(pairs.target.subarray(0, 100).includes(0) && pairs.target.subarray(100).includes(0), 'similar pairs are spread over the order');
  t.is(randomPairs(labels, 10, new Generator(2)).target.reduce((s, v) => s + v, 0), 5, 'default: half dissimilar');
  t.true(randomPairs(labels, 10, new Generator(2), { positiveFraction: 1 }).target.every((v) => v === 0));
  t.true(randomPairs(labels, 10, new Generator(2), { positiveFraction: 0 }).target.every((v) => v === 1));
});

test('randomPairs and randomTriplets are deterministic for a seed and cover the items', (t) => {
  const a = randomPairs(labels, 500, new Generator(7));
  const b = randomPairs(Float32Array.from(labels), 500, new Generator(7));
  t.deepEqual(a, b);
  t.notDeepEqual(a, randomPairs(labels, 500, new Generator(8)));
  t.is(new Set(a.first).size, 40, 'every item anchors some pair');
  const ta = randomTriplets(labels, 300, new Generator(3));
  t.deepEqual(ta, randomTriplets(Tensor.from(labels), 300, new Generator(3)));
  for (let i = 0; i < 300; i++) {
    t.is(labels[ta.positive[i]!], labels[ta.anchor[i]!]);
    t.not(ta.positive[i], ta.anchor[i]);
    t.not(labels[ta.negative[i]!], labels[ta.anchor[i]!]);
  }
  t.is(new Set(ta.negative).size, 40);
});

test('mining refuses what cannot be mined, with a clear error', (t) => {
  const rng = new Generator(1);
  t.throws(() => randomPairs([0, 1, 2, 3], 4, rng), { instanceOf: RangeError, message: /randomPairs: a similar pair needs a class with at least 2 members, but every class has one \(label counts \{0: 1, 1: 1, 2: 1, 3: 1\}\)/ });
  t.notThrows(() => randomPairs([0, 1, 2, 3], 4, rng, { positiveFraction: 0 }));
  t.throws(() => randomPairs([3, 3, 3], 4, rng), { message: /a dissimilar pair needs at least 2 classes, but all 3 labels are 3/ });
  t.throws(() => randomTriplets([0, 1, 2], 4, rng), { message: /randomTriplets: a triplet needs a class with at least 2 members/ });
  t.throws(() => randomTriplets([5, 5], 4, rng), { message: /randomTriplets: a triplet needs at least 2 classes/ });
  t.throws(() => randomPairs(labels, 0, rng), { message: /count must be an integer >= 1, got 0/ });
  t.throws(() => randomPairs(labels, 4, rng, { positiveFraction: 1.5 }), { message: /positiveFraction must be in \[0, 1\], got 1.5/ });
  t.throws(() => randomPairs(5 as never, 4, rng), { instanceOf: TypeError, message: /labels must be an array of numbers or a 1-D Tensor, got number/ });
  t.throws(() => randomPairs([0, NaN], 4, rng), { message: /labels must be finite numbers, got NaN at position 1/ });
  const e = Tensor.zeros([5, 2]);
  t.throws(() => hardPairs(e, [0, 0, 1, 1]), { instanceOf: ShapeError, message: /hardPairs: embeddings must be \[N, D\] with N = 4 \(one row per label\), got \[5, 2\]/ });
  t.throws(() => hardNegativeTriplets(e, [0, 1, 2, 3, 4], rng), { message: /a triplet needs a class with at least 2 members/ });
});

/** Points of 3 classes in the plane with known distances. */
function toySet(rng: Generator, n = 24): { e: Tensor; y: Int32Array } {
  const y = Int32Array.from({ length: n }, (_, i) => i % 3);
  const e = Tensor.randn([n, 2], rng);
  for (let i = 0; i < n; i++) e.data[2 * i] = e.data[2 * i]! + 2 * y[i]!;
  return { e, y };
}

function brute(e: Tensor): (i: number, j: number) => number {
  const d = e.shape[1]!;
  return (i, j) => Math.hypot(...Array.from({ length: d }, (_, k) => e.data[i * d + k]! - e.data[j * d + k]!));
}

test('hardPairs takes the farthest positive and the closest negative of every anchor', (t) => {
  const { e, y } = toySet(new Generator(11));
  const d = brute(e);
  const pairs = hardPairs(e, y);
  t.is(pairs.first.length, 48, 'one positive and one negative pair per anchor');
  for (let k = 0; k < pairs.first.length; k++) {
    const a = pairs.first[k]!;
    const b = pairs.second[k]!;
    const same = pairs.target[k] === 0;
    t.is(y[a] === y[b], same);
    for (let j = 0; j < 24; j++) {
      if (j === a || (y[j] === y[a]) !== same) continue;
      if (same) t.true(d(a, b) >= d(a, j) - 1e-5, `positive ${b} of ${a} is the farthest`);
      else t.true(d(a, b) <= d(a, j) + 1e-5, `negative ${b} of ${a} is the closest`);
    }
  }
  t.deepEqual(hardPairs(e, [0, 0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 9]).target.filter((v) => v === 1).length, 24, 'singletons still give a negative pair');
});

test('hardNegativeTriplets: semi-hard negatives lie in (d(a,p), d(a,p) + margin), else the hardest; batch-hard', (t) => {
  const rng = new Generator(12);
  const { e, y } = toySet(rng);
  const d = brute(e);
  const margin = 0.5;
  const semi = hardNegativeTriplets(e, y, new Generator(5), { margin });
  t.is(semi.anchor.length, 24 * 7, 'every anchor-positive pair (3 classes of 8)');
  let semiHardCount = 0;
  for (let k = 0; k < semi.anchor.length; k++) {
    const [a, p, n] = [semi.anchor[k]!, semi.positive[k]!, semi.negative[k]!];
    t.true(y[a] === y[p] && a !== p && y[n] !== y[a]);
    const dp = d(a, p);
    const negatives = Array.from({ length: 24 }, (_, j) => j).filter((j) => y[j] !== y[a]);
    const window = negatives.filter((j) => d(a, j) > dp + 1e-5 && d(a, j) < dp + margin - 1e-5);
    if (d(a, n) > dp && d(a, n) < dp + margin) semiHardCount++;
    else {
      t.is(window.length, 0, `triplet ${k}: a semi-hard negative existed`);
      t.true(negatives.every((j) => d(a, n) <= d(a, j) + 1e-5), `triplet ${k}: the fallback is the hardest negative`);
    }
  }
  t.true(semiHardCount > 0);
  t.deepEqual(semi, hardNegativeTriplets(e, y, new Generator(5), { margin }), 'seeded');

  const hard = hardNegativeTriplets(e, y, new Generator(5), { semiHard: false });
  for (let k = 0; k < hard.anchor.length; k++) {
    const a = hard.anchor[k]!;
    for (let j = 0; j < 24; j++) if (y[j] !== y[a]) t.true(d(a, hard.negative[k]!) <= d(a, j) + 1e-5);
  }
  const batchHard = hardNegativeTriplets(e, y, new Generator(5), { batchHard: true });
  t.deepEqual(Array.from(batchHard.anchor), Array.from({ length: 24 }, (_, i) => i));
  const pairs = hardPairs(e, y);
  t.deepEqual(Array.from(batchHard.positive), Array.from(pairs.second.filter((_, k) => pairs.target[k] === 0)));
  t.deepEqual(Array.from(batchHard.negative), Array.from(pairs.second.filter((_, k) => pairs.target[k] === 1)));
});

test('gatherPairs / gatherTriplets stack the named rows as a Siamese takes them, with gradient', (t) => {
  const x = Tensor.randn([6, 2, 3], new Generator(1)).requiresGrad_();
  const pairs = { first: Int32Array.of(0, 5), second: Int32Array.of(2, 2), target: Float32Array.of(0, 1) };
  const g = gatherPairs(x, pairs);
  t.deepEqual([...g.shape], [2, 2, 2, 3]);
  t.true(maxRelErr(g.data.subarray(18, 24), x.data.subarray(12, 18)) === 0, 'out[1, 0] = x[2]');
  g.sum().backward();
  t.deepEqual(Array.from(x.grad!.data.filter((_, i) => i % 6 === 0)), [1, 0, 2, 0, 0, 1]);
  const tri = gatherTriplets(x, { anchor: Int32Array.of(1), positive: Int32Array.of(3), negative: Int32Array.of(4) });
  t.deepEqual([...tri.shape], [3, 1, 2, 3]);
  t.throws(() => gatherPairs(x, { first: Int32Array.of(0, 6), second: Int32Array.of(1, 1), target: Float32Array.of(0, 0) }), { message: /first\[1\] = 6 is out of range for x with 6 rows/ });
  t.throws(() => gatherTriplets(x, { anchor: Int32Array.of(1), positive: Int32Array.of(3, 2), negative: Int32Array.of(4) }), { message: /positive must be an Int32Array of length 1 like anchor, got Int32Array\(2\)/ });
  const dm = distanceMatrix(Tensor.from([0, 0, 3, 4], [2, 2]), Tensor.from([0, 0, 3, 4], [2, 2]));
  t.true(maxRelErr(dm.data, [0, 5, 5, 0]) < 1e-6);
});
