import { affine, concat, leakyRelu, linear, Tensor, threshold, type Generator } from '../portable.js';
import type { OpCase, OracleInput } from './checkOp.js';
import { awayFromZero, positive } from './inputs.js';

/** One row of core's op table: a name, the op, and how {@link checkOp} builds and judges it. */
export interface OpRow {
  /** The test title, e.g. `add [3,4] ⊕ [4]`. */
  readonly name: string;
  readonly op: (...xs: Tensor[]) => Tensor;
  readonly case: OpCase;
}

/** Plain-JS broadcasting binary op (the oracle). */
function bcast(f: (x: number, y: number) => number) {
  return (a: OracleInput, b: OracleInput): number[] => {
    const n = Math.max(a.shape.length, b.shape.length);
    const pad = (s: readonly number[]) => [...Array<number>(n - s.length).fill(1), ...s];
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
const unary = (f: (x: number) => number) => (a: OracleInput) => Array.from(a.data, f);

function matmulOracle(a: OracleInput, b: OracleInput): number[] {
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

function reduceOracle(kind: 'sum' | 'mean' | 'max', axis: number) {
  return (a: OracleInput): number[] => {
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

function softmaxOracle(log: boolean, axis: number) {
  return (a: OracleInput): number[] => {
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

function linearOracle(x: OracleInput, w: OracleInput, b: OracleInput): number[] {
  const out: number[] = [];
  for (let n = 0; n < 6; n++)
    for (let o = 0; o < 3; o++) {
      let s = b.data[o]!;
      for (let i = 0; i < 5; i++) s += x.data[n * 5 + i]! * w.data[o * 5 + i]!;
      out.push(s);
    }
  return out;
}

const fixed = (values: number[]) => (shape: number[]) => Tensor.from(values, shape);
/** Inputs where position `at` holds fixed indices and every other position is standard normal. */
const withIndices = (at: number, values: number[]) => (s: number[], r: Generator, k: number) => (k === at ? fixed(values)(s) : Tensor.randn(s, r));

function binaryRows(): OpRow[] {
  const ops: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [
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
  const rows = ops.flatMap(([name, op, f]) =>
    shapePairs.map(([sa, sb]): OpRow => ({ name: `${name} ${JSON.stringify(sa)} ⊕ ${JSON.stringify(sb)}`, op: (a, b) => op(a!, b!), case: { shapes: [sa, sb], oracle: bcast(f) } })),
  );
  rows.push({
    name: 'div with broadcasting',
    op: (a, b) => a!.div(b!),
    case: { shapes: [[3, 4], [4]], make: (s, r, i) => (i === 1 ? positive(s, r) : Tensor.randn(s, r)), oracle: bcast((x, y) => x / y) },
  });
  return rows;
}

function unaryRows(): OpRow[] {
  const ops: [string, (x: Tensor) => Tensor, (x: number) => number, ((s: number[], r: Generator) => Tensor)?][] = [
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
  return ops.map(([name, op, f, make]): OpRow => ({ name, op: (x) => op(x!), case: { shapes: [[5, 7]], oracle: unary(f), ...(make ? { make } : {}) } }));
}

function matmulRows(): OpRow[] {
  const shapes: [number[], number[], number[]][] = [
    [[5, 7], [7, 6], [5, 6]],
    [[4, 8], [8, 4], [4, 4]],
    [[1, 3], [3, 9], [1, 9]],
    [[3, 5, 2], [3, 2, 4], [3, 5, 4]],
    [[3, 5, 2], [2, 4], [3, 5, 4]],
    [[5, 2], [3, 2, 4], [3, 5, 4]],
    [[6], [6, 3], [3]],
    [[4, 6], [6], [4]],
  ];
  const rows = shapes.map(([sa, sb, so]): OpRow => ({ name: `matmul ${JSON.stringify(sa)} · ${JSON.stringify(sb)}`, op: (a, b) => a!.matmul(b!), case: { shapes: [sa, sb], shape: so, oracle: matmulOracle } }));
  rows.push({ name: 'matmul of a large odd shape agrees across backends', op: (a, b) => a!.matmul(b!), case: { shapes: [[37, 61], [61, 43]], oracle: matmulOracle, grad: { maxPerInput: 40 } } });
  return rows;
}

function reduceRows(): OpRow[] {
  return (['sum', 'mean', 'max'] as const).flatMap((kind): OpRow[] => [
    ...[0, 1, 2].map((axis): OpRow => ({ name: `${kind} over axis ${axis}`, op: (x) => x![kind](axis), case: { shapes: [[3, 4, 5]], oracle: reduceOracle(kind, axis) } })),
    { name: `${kind} of all elements`, op: (x) => x![kind](), case: { shapes: [[4, 6]], shape: [], oracle: (a) => reduceOracle(kind, 0)({ data: a.data, shape: [a.data.length] }) } },
  ]);
}

function softmaxRows(): OpRow[] {
  return [1, 0, 2].flatMap((axis): OpRow[] => [
    { name: `softmax over axis ${axis}`, op: (x) => x!.softmax(axis), case: { shapes: [[3, 5, 2]], oracle: softmaxOracle(false, axis) } },
    { name: `logSoftmax over axis ${axis}`, op: (x) => x!.logSoftmax(axis), case: { shapes: [[3, 5, 2]], oracle: softmaxOracle(true, axis) } },
  ]);
}

function indexRows(): OpRow[] {
  return [
    {
      name: 'gather along axis 1',
      op: (x, i) => x!.gather(1, i!),
      case: { shapes: [[3, 4], [3, 2]], make: withIndices(1, [0, 3, 2, 2, 1, 0]), noGrad: [1], oracle: (a) => [a.data[0]!, a.data[3]!, a.data[6]!, a.data[6]!, a.data[9]!, a.data[8]!] },
    },
    {
      name: 'gather along axis 0',
      op: (x, i) => x!.gather(0, i!),
      case: { shapes: [[3, 2], [2, 2]], make: withIndices(1, [2, 0, 0, 0]), noGrad: [1], oracle: (a) => [a.data[4]!, a.data[1]!, a.data[0]!, a.data[1]!] },
    },
    {
      name: 'indexSelect rows (an embedding lookup) with repeats',
      op: (x, i) => x!.indexSelect(0, i!),
      case: { shapes: [[5, 3], [4]], make: withIndices(1, [4, 0, 4, 2]), noGrad: [1], oracle: (a) => [4, 0, 4, 2].flatMap((row) => Array.from(a.data.subarray(row * 3, row * 3 + 3))) },
    },
    {
      name: 'indexSelect columns',
      op: (x, i) => x!.indexSelect(1, i!),
      case: { shapes: [[2, 4], [3]], make: withIndices(1, [3, 1, 1]), noGrad: [1], oracle: (a) => [3, 1, 1, 7, 5, 5].map((i) => a.data[i]!) },
    },
  ];
}

function shapeRows(): OpRow[] {
  return [
    {
      name: 'permute',
      op: (x) => x!.permute(2, 0, 1),
      case: {
        shapes: [[2, 3, 4]],
        shape: [4, 2, 3],
        oracle: (a) => {
          const out: number[] = [];
          for (let k = 0; k < 4; k++) for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) out.push(a.data[i * 12 + j * 4 + k]!);
          return out;
        },
      },
    },
    { name: 'transpose 2-D', op: (x) => x!.t(), case: { shapes: [[3, 5]], shape: [5, 3], oracle: (a) => Array.from({ length: 15 }, (_, i) => a.data[(i % 3) * 5 + Math.floor(i / 3)]!) } },
    { name: 'reshape passes gradients', op: (a) => a!.reshape(3, 2).mul(a!.reshape(3, 2)), case: { shapes: [[6]], oracle: unary((v) => v * v) } },
    { name: 'narrow along axis 1', op: (a) => a!.narrow(1, 1, 2), case: { shapes: [[3, 4]], oracle: (a) => [1, 2, 5, 6, 9, 10].map((i) => a.data[i]!) } },
    {
      name: 'concat with gradients',
      op: (a, b) => concat([a!, b!, a!], 1),
      case: { shapes: [[2, 3], [2, 1]], oracle: (a, b) => [0, 1].flatMap((r) => [...a.data.subarray(r * 3, r * 3 + 3), b.data[r]!, ...a.data.subarray(r * 3, r * 3 + 3)]) },
    },
  ];
}

function linearRows(): OpRow[] {
  return [
    { name: 'linear (x·Wᵀ + b, one node with a hand-written backward)', op: (x, w, b) => linear(x!, w!, b), case: { shapes: [[6, 5], [3, 5], [3]], shape: [6, 3], oracle: linearOracle } },
    { name: 'linear without bias', op: (x, w) => linear(x!, w!), case: { shapes: [[2, 4], [7, 4]], shape: [2, 7] } },
  ];
}

/**
 * Core's op table: every differentiable tensor op with its input shapes and an independent
 * plain-JS oracle. `test/ops.test.ts` runs each row through {@link checkOp} (oracle, shape,
 * gradcheck, cpu/webasm parity, thread bit-identity); the browser test runs the same rows in a page
 * on WebGL against `cpu` ({@link opParity}).
 *
 * @example
 * for (const row of OP_CASES) test(row.name, (t) => checkOp(t, row.op, row.case));
 */
export const OP_CASES: readonly OpRow[] = [...binaryRows(), ...unaryRows(), ...matmulRows(), ...reduceRows(), ...softmaxRows(), ...indexRows(), ...shapeRows(), ...linearRows()];
