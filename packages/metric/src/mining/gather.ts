import { describeValue, ShapeError, Tensor } from '@eole/core';
import type { Pairs } from './pairs.js';
import type { Triplets } from './triplets.js';

/** The rows of x that `lists` name, stacked as [lists.length, count, ...]; errors name `op` and `names`. */
function gatherBranches(op: string, x: Tensor, lists: readonly Int32Array[], names: readonly string[]): Tensor {
  if (!(x instanceof Tensor) || x.ndim < 1) throw new TypeError(`${op}: x must be a Tensor [N, ...], got ${describeValue(x)}`);
  const count = lists[0]!.length;
  lists.forEach((l, i) => {
    if (!(l instanceof Int32Array) || l.length !== count) throw new ShapeError(op, `${names[i]} must be an Int32Array of length ${count} like ${names[0]}, got ${describeValue(l)}`);
  });
  const n = x.shape[0]!;
  const index = new Float32Array(count * lists.length);
  lists.forEach((l, b) => {
    l.forEach((v, i) => {
      if (v < 0 || v >= n) throw new RangeError(`${op}: ${names[b]}[${i}] = ${v} is out of range for x with ${n} rows`);
      index[b * count + i] = v;
    });
  });
  return x.indexSelect(0, new Tensor(index, [index.length])).reshape([lists.length, count, ...x.shape.slice(1)]);
}

/**
 * The rows of x [N, ...] that `pairs` names, stacked as a {@link Siamese} takes them:
 * [2, P, ...] with out[0, i] = x[first[i]] and out[1, i] = x[second[i]] (differentiable in x).
 *
 * @example
 * siamese.forward(gatherPairs(batch.x, randomPairs(batch.y, 64, rng)));
 */
export function gatherPairs(x: Tensor, pairs: Pairs): Tensor {
  return gatherBranches('gatherPairs', x, [pairs.first, pairs.second], ['first', 'second']);
}

/**
 * The rows of x [N, ...] that `triplets` names, stacked as [3, T, ...] (anchor, positive,
 * negative), as a three-branch {@link Siamese} and {@link TripletMarginCriterion} take them.
 *
 * @example
 * crit.forward(siamese.forward(gatherTriplets(batch.x, randomTriplets(batch.y, 64, rng))));
 */
export function gatherTriplets(x: Tensor, triplets: Triplets): Tensor {
  return gatherBranches('gatherTriplets', x, [triplets.anchor, triplets.positive, triplets.negative], ['anchor', 'positive', 'negative']);
}
