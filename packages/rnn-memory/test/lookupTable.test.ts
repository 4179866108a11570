import test from 'ava';
import { join } from 'node:path';
import { Generator, kernels, loadModule, noGrad, saveModule, ShapeError, Tensor } from '@eole/core';
import { checkGrad, maxAbsErr, tempDir, testModules } from '@eole/core/testing';
import { embeddingBag, LookupTable, positionEncoding } from '@eole/rnn-memory';
import { RNN_LOOKUP_TABLE_CASES } from '@eole/rnn-memory/testing';

const BACKENDS = ['cpu', 'webasm'] as const;

function ids(values: number[], shape: number[] = [values.length]): Tensor {
  return Tensor.from(values, shape);
}

/** The ids of the parity run: 60 ids over 40 rows, with repeats. */
const manyIds = (): Tensor => Tensor.from(Array.from({ length: 60 }, (_, i) => (i * 37) % 40), [6, 10]);

/** Forward output and weight gradient for a fixed upstream gradient. */
function run(table: LookupTable, x: Tensor, seed: number): { y: Float32Array; grad: Float32Array } {
  table.weight.grad = null;
  const y = table.forward(x);
  y.backward(Tensor.randn(y.shape, new Generator(seed)));
  return { y: Float32Array.from(y.data), grad: Float32Array.from(table.weight.grad!.data) };
}

test('LookupTable: rows of the table, [N] -> [N, nOutput] and [N, T] -> [N, T, nOutput]', (t) => {
  const table = new LookupTable(5, 3, { rng: new Generator(1) });
  const w = table.weight.data;
  const one = noGrad(() => table.forward(ids([4, 0, 4])));
  t.deepEqual([...one.shape], [3, 3]);
  t.deepEqual([...one.data], [...w.subarray(12, 15), ...w.subarray(0, 3), ...w.subarray(12, 15)]);
  const two = noGrad(() => table.forward(ids([1, 2, 3, 1], [2, 2])));
  t.deepEqual([...two.shape], [2, 2, 3]);
  t.deepEqual([...two.data.subarray(9, 12)], [...w.subarray(3, 6)]);
  t.is(table.toString(), 'nn.LookupTable(5 -> 3)');
});

test('LookupTable: initialised N(0, 1) like torch.nn.Embedding; the padding row starts at zero', (t) => {
  const table = new LookupTable(200, 50, { rng: new Generator(3), paddingIdx: 7 });
  const w = table.weight.data;
  t.deepEqual([...w.subarray(7 * 50, 8 * 50)], new Array(50).fill(0));
  const rest = [...w.subarray(0, 7 * 50), ...w.subarray(8 * 50)];
  const mean = rest.reduce((a, b) => a + b, 0) / rest.length;
  const variance = rest.reduce((a, b) => a + (b - mean) ** 2, 0) / rest.length;
  t.true(Math.abs(mean) < 0.03, `mean ${mean}`);
  t.true(Math.abs(variance - 1) < 0.05, `variance ${variance}`);
  t.is(table.toString(), 'nn.LookupTable(200 -> 50, paddingIdx 7)');
});

test('LookupTable: repeated ids accumulate their gradients; the padding row gets none', (t) => {
  const table = new LookupTable(6, 2, { rng: new Generator(2), paddingIdx: 0 });
  const x = ids([3, 1, 3, 0, 3, 5], [2, 3]);
  const g = Tensor.from([1, 2, 10, 20, 100, 200, 7, 7, 1000, 2000, 5, 6], [2, 3, 2]);
  for (const backend of BACKENDS) {
    kernels.withBackend(backend, () => {
      table.weight.grad = null;
      table.forward(x).backward(g);
      const want = [0, 0, 10, 20, 0, 0, 1101, 2202, 0, 0, 5, 6];
      t.deepEqual([...table.weight.grad!.data], want, backend);
    });
  }
  const gin = table.backward(x, g);
  t.deepEqual([...gin.data], new Array(6).fill(0), 'the ids get a zero gradient, as in Torch7');
});

test('LookupTable: gradcheck through the table (2-D ids with repeats)', (t) => {
  const table = new LookupTable(7, 4, { rng: new Generator(4) });
  const x = ids([1, 6, 1, 2, 2, 2], [2, 3]);
  for (const backend of BACKENDS) {
    kernels.withBackend(backend, () => checkGrad(t, `LookupTable on ${backend}`, () => table.forward(x).tanh(), [table.weight]));
  }
});

test('LookupTable: cpu and webasm agree on forward and backward', (t) => {
  const x = manyIds();
  const results = BACKENDS.map((backend) => kernels.withBackend(backend, () => run(new LookupTable(40, 16, { rng: new Generator(5), paddingIdx: 3 }), x, 9)));
  t.true(maxAbsErr(results[0]!.y, results[1]!.y) === 0, 'forward is a copy');
  t.true(maxAbsErr(results[0]!.grad, results[1]!.grad) < 1e-5, `grad diff ${maxAbsErr(results[0]!.grad, results[1]!.grad)}`);
});

testModules(test, RNN_LOOKUP_TABLE_CASES);

test('LookupTable: save/load round trip gives the same outputs', (t) => {
  const a = new LookupTable(12, 5, { rng: new Generator(6), paddingIdx: 0 });
  const path = join(tempDir('lookup'), 'table.safetensors');
  saveModule(path, a);
  const b = new LookupTable(12, 5, { rng: new Generator(99), paddingIdx: 0 });
  loadModule(path, b);
  t.deepEqual([...b.stateDict().keys()], ['weight']);
  const x = ids([11, 0, 4, 4], [2, 2]);
  t.deepEqual([...noGrad(() => b.forward(x)).data], [...noGrad(() => a.forward(x)).data]);
  t.throws(() => loadModule(path, new LookupTable(13, 5)), { message: /weight.*\[12, 5\].*\[13, 5\]/ });
});

test('LookupTable: an out-of-range or fractional id names the id, its position and nIndex', (t) => {
  const table = new LookupTable(10, 3);
  t.throws(() => table.forward(ids([1, 10])), { instanceOf: RangeError, message: 'nn.LookupTable: id 10 at position 1 is out of range for nIndex 10 (ids must be integers in [0, 10))' });
  t.throws(() => table.forward(ids([-1])), { message: /id -1 at position 0 .*nIndex 10/ });
  t.throws(() => table.forward(ids([2.5])), { message: /id 2\.5 at position 0/ });
  t.throws(() => table.forward(ids([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2])), { instanceOf: ShapeError, message: /ids \[N\] or \[N, T\], got \[2, 2, 2\]/ });
  t.throws(() => new LookupTable(10, 3, { paddingIdx: 10 }), { message: /paddingIdx must be an integer in \[0, 10\), got 10/ });
  t.throws(() => new LookupTable(0, 3), { message: /nIndex must be a positive integer, got 0/ });
});

test('LookupTable: the backward of a 200,000-word table touches only the rows looked up', (t) => {
  const table = new LookupTable(200000, 8, { rng: new Generator(7) });
  const x = ids([199999, 5, 5, 123456]);
  table.forward(x).sum().backward();
  const g = table.weight.grad!.data;
  let nonzero = 0;
  for (let i = 0; i < g.length; i++) if (g[i] !== 0) nonzero++;
  t.is(nonzero, 3 * 8);
  t.is(g[5 * 8], 2);
  t.is(g[199999 * 8 + 7], 1);
});

test('embeddingBag: sums each bag with the position encoding of Sukhbaatar et al. (section 4.1)', (t) => {
  const rng = new Generator(10);
  const w = Tensor.randn([9, 4], rng);
  const bags = ids([3, 5, 8, 0, 2, 0, 0, 0], [2, 4]);
  const pe = noGrad(() => embeddingBag(w, bags, { paddingIdx: 0, positionEncoding: true }));
  const plain = noGrad(() => embeddingBag(w, bags, { paddingIdx: 0 }));
  const row = (v: number): number[] => [...w.data.subarray(v * 4, v * 4 + 4)];
  const l3 = positionEncoding(3, 4).data;
  const want0 = [0, 1, 2, 3].map((k) => [3, 5, 8].reduce((s, v, j) => s + l3[j * 4 + k]! * row(v)[k]!, 0));
  t.true(maxAbsErr(pe.data.subarray(0, 4), want0) < 1e-6);
  // A one-word bag: l_k1 = (1 − 1) − (k/d)(1 − 2) = k/d.
  t.true(maxAbsErr(pe.data.subarray(4, 8), row(2).map((v, k) => (v * (k + 1)) / 4)) < 1e-6);
  t.true(maxAbsErr(plain.data.subarray(0, 4), [0, 1, 2, 3].map((k) => row(3)[k]! + row(5)[k]! + row(8)[k]!)) < 1e-6);
  t.true(Math.abs(l3[0]! - (1 - 1 / 3 - (1 / 4) * (1 - 2 / 3))) < 1e-7);
});

test('embeddingBag: gradcheck and cpu/webasm parity, with and without position encoding', (t) => {
  const rng = new Generator(11);
  const w = Tensor.randn([8, 5], rng).requiresGrad_();
  const bags = ids([1, 2, 3, 0, 4, 4, 0, 0, 7, 1, 1, 1], [3, 4]);
  for (const positionEncoding of [true, false]) {
    const f = (x: Tensor): Tensor => embeddingBag(x, bags, { paddingIdx: 0, positionEncoding }).tanh();
    const grads = BACKENDS.map((backend) =>
      kernels.withBackend(backend, () => {
        checkGrad(t, `embeddingBag on ${backend}, PE ${positionEncoding}`, f, [w]);
        return Float32Array.from(w.grad!.data);
      }),
    );
    t.true(maxAbsErr(grads[0]!, grads[1]!) < 1e-5);
    t.deepEqual([...grads[0]!.subarray(0, 5)], [0, 0, 0, 0, 0], 'the padding row gets no gradient');
  }
  t.throws(() => embeddingBag(w, ids([1, 2, 3])), { message: /ids must be 2-D \[bags, words\], got \[3\]/ });
});
