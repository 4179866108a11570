import test from 'ava';
import { Generator, ShapeError, Tensor } from '@eole/core';
import { rowsOf } from '@eole/core/testing';
import { distanceMatrix, knnAccuracy, NearestNeighbors, recallAtK, type Metric } from '@eole/metric';

/** Distances by their definition, in float64. */
function bruteDistance(metric: Metric, q: ArrayLike<number>, x: ArrayLike<number>): number {
  let dot = 0;
  let qq = 0;
  let xx = 0;
  let sq = 0;
  for (let k = 0; k < q.length; k++) {
    dot += q[k]! * x[k]!;
    qq += q[k]! ** 2;
    xx += x[k]! ** 2;
    sq += (q[k]! - x[k]!) ** 2;
  }
  return metric === 'l2' ? Math.sqrt(sq) : 1 - dot / Math.sqrt(qq * xx);
}

for (const metric of ['l2', 'cosine'] as const) {
  test(`NearestNeighbors(${metric}) agrees with a plain-JS brute force, also in small chunks`, (t) => {
    const rng = new Generator(metric === 'l2' ? 1 : 2);
    const x = Tensor.randn([300, 8], rng);
    const q = Tensor.randn([37, 8], rng);
    const k = 5;
    for (const chunkSize of [undefined, 4]) {
      const index = new NearestNeighbors(x, Int32Array.from({ length: 300 }, (_, i) => i % 10), { metric, ...(chunkSize ? { chunkSize } : {}) });
      const { indices, distances } = index.search(q, k);
      t.is(indices.length, 37 * k);
      rowsOf(q).forEach((qi, i) => {
        const all = rowsOf(x).map((xj, j) => ({ j, d: bruteDistance(metric, qi, xj) })).sort((a, b) => a.d - b.d);
        for (let r = 0; r < k; r++) {
          t.true(Math.abs(distances[i * k + r]! - all[r]!.d) < 1e-4, `query ${i} rank ${r}: ${distances[i * k + r]} vs ${all[r]!.d}`);
          // the index may swap two neighbours only when their distances agree to float32 rounding
          const got = indices[i * k + r]!;
          if (got !== all[r]!.j) t.true(Math.abs(bruteDistance(metric, qi, rowsOf(x)[got]!) - all[r]!.d) < 1e-4, `query ${i} rank ${r}: index ${got} vs ${all[r]!.j}`);
        }
        for (let r = 1; r < k; r++) t.true(distances[i * k + r]! >= distances[i * k + r - 1]!, 'nearest first');
      });
    }
    const dm = distanceMatrix(q, x, metric);
    t.deepEqual([...dm.shape], [37, 300]);
    t.true(Math.abs(dm.data[5 * 300 + 17]! - bruteDistance(metric, rowsOf(q)[5]!, rowsOf(x)[17]!)) < 1e-4);
  });
}

/** A toy set with a known answer: 4 tight clusters on a line, and one impostor. */
function toy(): { x: Tensor; y: number[] } {
  const points: number[][] = [];
  const y: number[] = [];
  for (let c = 0; c < 4; c++) {
    for (const o of [-0.1, 0, 0.1]) {
      points.push([10 * c + o, 1]);
      y.push(c);
    }
  }
  points.push([10.05, 1]); // an item of class 3 sitting inside cluster 1
  y.push(3);
  return { x: Tensor.from(points.flat(), [points.length, 2]), y };
}

test('recall@k and k-NN accuracy on a toy set with a known answer', (t) => {
  const { x, y } = toy();
  const index = new NearestNeighbors(x, y);
  t.deepEqual(Array.from(index.search(Tensor.from([0.02, 1], [1, 2]), 2).indices), [1, 2]);
  const queries = Tensor.from([0, 1, 10, 1, 20, 1, 30, 1, 10.06, 1], [5, 2]);
  const truth = [0, 1, 2, 3, 1];
  t.deepEqual(Array.from(index.classify(queries, 1)), [0, 1, 2, 3, 3], '1-NN: the last query lands on the impostor');
  t.deepEqual(Array.from(index.classify(queries, 3)), [0, 1, 2, 3, 1], '3-NN outvotes it');
  t.is(knnAccuracy(index, queries, truth, 1), 4 / 5);
  t.is(knnAccuracy(index, queries, truth, 3), 1);
  t.is(recallAtK(index, queries, truth, 1), 4 / 5);
  t.is(recallAtK(index, queries, truth, 2), 1);
  // leave-one-out over the index itself: 1-NN misses the impostor (10.05) and the two class-1 items
  // it sits closest to (10.0 and 10.1, 0.05 away); 9.9 still finds 10.0
  t.is(knnAccuracy(index, x, y, 1, { excludeSelf: true }), 10 / 13);
  t.is(recallAtK(index, x, y, 1, { excludeSelf: true }), 10 / 13);
  t.is(recallAtK(index, x, y, 2, { excludeSelf: true }), 12 / 13, 'only the impostor has no same-label item among its 2 nearest');
  t.is(recallAtK(index, x, y, 1), 1, 'without excludeSelf each item finds itself');
  // a tie of votes goes to the nearest: neighbours of 0 are classes [0, 1] at k = 2
  const tie = new NearestNeighbors(Tensor.from([0, 0, 1, 0], [2, 2]), [7, 4]);
  t.deepEqual(Array.from(tie.classify(Tensor.from([0.2, 0, 0.9, 0], [2, 2]), 2)), [7, 4]);
});

test('NearestNeighbors errors name the argument, the expected and the actual shape', (t) => {
  const x = Tensor.zeros([4, 3]);
  t.throws(() => new NearestNeighbors(Tensor.zeros([4]), [0, 0, 1, 1]), { instanceOf: ShapeError, message: /embeddings must be \[rows, D\], got \[4\]/ });
  t.throws(() => new NearestNeighbors(x, [0, 1]), { message: /labels has 2 entries, expected 4/ });
  t.throws(() => new NearestNeighbors(x, [0, 1, 0.5, 1]), { message: /labels must be integers, got 0.5 at position 2/ });
  t.throws(() => new NearestNeighbors(x, [0, 1, 0, 1], { metric: 'l1' as never }), { message: /metric must be 'l2' or 'cosine', got "l1"/ });
  const index = new NearestNeighbors(x, [0, 1, 0, 1]);
  t.throws(() => index.search(Tensor.zeros([2, 5]), 1), { instanceOf: ShapeError, message: /queries must be \[rows, 3\], got \[2, 5\]/ });
  t.throws(() => index.search(Tensor.zeros([2, 3]), 5), { message: /k = 5 exceeds the 4 items available/ });
  t.throws(() => index.search(Tensor.zeros([2, 3]), 1, { excludeSelf: true }), { message: /excludeSelf needs the queries to be the indexed items \(4 rows\), got 2 queries/ });
  t.throws(() => recallAtK(index, Tensor.zeros([2, 3]), [0], 1), { message: /queryLabels has 1 entries, expected 2/ });
  t.throws(() => knnAccuracy(index, [1, 2] as never, [0], 1), { message: /queries must be a Tensor, got Array\(2\)/ });
});
