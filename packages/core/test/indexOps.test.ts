import test from 'ava';
import { backendAvailable, BACKENDS, Generator, indexAdd, kernels, logSigmoid, maskRows, noGrad, ShapeError, stackTensors, Tensor, unbind } from '@eole/core';
import { checkOp, type OracleInput } from '@eole/core/testing';

// The general ops that moved down into core from @eole/rnn-memory (unbind, stackTensors, maskRows,
// logSigmoid) and indexAdd (PyTorch index_add, which generalizes rnn-memory's scatterRows).

/** Plain-JS index_add: out = input; out[o, index[q], k] += alpha·source[o, q, k], negative q skipped. */
function indexAddOracle(axis: number, index: readonly number[], alpha = 1) {
  return (input: OracleInput, source: OracleInput): number[] => {
    const outer = input.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const n = input.shape[axis]!;
    const inner = input.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
    const out = Array.from(input.data);
    for (let o = 0; o < outer; o++) {
      index.forEach((id, q) => {
        if (id < 0) return;
        for (let k = 0; k < inner; k++) out[(o * n + id) * inner + k]! += alpha * source.data[(o * index.length + q) * inner + k]!;
      });
    }
    return out;
  };
}

const indexAddCases: [string, number[], number, number[], number[], number][] = [
  ['rows with repeats and a skipped -1', [5, 3], 0, [4, 0, 4, -1, 2, 4], [6, 3], 1],
  ['rows, alpha 0.5', [5, 3], 0, [1, 3, 1], [3, 3], 0.5],
  ['axis 1 of a 3-D tensor', [2, 4, 3], 1, [3, 3, 0], [2, 3, 3], 1],
  ['the last axis', [3, 4], 1, [2, 0, 2, 2, 1], [3, 5], -2],
];
for (const [name, inputShape, axis, index, sourceShape, alpha] of indexAddCases) {
  test(`indexAdd: ${name}`, (t) => {
    const ids = Tensor.from(index);
    checkOp(t, (x, s) => indexAdd(x!, axis, ids, s!, alpha), { shapes: [inputShape, sourceShape], shape: inputShape, oracle: indexAddOracle(axis, index, alpha) });
  });
}

test('indexAdd: the cpu-mode scatter and the gather used on other backends agree with a float64 sum', (t) => {
  const rng = new Generator(8);
  const n = 50;
  const d = 6;
  const index = Array.from({ length: 300 }, () => (rng.uniform() < 0.1 ? -1 : Math.floor(rng.uniform() ** 3 * n)));
  const rows = Tensor.randn([300, d], rng);
  const table = Tensor.randn([n, d], rng);
  const want = indexAddOracle(0, index)(table, rows);
  for (const backend of ['auto', ...BACKENDS.filter(backendAvailable)] as const) {
    const got = kernels.withBackend(backend, () => indexAdd(table, 0, Tensor.from(index), rows));
    const err = Math.max(...Array.from(got.data, (v, i) => Math.abs(v - want[i]!)));
    t.true(err < 1e-4, `${backend}: ${err}`);
  }
});

test('indexAdd: the Tensor method, an untouched input, and the embedding backward it computes', (t) => {
  const w = Tensor.randn([6, 4], new Generator(2)).requiresGrad_();
  const ids = Tensor.from([5, 1, 5, 0]);
  const g = Tensor.randn([4, 4], new Generator(3));
  w.indexSelect(0, ids).backward(g);
  const before = Float32Array.from(w.data);
  const sum = noGrad(() => Tensor.zeros([6, 4]).indexAdd(0, ids, g));
  t.deepEqual(Array.from(sum.data), Array.from(w.grad!.data));
  noGrad(() => w.indexAdd(0, ids, g));
  t.deepEqual(w.data, before, 'indexAdd returns a new tensor');
});

test('indexAdd: errors name the op, the index and the shapes', (t) => {
  const x = Tensor.zeros([4, 2]);
  t.throws(() => indexAdd(x, 0, Tensor.from([0, 4]), Tensor.zeros([2, 2])), { instanceOf: ShapeError, message: /indexAdd: index 4 at position 1 is out of range \[0, 4\)/ });
  t.throws(() => indexAdd(x, 0, Tensor.from([0.5]), Tensor.zeros([1, 2])), { message: /index 0.5 at position 0/ });
  t.throws(() => indexAdd(x, 0, Tensor.from([0, 1]), Tensor.zeros([3, 2])), { message: /indexAdd: source must be \[2, 2\] for input \[4, 2\] and 2 indices along axis 0, got \[3, 2\]/ });
  t.throws(() => indexAdd(x, 0, Tensor.zeros([1, 1]), Tensor.zeros([1, 2])), { message: /indexAdd: index must be 1-D, got shape \[1, 1\]/ });
  t.throws(() => indexAdd(x, 2, Tensor.from([0]), Tensor.zeros([4, 1])), { message: /indexAdd: axis 2 is out of range for a 2-D tensor/ });
});

test('unbind along axis 0 gives zero-copy views of the buffer', (t) => {
  const x = Tensor.randn([4, 2, 3], new Generator(2)).requiresGrad_();
  const parts = unbind(x);
  t.is(parts.length, 4);
  t.is(parts[1]!.data.buffer, x.data.buffer, 'slices share the buffer');
  t.deepEqual([...parts[1]!.shape], [2, 3]);
  t.deepEqual(Array.from(parts[3]!.data), Array.from(x.data.subarray(18, 24)));
  t.is(x.unbind().length, 4);
});

test('unbind and stackTensors: oracle and gradcheck (a slice used twice, one unused)', (t) =>
  checkOp(t, (a) => {
    const s = unbind(a!);
    return stackTensors([s[2]!.mul(2), s[0]!, s[2]!]);
  }, {
    shapes: [[4, 2, 3]],
    shape: [3, 2, 3],
    oracle: (x) => {
      const slice = (i: number) => Array.from(x.data.subarray(i * 6, i * 6 + 6));
      return [...slice(2).map((v) => 2 * v), ...slice(0), ...slice(2)];
    },
  }));

test('unbind along axis 1 copies the columns', (t) =>
  checkOp(t, (a) => stackTensors(unbind(a!, 1)), {
    shapes: [[2, 3, 2]],
    shape: [3, 2, 2],
    oracle: (x) => [0, 1, 2].flatMap((j) => [0, 1].flatMap((i) => [0, 1].map((k) => x.data[(i * 3 + j) * 2 + k]!))),
  }));

test('unbind and stackTensors: errors', (t) => {
  t.throws(() => unbind(Tensor.scalar(1)), { instanceOf: ShapeError, message: /unbind: expected a tensor with at least one axis, got shape \[\]/ });
  t.throws(() => stackTensors([]), { message: /stackTensors: needs at least one tensor/ });
  t.throws(() => stackTensors([Tensor.zeros([2]), Tensor.zeros([3])]), { message: /stackTensors: tensor 1 has shape \[3\], tensor 0 has \[2\]/ });
});

const keep = Float32Array.of(1, 0, 1);
/** out[…, n, :] = keep[n] ? a : b (b = 0 when absent). */
const maskOracle = (a: OracleInput, b?: OracleInput): number[] =>
  Array.from(a.data, (v, q) => (keep[Math.floor(q / 4) % 3]! > 0 ? v : (b?.data[q] ?? 0)));

test('maskRows: kept rows take next, ended rows keep prev', (t) =>
  checkOp(t, (a, b) => maskRows(a!, b!, keep), { shapes: [[2, 3, 4], [2, 3, 4]], shape: [2, 3, 4], oracle: maskOracle }));

test('maskRows: without prev, ended rows are zero', (t) =>
  checkOp(t, (a) => maskRows(a!, null, keep), { shapes: [[2, 3, 4]], shape: [2, 3, 4], oracle: (a) => maskOracle(a) }));

test('maskRows: errors name the shapes', (t) => {
  t.throws(() => maskRows(Tensor.zeros([2, 4]), null, keep), { instanceOf: ShapeError, message: /maskRows: next must be \[\.\.\., 3, H\] for 3 mask entries, got \[2, 4\]/ });
  t.throws(() => maskRows(Tensor.zeros([3, 4]), Tensor.zeros([3, 5]), keep), { message: /maskRows: prev must match next \[3, 4\], got \[3, 5\]/ });
});

test('logSigmoid: matches −log(1 + e^−x) and stays finite at ±100', (t) => {
  const x = Tensor.from([-100, -20, -1, 0, 0.5, 3, 100]);
  const y = noGrad(() => logSigmoid(x));
  const want = Array.from(x.data, (v) => (v < 0 ? v - Math.log1p(Math.exp(v)) : -Math.log1p(Math.exp(-v))));
  y.data.forEach((v, i) => t.true(Math.abs(v - want[i]!) < 1e-5, `logSigmoid(${x.data[i]}) = ${v}, want ${want[i]}`));
});

test('logSigmoid: oracle, gradcheck, parity', (t) =>
  checkOp(t, (a) => logSigmoid(a!), {
    shapes: [[3, 5]],
    make: (s, rng) => Tensor.randn(s, rng, 0, 3),
    shape: [3, 5],
    oracle: (x) => Array.from(x.data, (v) => -Math.log1p(Math.exp(-v))),
  }));
