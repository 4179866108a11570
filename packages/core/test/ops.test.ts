import test from 'ava';
import { affine, concat, Generator, leakyRelu, linear, ShapeError, Tensor, threshold } from '@eole/core';
import { awayFromZero, checkOp, positive } from '@eole/core/testing';

type Arr = { data: Float32Array; shape: readonly number[] };

/** Plain-JS broadcasting binary op (the oracle). */
function bcast(f: (x: number, y: number) => number) {
  return (a: Arr, b: Arr): number[] => {
    const n = Math.max(a.shape.length, b.shape.length);
    const pad = (s: readonly number[]) => [...Array(n - s.length).fill(1), ...s];
    const as = pad(a.shape), bs = pad(b.shape);
    const os = as.map((d, i) => Math.max(d, bs[i]!));
    const total = os.reduce((p, d) => p * d, 1);
    const out: number[] = [];
    for (let i = 0; i < total; i++) {
      let r = i, ia = 0, ib = 0, sa = 1, sb = 1;
      for (let k = n - 1; k >= 0; k--) {
        const c = r % os[k]!;
        r = Math.floor(r / os[k]!);
        if (as[k] !== 1) ia += c * sa;
        if (bs[k] !== 1) ib += c * sb;
        sa *= as[k]!;
        sb *= bs[k]!;
      }
      out.push(f(a.data[ia]!, b.data[ib]!));
    }
    return out;
  };
}
const unary = (f: (x: number) => number) => (a: Arr) => Array.from(a.data, f);

const binaryCases: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [
  ['add', (a, b) => a.add(b), (x, y) => x + y],
  ['sub', (a, b) => a.sub(b), (x, y) => x - y],
  ['mul', (a, b) => a.mul(b), (x, y) => x * y],
];
const shapePairs: [number[], number[]][] = [
  [[3, 4], [3, 4]],
  [[3, 4], [4]],
  [[2, 3, 4], [3, 1]],
  [[1], [2, 5]],
  [[2, 1, 4], [1, 3, 1]],
];
for (const [name, op, f] of binaryCases) {
  for (const [sa, sb] of shapePairs) {
    test(`${name} ${JSON.stringify(sa)} ⊕ ${JSON.stringify(sb)}`, (t) => checkOp(t, op, { shapes: [sa, sb], oracle: bcast(f) }));
  }
}
test('div with broadcasting', (t) =>
  checkOp(t, (a, b) => a.div(b), { shapes: [[3, 4], [4]], make: (s, r, i) => (i === 1 ? positive(s, r) : Tensor.randn(s, r)), oracle: bcast((x, y) => x / y) }));

const unaryCases: [string, (x: Tensor) => Tensor, (x: number) => number, ((s: number[], r: Generator) => Tensor)?][] = [
  ['neg', (x) => x.neg(), (x) => -x],
  ['exp', (x) => x.exp(), Math.exp],
  ['log', (x) => x.log(), Math.log, positive],
  ['tanh', (x) => x.tanh(), Math.tanh],
  ['sigmoid', (x) => x.sigmoid(), (x) => 1 / (1 + Math.exp(-x))],
  ['relu', (x) => x.relu(), (x) => Math.max(0, x), awayFromZero],
  ['threshold', (x) => threshold(x, 0.3, -2), (x) => (x > 0.3 ? x : -2), awayFromZero],
  ['leakyRelu 0.2', (x) => leakyRelu(x, 0.2), (x) => (x > 0 ? x : 0.2 * x), awayFromZero],
  ['abs', (x) => x.abs(), Math.abs, awayFromZero],
  ['sqrt', (x) => x.sqrt(), Math.sqrt, positive],
  ['pow 3', (x) => x.pow(3), (x) => x ** 3],
  ['pow 1.5', (x) => x.pow(1.5), (x) => x ** 1.5, positive],
  ['affine', (x) => affine(x, -1.5, 0.25), (x) => -1.5 * x + 0.25],
  ['scalar ops', (x) => x.add(1).mul(3).sub(2).div(4), (x) => ((x + 1) * 3 - 2) / 4],
];
for (const [name, op, f, make] of unaryCases) {
  test(`${name}`, (t) => checkOp(t, op, { shapes: [[5, 7]], oracle: unary(f), ...(make ? { make } : {}) }));
}

function matmulOracle(a: Arr, b: Arr): number[] {
  const as = a.shape.length === 3 ? a.shape : [1, ...(a.shape.length === 1 ? [1, a.shape[0]!] : a.shape)];
  const bs = b.shape.length === 3 ? b.shape : [1, ...(b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape)];
  const B = Math.max(as[0]!, bs[0]!), M = as[1]!, K = as[2]!, N = bs[2]!;
  const out: number[] = [];
  for (let z = 0; z < B; z++)
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a.data[(as[0] === 1 ? 0 : z) * M * K + i * K + k]! * b.data[(bs[0] === 1 ? 0 : z) * K * N + k * N + j]!;
        out.push(s);
      }
  return out;
}
const matmulCases: [number[], number[], number[]][] = [
  [[5, 7], [7, 6], [5, 6]],
  [[4, 8], [8, 4], [4, 4]],
  [[1, 3], [3, 9], [1, 9]],
  [[3, 5, 2], [3, 2, 4], [3, 5, 4]],
  [[3, 5, 2], [2, 4], [3, 5, 4]],
  [[5, 2], [3, 2, 4], [3, 5, 4]],
  [[6], [6, 3], [3]],
  [[4, 6], [6], [4]],
];
for (const [sa, sb, so] of matmulCases) {
  test(`matmul ${JSON.stringify(sa)} · ${JSON.stringify(sb)}`, (t) => checkOp(t, (a, b) => a.matmul(b), { shapes: [sa, sb], shape: so, oracle: matmulOracle }));
}
test('matmul of a large odd shape agrees across backends', (t) =>
  checkOp(t, (a, b) => a.matmul(b), { shapes: [[37, 61], [61, 43]], oracle: matmulOracle, grad: { maxPerInput: 40 } }));

function reduceOracle(kind: 'sum' | 'mean' | 'max', axis: number) {
  return (a: Arr): number[] => {
    const s = a.shape;
    const outer = s.slice(0, axis).reduce((p, d) => p * d, 1);
    const n = s[axis]!;
    const inner = s.slice(axis + 1).reduce((p, d) => p * d, 1);
    const out: number[] = [];
    for (let o = 0; o < outer; o++)
      for (let j = 0; j < inner; j++) {
        let acc = kind === 'max' ? -Infinity : 0;
        for (let k = 0; k < n; k++) {
          const v = a.data[(o * n + k) * inner + j]!;
          acc = kind === 'max' ? Math.max(acc, v) : acc + v;
        }
        out.push(kind === 'mean' ? acc / n : acc);
      }
    return out;
  };
}
for (const kind of ['sum', 'mean', 'max'] as const) {
  for (const axis of [0, 1, 2]) {
    test(`${kind} over axis ${axis}`, (t) => checkOp(t, (x) => x[kind](axis), { shapes: [[3, 4, 5]], oracle: reduceOracle(kind, axis) }));
  }
  test(`${kind} of all elements`, (t) =>
    checkOp(t, (x) => x[kind](), { shapes: [[4, 6]], shape: [], oracle: (a) => reduceOracle(kind, 0)({ data: a.data, shape: [a.data.length] }) }));
}
test('sum with keepdim keeps the axis', (t) => {
  t.deepEqual([...Tensor.zeros([2, 3, 4]).sum(1, true).shape], [2, 1, 4]);
});
test('argmax picks the first maximum', (t) => {
  const x = Tensor.from([1, 5, 5, 0, -1, -3, -1, -2], [2, 4]);
  t.deepEqual(x.argmax(1).toArray(), [1, 0]);
  t.deepEqual(x.argmax(0).toArray(), [0, 0, 0, 0]);
  t.is(x.argmax().item(), 1);
});

function softmaxOracle(log: boolean, axis: number) {
  return (a: Arr): number[] => {
    const s = a.shape;
    const outer = s.slice(0, axis).reduce((p, d) => p * d, 1), n = s[axis]!, inner = s.slice(axis + 1).reduce((p, d) => p * d, 1);
    const out = new Array<number>(a.data.length);
    for (let o = 0; o < outer; o++)
      for (let j = 0; j < inner; j++) {
        let z = 0;
        for (let k = 0; k < n; k++) z += Math.exp(a.data[(o * n + k) * inner + j]!);
        for (let k = 0; k < n; k++) {
          const i = (o * n + k) * inner + j;
          out[i] = log ? a.data[i]! - Math.log(z) : Math.exp(a.data[i]!) / z;
        }
      }
    return out;
  };
}
for (const axis of [1, 0, 2]) {
  test(`softmax over axis ${axis}`, (t) => checkOp(t, (x) => x.softmax(axis), { shapes: [[3, 5, 2]], oracle: softmaxOracle(false, axis) }));
  test(`logSoftmax over axis ${axis}`, (t) => checkOp(t, (x) => x.logSoftmax(axis), { shapes: [[3, 5, 2]], oracle: softmaxOracle(true, axis) }));
}
test('logSoftmax is stable for large logits', (t) => {
  const y = Tensor.from([1000, 0, -1000], [1, 3]).logSoftmax(1).toArray();
  t.is(y[0], 0);
  t.true(Math.abs(y[1]! + 1000) < 1e-3);
  t.true(Number.isFinite(y[2]!));
});

const idx = (values: number[], shape: number[]) => () => Tensor.from(values, shape);
test('gather along axis 1', (t) =>
  checkOp(t, (x, i) => x.gather(1, i), {
    shapes: [[3, 4], [3, 2]],
    make: (s, r, k) => (k === 1 ? idx([0, 3, 2, 2, 1, 0], s)() : Tensor.randn(s, r)),
    noGrad: [1],
    oracle: (a) => [a.data[0]!, a.data[3]!, a.data[6]!, a.data[6]!, a.data[9]!, a.data[8]!],
  }));
test('gather along axis 0', (t) =>
  checkOp(t, (x, i) => x.gather(0, i), {
    shapes: [[3, 2], [2, 2]],
    make: (s, r, k) => (k === 1 ? idx([2, 0, 0, 0], s)() : Tensor.randn(s, r)),
    noGrad: [1],
    oracle: (a) => [a.data[4]!, a.data[1]!, a.data[0]!, a.data[1]!],
  }));
test('indexSelect rows (an embedding lookup) with repeats', (t) =>
  checkOp(t, (x, i) => x.indexSelect(0, i), {
    shapes: [[5, 3], [4]],
    make: (s, r, k) => (k === 1 ? idx([4, 0, 4, 2], s)() : Tensor.randn(s, r)),
    noGrad: [1],
    oracle: (a) => [4, 0, 4, 2].flatMap((row) => Array.from(a.data.subarray(row * 3, row * 3 + 3))),
  }));
test('indexSelect columns', (t) =>
  checkOp(t, (x, i) => x.indexSelect(1, i), {
    shapes: [[2, 4], [3]],
    make: (s, r, k) => (k === 1 ? idx([3, 1, 1], s)() : Tensor.randn(s, r)),
    noGrad: [1],
    oracle: (a) => [3, 1, 1, 7, 5, 5].map((i) => a.data[i]!),
  }));
test('gather rejects out-of-range indices naming the index', (t) => {
  const e = t.throws(() => Tensor.zeros([2, 3]).gather(1, Tensor.from([0, 3], [2, 1])));
  t.regex(e!.message, /gather: index 3 .* out of range \[0, 3\)/);
});

test('permute', (t) =>
  checkOp(t, (x) => x.permute(2, 0, 1), {
    shapes: [[2, 3, 4]],
    shape: [4, 2, 3],
    oracle: (a) => {
      const out: number[] = [];
      for (let k = 0; k < 4; k++) for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) out.push(a.data[i * 12 + j * 4 + k]!);
      return out;
    },
  }));
test('transpose 2-D', (t) =>
  checkOp(t, (x) => x.t(), { shapes: [[3, 5]], shape: [5, 3], oracle: (a) => Array.from({ length: 15 }, (_, i) => a.data[(i % 3) * 5 + Math.floor(i / 3)]!) }));
test('reshape shares the buffer and passes gradients', (t) => {
  const x = Tensor.arange(6);
  const y = x.reshape(2, -1);
  t.deepEqual([...y.shape], [2, 3]);
  t.is(y.data.buffer, x.data.buffer);
  checkOp(t, (a) => a.reshape(3, 2).mul(a.reshape(3, 2)), { shapes: [[6]], oracle: unary((v) => v * v) });
});
test('narrow along axis 0 is a view; along axis 1 a copy', (t) => {
  const x = Tensor.arange(12).reshape(3, 4);
  const rows = x.narrow(0, 1, 2);
  t.is(rows.data.buffer, x.data.buffer);
  t.deepEqual(rows.toArray(), [4, 5, 6, 7, 8, 9, 10, 11]);
  t.deepEqual(x.narrow(1, 1, 2).toArray(), [1, 2, 5, 6, 9, 10]);
  checkOp(t, (a) => a.narrow(1, 1, 2), { shapes: [[3, 4]], oracle: (a) => [1, 2, 5, 6, 9, 10].map((i) => a.data[i]!) });
});
test('split and concat invert each other, with gradients', (t) => {
  const x = Tensor.arange(24).reshape(2, 6, 2);
  const parts = x.split([1, 2, 3], 1);
  t.deepEqual(parts.map((p) => p.shape[1]), [1, 2, 3]);
  t.deepEqual(concat(parts, 1).toArray(), x.toArray());
  checkOp(t, (a, b) => concat([a, b, a], 1), {
    shapes: [[2, 3], [2, 1]],
    oracle: (a, b) => [0, 1].flatMap((r) => [...a.data.subarray(r * 3, r * 3 + 3), b.data[r]!, ...a.data.subarray(r * 3, r * 3 + 3)]),
  });
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

test('linear (x·Wᵀ + b, one node with a hand-written backward)', (t) =>
  checkOp(t, (x, w, b) => linear(x, w, b), {
    shapes: [[6, 5], [3, 5], [3]],
    shape: [6, 3],
    oracle: (x, w, b) => {
      const out: number[] = [];
      for (let n = 0; n < 6; n++)
        for (let o = 0; o < 3; o++) {
          let s = b.data[o]!;
          for (let i = 0; i < 5; i++) s += x.data[n * 5 + i]! * w.data[o * 5 + i]!;
          out.push(s);
        }
      return out;
    },
  }));
test('linear without bias, shape errors named', (t) => {
  checkOp(t, (x, w) => linear(x, w), { shapes: [[2, 4], [7, 4]], shape: [2, 7] });
  t.throws(() => linear(Tensor.zeros([2, 3]), Tensor.zeros([7, 4])), { message: /^linear: input must be \[N, 4\] for weight \[7, 4\], got \[2, 3\]/ });
});
