import test from 'ava';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  concat, Generator, gradcheck, kernels, loadModule, noGrad, parseSafetensors, saveModule, serializeSafetensors, stackTensors, Tensor, writeFileAtomic, type Module,
} from '@eole/core';
import { checkGrad, maxAbsErr, tempDir, testModules } from '@eole/core/testing';
import {
  detachState, GRU, GRUCell, gruCell, LSTM, LSTMCell, lstmCell, RNN, RNNCell, type Recurrent, type RecurrentState,
} from '@eole/rnn-memory';
import { RNN_RECURRENT_CASES } from '@eole/rnn-memory/testing';

// ---- helpers ----------------------------------------------------------------------------------

const N = 2;
const IN = 3;
const H = 4;
const T = 5;

/** Every output of a sequence layer (outputs, h, c) as one flat tensor, for gradcheck and parity. */
function flatResult(result: { output: Tensor; state: RecurrentState }): Tensor {
  const parts = [result.output, result.state.h, ...(result.state.c ? [result.state.c] : [])];
  return concat(parts.map((p) => p.reshape([p.size])), 0);
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

type LayerKind = 'RNN' | 'LSTM' | 'GRU';
/** A seeded layer, batch first unless `batchFirst: false` (most tests below are written over [N, T, in]). */
function makeLayer(kind: LayerKind, seed: number, options: { numLayers?: number; dropout?: number; inputSize?: number; batchFirst?: boolean } = {}): Recurrent {
  const rng = new Generator(seed);
  const opts = { numLayers: options.numLayers ?? 1, dropout: options.dropout ?? 0, rng, batchFirst: options.batchFirst ?? true };
  const inputSize = options.inputSize ?? IN;
  if (kind === 'RNN') return new RNN(inputSize, H, opts);
  if (kind === 'LSTM') return new LSTM(inputSize, H, opts);
  return new GRU(inputSize, H, opts);
}

function initialFor(kind: LayerKind, L: number, rng: Generator, n = N): RecurrentState {
  const h = Tensor.randn([L, n, H], rng, 0, 0.5).requiresGrad_();
  return kind === 'LSTM' ? { h, c: Tensor.randn([L, n, H], rng, 0, 0.5).requiresGrad_() } : { h };
}

// ---- the cell ops: gradcheck on both backends -------------------------------------------------

for (const backend of ['cpu', 'webasm'] as const) {
  test(`lstmCell and gruCell pass gradcheck on ${backend} (gates, hidden gates, previous state)`, (t) => {
    const rng = new Generator(11);
    kernels.withBackend(backend, () => {
      const xg = Tensor.randn([N, 4 * H], rng).requiresGrad_();
      const hg = Tensor.randn([N, 4 * H], rng).requiresGrad_();
      const c = Tensor.randn([N, H], rng).requiresGrad_();
      checkGrad(t, 'lstmCell', (a, b, cc) => lstmCell(a!, b!, cc!), [xg, hg, c]);
      const xr = Tensor.randn([N, 3 * H], rng).requiresGrad_();
      const hr = Tensor.randn([N, 3 * H], rng).requiresGrad_();
      const h = Tensor.randn([N, H], rng).requiresGrad_();
      checkGrad(t, 'gruCell', (a, b, hh) => gruCell(a!, b!, hh!), [xr, hr, h]);
    });
  });
}

// ---- cells: gradcheck wrt input, state and every parameter ------------------------------------

test('RNNCell (tanh and relu), LSTMCell and GRUCell pass gradcheck wrt input, state and every parameter', (t) => {
  const rng = new Generator(5);
  const x = Tensor.randn([N, IN], rng).requiresGrad_();
  const h = Tensor.randn([N, H], rng, 0, 0.5).requiresGrad_();
  const c = Tensor.randn([N, H], rng, 0, 0.5).requiresGrad_();
  for (const nonlinearity of ['tanh', 'relu'] as const) {
    const cell = new RNNCell(IN, H, { nonlinearity, rng: new Generator(3) });
    t.is(cell.parameters().length, 4);
    checkGrad(t, `RNNCell ${nonlinearity}`, (xx, hh) => cell.step(xx!, hh!), [x, h, ...cell.parameters()]);
  }
  const lstm = new LSTMCell(IN, H, { rng: new Generator(3) });
  checkGrad(t, 'LSTMCell', (xx, hh, cc) => {
    const s = lstm.step(xx!, { h: hh!, c: cc! });
    return stackTensors([s.h, s.c]);
  }, [x, h, c, ...lstm.parameters()]);
  const gru = new GRUCell(IN, H, { rng: new Generator(3) });
  checkGrad(t, 'GRUCell', (xx, hh) => gru.step(xx!, hh!), [x, h, ...gru.parameters()]);
});

test('cells: PyTorch names and shapes, ±1/√H initialisation, forgetBias, forward from the zero state', (t) => {
  const lstm = new LSTMCell(IN, H, { rng: new Generator(1), forgetBias: 1 });
  t.deepEqual([...lstm.stateDict()].map(([k, v]) => [k, [...v.shape]]), [
    ['weight_ih', [4 * H, IN]],
    ['weight_hh', [4 * H, H]],
    ['bias_ih', [4 * H]],
    ['bias_hh', [4 * H]],
  ]);
  const bound = 1 / Math.sqrt(H);
  t.true(lstm.weight_hh.toArray().every((v) => Math.abs(v) <= bound));
  t.true(lstm.bias_ih!.toArray().slice(H, 2 * H).every((v) => v >= 1 - bound && v <= 1 + bound), 'forget block shifted by 1');
  t.true(lstm.bias_ih!.toArray().slice(0, H).every((v) => Math.abs(v) <= bound), 'input block untouched');
  const x = Tensor.randn([N, IN], new Generator(2));
  const fromZero = noGrad(() => lstm.step(x, { h: Tensor.zeros([N, H]), c: Tensor.zeros([N, H]) }));
  t.deepEqual(noGrad(() => lstm.forward(x)).toArray(), fromZero.h.toArray());
  t.is(new GRUCell(IN, H, { rng: new Generator(1) }).toString(), 'nn.GRUCell(3 -> 4)');
  t.is(new RNNCell(IN, H, { nonlinearity: 'relu', bias: false }).toString(), 'nn.RNNCell(3 -> 4, relu, without bias)');
  t.deepEqual([...new RNNCell(IN, H, { bias: false }).stateDict().keys()], ['weight_ih', 'weight_hh']);
});

// ---- sequence layers: gradcheck wrt input, initial state and every parameter ----------------

for (const kind of ['RNN', 'LSTM', 'GRU'] as const) {
  test(`${kind} (2 layers, variable lengths) passes gradcheck wrt input, initial state and every parameter`, (t) => {
    const layer = makeLayer(kind, 7, { numLayers: 2 });
    const rng = new Generator(8);
    const x = Tensor.randn([N, T, IN], rng).requiresGrad_();
    const initial = initialFor(kind, 2, rng);
    const stateInputs = initial.c ? [initial.h, initial.c] : [initial.h];
    checkGrad(t, kind, (xx, ...rest) => {
      const init = initial.c ? { h: rest[0]!, c: rest[1]! } : { h: rest[0]! };
      return flatResult(layer.forwardWithState(xx!, { initial: init, lengths: [T, 3] }));
    }, [x, ...stateInputs, ...layer.parameters()]);
  });
}

// ---- every module: gradcheck, backward = autograd, cpu/webasm parity, round trip ---------------

testModules(test, RNN_RECURRENT_CASES);

// ---- time-major sequences [T, N, in], PyTorch's default ----------------------------------------



for (const kind of ['RNN', 'LSTM', 'GRU'] as const) {
  test(`${kind} time-major (2 layers, variable lengths) passes gradcheck wrt input, initial state and every parameter`, (t) => {
    const layer = makeLayer(kind, 7, { numLayers: 2, batchFirst: false });
    const rng = new Generator(8);
    const x = Tensor.randn([T, N, IN], rng).requiresGrad_();
    const initial = initialFor(kind, 2, rng);
    const stateInputs = initial.c ? [initial.h, initial.c] : [initial.h];
    checkGrad(t, `${kind} time-major`, (xx, ...rest) => {
      const init = initial.c ? { h: rest[0]!, c: rest[1]! } : { h: rest[0]! };
      return flatResult(layer.forwardWithState(xx!, { initial: init, lengths: [T, 3] }));
    }, [x, ...stateInputs, ...layer.parameters()]);
  });

  test(`${kind}: time-major forward on the permuted input = batch-first forward permuted, gradients too (bit-exact, with lengths, initial state and dropout)`, (t) => {
    const rng = new Generator(101);
    const xb = Tensor.randn([3, 6, IN], rng);
    const init = initialFor(kind, 2, rng, 3);
    const weights = Tensor.randn([6, 3, H], rng);
    const lengths = [6, 2, 4];
    const run = (batchFirst: boolean) => {
      const layer = makeLayer(kind, 102, { numLayers: 2, dropout: 0.3, batchFirst });
      const x = (batchFirst ? xb : noGrad(() => xb.permute([1, 0, 2]))).detach().requiresGrad_();
      const h = init.h.detach().requiresGrad_();
      const c = init.c?.detach().requiresGrad_();
      const r = layer.forwardWithState(x, { initial: c ? { h, c } : { h }, lengths });
      const outTN = batchFirst ? r.output.permute([1, 0, 2]) : r.output;
      const loss = outTN.mul(weights).sum().add(r.state.h.sum());
      (r.state.c ? loss.add(r.state.c.mul(2).sum()) : loss).backward();
      const gx = batchFirst ? x.grad!.permute([1, 0, 2]) : x.grad!;
      return {
        shape: [...r.output.shape],
        values: [outTN, r.state.h, ...(r.state.c ? [r.state.c] : []), gx, h.grad!, ...(c ? [c.grad!] : []), ...layer.parameters().map((p) => p.grad!)].map((v) => Array.from(v.data)),
      };
    };
    const bf = run(true);
    const tm = run(false);
    t.deepEqual(bf.shape, [3, 6, H]);
    t.deepEqual(tm.shape, [6, 3, H]);
    t.is(tm.values.length, bf.values.length);
    tm.values.forEach((v, i) => t.deepEqual(v, bf.values[i], `entry ${i}`));
  });
}

test('the layout: time-major by default as PyTorch, batchFirst in toString, and not in the state dict (a batch-first checkpoint loads into a time-major layer)', (t) => {
  for (const make of [(o: { batchFirst?: boolean }) => new RNN(IN, H, o), (o: { batchFirst?: boolean }) => new LSTM(IN, H, o), (o: { batchFirst?: boolean }) => new GRU(IN, H, o)]) {
    t.false(make({}).batchFirst);
    t.true(make({ batchFirst: true }).batchFirst);
    t.deepEqual([...noGrad(() => make({}).forward(Tensor.zeros([T, N, IN]))).shape], [T, N, H], 'x [T, N, in] → [T, N, H]');
    t.deepEqual([...noGrad(() => make({ batchFirst: true }).forward(Tensor.zeros([N, T, IN]))).shape], [N, T, H], 'x [N, T, in] → [N, T, H]');
  }
  t.is(new LSTM(IN, H, { batchFirst: true }).toString(), 'nn.LSTM(3 -> 4, batch first)');
  t.is(new GRU(IN, H, { numLayers: 2, batchFirst: false }).toString(), 'nn.GRU(3 -> 4, 2 layers)');
  t.is(new RNN(IN, H, { nonlinearity: 'relu', batchFirst: true }).toString(), 'nn.RNN(3 -> 4, batch first, relu)');
  const dir = tempDir('rnn-layout');
  try {
    const saved = makeLayer('LSTM', 111, { numLayers: 2, batchFirst: true });
    const path = join(dir, 'lstm.safetensors');
    saveModule(path, saved);
    const loaded = makeLayer('LSTM', 112, { numLayers: 2, batchFirst: false });
    loadModule(path, loaded);
    const x = Tensor.randn([N, T, IN], new Generator(113));
    const bf = noGrad(() => saved.forwardWithState(x));
    const tm = noGrad(() => loaded.forwardWithState(x.permute([1, 0, 2])));
    t.deepEqual(tm.output.toArray(), bf.output.permute([1, 0, 2]).toArray());
    t.deepEqual(tm.state.h.toArray(), bf.state.h.toArray(), 'h_n is [L, N, H] in both layouts');
    t.deepEqual(tm.state.c!.toArray(), bf.state.c!.toArray(), 'c_n too');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- an independent oracle ---------------------------------------------------------------------

/** A plain float64 LSTM written from the equations: returns outputs [N][T][H] and the final h, c. */
function lstmOracle(x: Tensor, p: Map<string, Tensor>, L: number, hidden: number, h0: Tensor, c0: Tensor): { out: number[][][]; h: number[][][]; c: number[][][] } {
  const [n, steps, inSize] = x.shape as [number, number, number];
  let seq: number[][][] = Array.from({ length: n }, (_, b) => Array.from({ length: steps }, (_, s) => Array.from({ length: inSize }, (_, k) => x.data[(b * steps + s) * inSize + k]!)));
  const hs: number[][][] = [];
  const cs: number[][][] = [];
  for (let l = 0; l < L; l++) {
    const wih = p.get(`weight_ih_l${l}`)!;
    const whh = p.get(`weight_hh_l${l}`)!;
    const bih = p.get(`bias_ih_l${l}`)!;
    const bhh = p.get(`bias_hh_l${l}`)!;
    const width = wih.shape[1]!;
    const hl: number[][] = [];
    const cl: number[][] = [];
    const next: number[][][] = [];
    for (let b = 0; b < n; b++) {
      let h = Array.from({ length: hidden }, (_, j) => h0.data[(l * n + b) * hidden + j]!);
      let c = Array.from({ length: hidden }, (_, j) => c0.data[(l * n + b) * hidden + j]!);
      const outs: number[][] = [];
      for (let s = 0; s < steps; s++) {
        const input = seq[b]![s]!;
        const a = (row: number): number => {
          let v = bih.data[row]! + bhh.data[row]!;
          for (let k = 0; k < width; k++) v += wih.data[row * width + k]! * input[k]!;
          for (let k = 0; k < hidden; k++) v += whh.data[row * hidden + k]! * h[k]!;
          return v;
        };
        const nc: number[] = [];
        const nh: number[] = [];
        for (let j = 0; j < hidden; j++) {
          const i = sigmoid(a(j));
          const f = sigmoid(a(hidden + j));
          const g = Math.tanh(a(2 * hidden + j));
          const o = sigmoid(a(3 * hidden + j));
          nc.push(f * c[j]! + i * g);
          nh.push(o * Math.tanh(nc[j]!));
        }
        h = nh;
        c = nc;
        outs.push(h);
      }
      hl.push(h);
      cl.push(c);
      next.push(outs);
    }
    hs.push(hl);
    cs.push(cl);
    seq = next;
  }
  return { out: seq, h: hs, c: cs };
}

test('LSTM (2 layers) agrees with a plain float64 LSTM written from the equations', (t) => {
  const lstm = makeLayer('LSTM', 21, { numLayers: 2 });
  const rng = new Generator(22);
  const x = Tensor.randn([N, T, IN], rng);
  const h0 = Tensor.randn([2, N, H], rng, 0, 0.5);
  const c0 = Tensor.randn([2, N, H], rng, 0, 0.5);
  const { output, state } = noGrad(() => lstm.forwardWithState(x, { initial: { h: h0, c: c0 } }));
  const oracle = lstmOracle(x, lstm.stateDict(), 2, H, h0, c0);
  t.true(maxAbsErr(output.data, oracle.out.flat(2)) < 1e-5, `outputs differ by ${maxAbsErr(output.data, oracle.out.flat(2))}`);
  t.true(maxAbsErr(state.h.data, oracle.h.flat(2)) < 1e-5);
  t.true(maxAbsErr(state.c!.data, oracle.c.flat(2)) < 1e-5);
  // The cell is the same computation.
  const cell = new LSTMCell(IN, H);
  cell.loadStateDict(new Map([...lstm.stateDict()].filter(([k]) => k.endsWith('_l0')).map(([k, v]) => [k.slice(0, -3), v])));
  const first = noGrad(() => cell.step(x.narrow(1, 0, 1).reshape([N, IN]), { h: h0.narrow(0, 0, 1).reshape([N, H]), c: c0.narrow(0, 0, 1).reshape([N, H]) }));
  const firstOracle = lstmOracle(x.narrow(1, 0, 1), lstm.stateDict(), 1, H, h0, c0);
  t.true(maxAbsErr(first.h.data, firstOracle.h.flat(2)) < 1e-5);
});

/** GRU from the equations (one layer): final h [N][H]. */
function gruOracle(x: Tensor, p: Map<string, Tensor>, hidden: number): number[][] {
  const [n, steps, inSize] = x.shape as [number, number, number];
  const [wih, whh, bih, bhh] = ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0'].map((k) => p.get(k)!.data) as [Float32Array, Float32Array, Float32Array, Float32Array];
  const out: number[][] = [];
  for (let b = 0; b < n; b++) {
    let h = new Array<number>(hidden).fill(0);
    for (let s = 0; s < steps; s++) {
      const xi = (row: number): number => {
        let v = bih[row]!;
        for (let k = 0; k < inSize; k++) v += wih[row * inSize + k]! * x.data[(b * steps + s) * inSize + k]!;
        return v;
      };
      const hi = (row: number): number => {
        let v = bhh[row]!;
        for (let k = 0; k < hidden; k++) v += whh[row * hidden + k]! * h[k]!;
        return v;
      };
      h = h.map((hj, j) => {
        const r = sigmoid(xi(j) + hi(j));
        const z = sigmoid(xi(hidden + j) + hi(hidden + j));
        const nn = Math.tanh(xi(2 * hidden + j) + r * hi(2 * hidden + j));
        return (1 - z) * nn + z * hj;
      });
    }
    out.push(h);
  }
  return out;
}

test('GRU and RNN agree with plain float64 versions of their equations', (t) => {
  const rng = new Generator(31);
  const x = Tensor.randn([N, T, IN], rng);
  const gru = makeLayer('GRU', 32);
  noGrad(() => gru.forward(x));
  t.true(maxAbsErr(gru.finalState!.h.data, gruOracle(x, gru.stateDict(), H).flat()) < 1e-5);
  const rnn = new RNN(IN, H, { nonlinearity: 'relu', rng: new Generator(33), batchFirst: true });
  const y = noGrad(() => rnn.forward(x));
  const p = rnn.stateDict();
  const [wih, whh, bih, bhh] = ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0'].map((k) => p.get(k)!.data) as [Float32Array, Float32Array, Float32Array, Float32Array];
  const expected: number[] = [];
  for (let b = 0; b < N; b++) {
    let h = new Array<number>(H).fill(0);
    for (let s = 0; s < T; s++) {
      h = h.map((_, j) => {
        let v = bih[j]! + bhh[j]!;
        for (let k = 0; k < IN; k++) v += wih[j * IN + k]! * x.data[(b * T + s) * IN + k]!;
        for (let k = 0; k < H; k++) v += whh[j * H + k]! * h[k]!;
        return Math.max(0, v);
      });
      expected.push(...h);
    }
  }
  t.true(maxAbsErr(y.data, expected) < 1e-5);
});

// ---- masking -------------------------------------------------------------------------------------

for (const kind of ['RNN', 'LSTM', 'GRU'] as const) {
  test(`${kind}: a padded sequence ends in the state of the unpadded one, with zero outputs past its length`, (t) => {
    const layer = makeLayer(kind, 41, { numLayers: 2 });
    const rng = new Generator(42);
    const x = Tensor.randn([N, T, IN], rng);
    const short = 3;
    const padded = noGrad(() => layer.forwardWithState(x, { lengths: [T, short] }));
    const alone = noGrad(() => layer.forwardWithState(x.narrow(0, 1, 1).narrow(1, 0, short)));
    const rowOf = (s: Tensor, l: number): Float32Array => s.data.subarray((l * N + 1) * H, (l * N + 2) * H);
    for (let l = 0; l < 2; l++) {
      t.true(maxAbsErr(rowOf(padded.state.h, l), alone.state.h.data.subarray(l * H, (l + 1) * H)) < 1e-6, `h of layer ${l}`);
      if (kind === 'LSTM') t.true(maxAbsErr(rowOf(padded.state.c!, l), alone.state.c!.data.subarray(l * H, (l + 1) * H)) < 1e-6, `c of layer ${l}`);
    }
    const seq1 = padded.output.data.subarray(T * H, 2 * T * H);
    t.true(maxAbsErr(seq1.subarray(0, short * H), alone.output.data) < 1e-6, 'outputs within the length');
    t.true(seq1.subarray(short * H).every((v) => v === 0), 'outputs past the length are zero');
    const full = noGrad(() => layer.forwardWithState(x.narrow(0, 0, 1)));
    t.true(maxAbsErr(padded.output.data.subarray(0, T * H), full.output.data) < 1e-6, 'the full-length sequence is unaffected');
  });
}

// ---- backends ------------------------------------------------------------------------------------

for (const kind of ['RNN', 'LSTM', 'GRU'] as const) {
  test(`${kind}: cpu and webasm agree on outputs, states and every gradient (within 1e-5)`, (t) => {
    const layer = makeLayer(kind, 51, { numLayers: 2 });
    const rng = new Generator(52);
    const x = Tensor.randn([3, 6, IN], rng).requiresGrad_();
    const weights = Tensor.randn([3 * 6 * H + 2 * 3 * H * (kind === 'LSTM' ? 2 : 1)], rng);
    const run = (backend: 'cpu' | 'webasm'): number[][] =>
      kernels.withBackend(backend, () => {
        layer.zeroGradParameters();
        x.grad = null;
        const flat = flatResult(layer.forwardWithState(x, { lengths: [6, 2, 4] }));
        flat.mul(weights).sum().backward();
        return [Array.from(flat.data), Array.from(x.grad!.data), ...layer.parameters().map((p) => Array.from(p.grad!.data))];
      });
    const cpu = run('cpu');
    const wasm = run('webasm');
    cpu.forEach((values, i) => t.true(maxAbsErr(values, wasm[i]!) < 1e-5, `entry ${i} differs by ${maxAbsErr(values, wasm[i]!)}`));
  });
}

// ---- save/load and carried state -----------------------------------------------------------------

test('LSTM: save/load round trip through safetensors with PyTorch names, and a carried state (detach) continues the sequence', (t) => {
  const dir = tempDir('rnn');
  try {
    const lstm = makeLayer('LSTM', 61, { numLayers: 2 }) as LSTM;
    t.deepEqual([...lstm.stateDict().keys()], ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1']);
    t.deepEqual([...lstm.stateDict().get('weight_ih_l1')!.shape], [4 * H, H]);
    const path = join(dir, 'lstm.safetensors');
    saveModule(path, lstm);
    const copy = makeLayer('LSTM', 62, { numLayers: 2 }) as LSTM;
    loadModule(path, copy);
    const rng = new Generator(63);
    const x = Tensor.randn([N, 8, IN], rng);
    const whole = noGrad(() => lstm.forwardWithState(x));
    t.deepEqual(noGrad(() => copy.forwardWithState(x)).output.toArray(), whole.output.toArray());

    // Truncated BPTT: two chunks with the detached state carried give the whole sequence.
    const first = lstm.forwardWithState(x.narrow(1, 0, 5));
    const carried = detachState(first.state);
    t.false(carried.h.requiresGrad);
    t.is(carried.h.gradFn, null);
    // The carried state survives a save/load (beside the weights), and the loaded model continues.
    const statePath = join(dir, 'state.safetensors');
    writeFileAtomic(statePath, serializeSafetensors(new Map([['h', carried.h], ['c', carried.c]])));
    const restored = parseSafetensors(readFileSync(statePath)).tensors;
    const rest = noGrad(() => copy.forwardWithState(x.narrow(1, 5, 3), { initial: { h: restored.get('h')!, c: restored.get('c')! } }));
    t.true(maxAbsErr(rest.output.data, concatSteps(whole.output, 5, 3)) < 1e-6, 'second chunk = steps 5..7 of the whole run');
    t.true(maxAbsErr(rest.state.h.data, whole.state.h.data) < 1e-6);
    t.true(maxAbsErr(rest.state.c!.data, whole.state.c!.data) < 1e-6);

    // Gradients stop at the carried state: the second chunk's loss does not reach the first chunk.
    const x1 = x.narrow(1, 0, 5).detach().requiresGrad_();
    const chunk1 = lstm.forwardWithState(x1);
    const chunk2 = lstm.forwardWithState(x.narrow(1, 5, 3), { initial: detachState(chunk1.state) });
    chunk2.output.sum().backward();
    t.is(x1.grad, null, 'no gradient crosses the detached state');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Steps [start, start + len) of outputs [N, T, H], flattened. */
function concatSteps(output: Tensor, start: number, len: number): number[] {
  const [n, steps, hidden] = output.shape as [number, number, number];
  const out: number[] = [];
  for (let b = 0; b < n; b++) out.push(...output.data.subarray((b * steps + start) * hidden, (b * steps + start + len) * hidden));
  return out;
}

// ---- stacking, dropout, Module API -------------------------------------------------------------

test('stacking and dropout: shapes, seeded masks, evaluate() switches dropout off', (t) => {
  const rng = new Generator(71);
  const x = Tensor.randn([N, T, IN], rng);
  for (const kind of ['RNN', 'LSTM', 'GRU'] as const) {
    const layer = makeLayer(kind, 72, { numLayers: 3, dropout: 0.5 });
    const y = noGrad(() => layer.forward(x));
    t.deepEqual([...y.shape], [N, T, H]);
    t.deepEqual([...layer.finalState!.h.shape], [3, N, H]);
    t.is(layer.finalState!.c !== undefined, kind === 'LSTM');
    const again = makeLayer(kind, 72, { numLayers: 3, dropout: 0.5 });
    t.deepEqual(noGrad(() => again.forward(x)).toArray(), y.toArray(), 'the same seed draws the same masks');
    const plain = makeLayer(kind, 72, { numLayers: 3 });
    const evaluated = noGrad(() => layer.evaluate().forward(x));
    t.deepEqual(evaluated.toArray(), noGrad(() => plain.forward(x)).toArray(), 'evaluate mode = no dropout');
    t.notDeepEqual(y.toArray(), evaluated.toArray(), 'training mode drops units');
  }
  t.is(new LSTM(IN, H, { numLayers: 2, dropout: 0.25 }).toString(), 'nn.LSTM(3 -> 4, 2 layers, dropout 0.25)');
  t.is(new RNN(IN, H, { nonlinearity: 'relu' }).toString(), 'nn.RNN(3 -> 4, relu)');
});

test('Module API: forward returns [N, T, H], keeps the final state, and Torch-style backward gives gradInput', (t) => {
  const lstm = makeLayer('LSTM', 81);
  const rng = new Generator(82);
  const x = Tensor.randn([N, T, IN], rng);
  const y = lstm.forward(x);
  t.deepEqual([...y.shape], [N, T, H]);
  const lastStep = concatSteps(y, T - 1, 1);
  t.true(maxAbsErr(lstm.finalState!.h.data, lastStep) < 1e-7, 'final h = last output');
  const gradOutput = Tensor.randn([N, T, H], rng);
  const gx = lstm.backward(x, gradOutput);
  t.deepEqual([...gx.shape], [N, T, IN]);
  const x2 = x.detach().requiresGrad_();
  lstm.forward(x2).mul(gradOutput).sum().backward();
  t.true(maxAbsErr(gx.data, x2.grad!.data) < 1e-6, 'gradInput = autograd gradient');
});

test('clear errors name the argument, the expected and the actual shape', (t) => {
  const lstm = new LSTM(IN, H, { numLayers: 2, batchFirst: true });
  const x = Tensor.zeros([N, T, IN]);
  t.throws(() => lstm.forward(Tensor.zeros([T, IN])), { message: /input must be batch-first \[N, T, 3\], got \[5, 3\]/ });
  t.throws(() => lstm.forward(Tensor.zeros([N, T, 7])), { message: /\[N, T, 3\], got \[2, 5, 7\]/ });
  t.throws(() => lstm.forwardWithState(x, { initial: { h: Tensor.zeros([1, N, H]), c: Tensor.zeros([2, N, H]) } }), { message: /initial\.h must be \[numLayers, N, H\] = \[2, 2, 4\], got \[1, 2, 4\]/ });
  t.throws(() => lstm.forwardWithState(x, { initial: { h: Tensor.zeros([2, N, H]) } as never }), { message: /initial\.c must be a Tensor/ });
  t.throws(() => lstm.forwardWithState(x, { lengths: [5] }), { message: /one length per sequence \(2\), got 1/ });
  t.throws(() => lstm.forwardWithState(x, { lengths: [5, 6] }), { message: /lengths\[1\] must be an integer in \[1, 5\].*got 6/ });
  t.throws(() => new GRU(IN, H, { batchFirst: true }).forwardWithState(x, { initial: { h: Tensor.zeros([1, N, H]), c: Tensor.zeros([1, N, H]) } as never }), { message: /initial\.c is only for an LSTM/ });
  t.throws(() => new LSTMCell(IN, H).step(Tensor.zeros([N, IN]), { h: Tensor.zeros([N, H]), c: Tensor.zeros([N + 1, H]) }), { message: /state\.c must be \[N, H\] = \[2, 4\].*got \[3, 4\]/ });
  t.throws(() => new GRUCell(IN, H).forward(Tensor.zeros([N, IN + 1])), { message: /input must be \[N, 3\], got \[2, 4\]/ });
  t.throws(() => lstmCell(Tensor.zeros([N, 4 * H]), Tensor.zeros([N, 3 * H]), Tensor.zeros([N, H])), { message: /hGates must have shape \[2, 16\], got \[2, 12\]/ });
  t.throws(() => new LSTM(IN, H, { dropout: 1 }), { message: /dropout must be a probability in \[0, 1\)/ });
  t.throws(() => new RNN(IN, 0), { message: /hiddenSize must be a positive integer, got 0/ });
  t.throws(() => new RNN(IN, H, { batchFirst: 'yes' as never }), { instanceOf: TypeError, message: /RNN: batchFirst must be a boolean, got yes/ });
  const timeMajor = new LSTM(IN, H);
  t.throws(() => timeMajor.forward(Tensor.zeros([T, IN])), { message: /input must be time-major \[T, N, 3\] \(batchFirst: false\), got \[5, 3\]/ });
  t.throws(() => timeMajor.forwardWithState(Tensor.zeros([T, N, IN]), { lengths: [5, 5, 5] }), { message: /one length per sequence \(2\), got 3/ });
  t.throws(() => timeMajor.forwardWithState(Tensor.zeros([T, N, IN]), { initial: { h: Tensor.zeros([1, T, H]), c: Tensor.zeros([1, T, H]) } }), { message: /initial\.h must be \[numLayers, N, H\] = \[1, 2, 4\], got \[1, 5, 4\]/ });
});

test('training lowers the loss: an LSTM learns to echo its input one step later', (t) => {
  const rng = new Generator(91);
  const lstm = new LSTM(2, 8, { rng, batchFirst: true });
  const params = lstm.parameters();
  const x = Tensor.from(Array.from({ length: 4 * 10 * 2 }, () => (rng.uniform() < 0.5 ? 0 : 1)), [4, 10, 2]);
  // Target at step t: the first input feature at step t − 1 (0 at t = 0).
  const target = Tensor.zeros([4, 10]);
  for (let b = 0; b < 4; b++) for (let s = 1; s < 10; s++) target.data[b * 10 + s] = x.data[(b * 10 + s - 1) * 2]!;
  const loss = (): Tensor => lstm.forward(x).narrow(2, 0, 1).reshape([4, 10]).sub(target).pow(2).mean();
  const before = noGrad(loss).item();
  for (let i = 0; i < 150; i++) {
    lstm.zeroGradParameters();
    loss().backward();
    noGrad(() => params.forEach((p) => p.data.set(p.sub(p.grad!.mul(0.5)).data)));
  }
  const after = noGrad(loss).item();
  t.true(after < before * 0.3, `loss ${before} → ${after}`);
});

/** Keeps `Module` imported for the type of makeLayer's users. */
export type AnyModule = Module;
