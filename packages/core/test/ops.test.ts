import test from 'ava';
import { concat, linear, ShapeError, Tensor } from '@eole/core';
import { checkOp, OP_CASES } from '@eole/core/testing';

// The op table (src/testing/opCases.ts): each row checked for its oracle, shape, gradients,
// cpu/webasm parity and thread bit-identity. The browser test runs the same rows on WebGL.
for (const row of OP_CASES) test(row.name, (t) => checkOp(t, row.op, row.case));

test('sum with keepdim keeps the axis', (t) => {
  t.deepEqual([...Tensor.zeros([2, 3, 4]).sum(1, true).shape], [2, 1, 4]);
});
test('argmax picks the first maximum', (t) => {
  const x = Tensor.from([1, 5, 5, 0, -1, -3, -1, -2], [2, 4]);
  t.deepEqual(x.argmax(1).toArray(), [1, 0]);
  t.deepEqual(x.argmax(0).toArray(), [0, 0, 0, 0]);
  t.is(x.argmax().item(), 1);
});
test('logSoftmax is stable for large logits', (t) => {
  const y = Tensor.from([1000, 0, -1000], [1, 3]).logSoftmax(1).toArray();
  t.is(y[0], 0);
  t.true(Math.abs(y[1]! + 1000) < 1e-3);
  t.true(Number.isFinite(y[2]!));
});
test('gather rejects out-of-range indices naming the index', (t) => {
  const e = t.throws(() => Tensor.zeros([2, 3]).gather(1, Tensor.from([0, 3], [2, 1])));
  t.regex(e!.message, /gather: index 3 .* out of range \[0, 3\)/);
});
test('reshape shares the buffer', (t) => {
  const x = Tensor.arange(6);
  const y = x.reshape(2, -1);
  t.deepEqual([...y.shape], [2, 3]);
  t.is(y.data.buffer, x.data.buffer);
});
test('narrow along axis 0 is a view; along axis 1 a copy', (t) => {
  const x = Tensor.arange(12).reshape(3, 4);
  const rows = x.narrow(0, 1, 2);
  t.is(rows.data.buffer, x.data.buffer);
  t.deepEqual(rows.toArray(), [4, 5, 6, 7, 8, 9, 10, 11]);
  t.deepEqual(x.narrow(1, 1, 2).toArray(), [1, 2, 5, 6, 9, 10]);
});
test('split and concat invert each other', (t) => {
  const x = Tensor.arange(24).reshape(2, 6, 2);
  const parts = x.split([1, 2, 3], 1);
  t.deepEqual(parts.map((p) => p.shape[1]), [1, 2, 3]);
  t.deepEqual(concat(parts, 1).toArray(), x.toArray());
});

test('shape mismatches name the op and both shapes', (t) => {
  const e1 = t.throws(() => Tensor.zeros([2, 3]).add(Tensor.zeros([4])), { instanceOf: ShapeError });
  t.regex(e1!.message, /^add: shapes \[2, 3\] and \[4\] cannot be broadcast/);
  const e2 = t.throws(() => Tensor.zeros([2, 3]).matmul(Tensor.zeros([4, 5])), { instanceOf: ShapeError });
  t.regex(e2!.message, /^matmul: inner dimensions differ \(3 vs 4\): got \[2, 3\] and \[4, 5\]/);
  const e3 = t.throws(() => Tensor.zeros([2, 3]).reshape(4, 2));
  t.regex(e3!.message, /reshape: cannot view 6 elements as \[4, 2\]/);
  const e4 = t.throws(() => new Tensor(new Float32Array(5), [2, 3]));
  t.regex(e4!.message, /data has 5 values but shape \[2, 3\] needs 6/);
});

test('linear names shape errors', (t) => {
  t.throws(() => linear(Tensor.zeros([2, 3]), Tensor.zeros([7, 4])), { message: /^linear: input must be \[N, 4\] for weight \[7, 4\], got \[2, 3\]/ });
});
