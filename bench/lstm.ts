import { createRequire } from 'node:module';
import { Generator, Linear, MSECriterion, SGD, Tensor, kernels, type BackendChoice, type BackendName, type KernelStats } from '@eole/core';
import { LSTM } from '@eole/rnn-memory';
import * as tfl from '@tensorflow/tfjs-layers';
import { maxAbsDiff, median, timeAsync, withThreads, type TimingOptions } from './measure.js';
import { dispatch, measuredRow, withRatios, type Row } from './report.js';
import { registerTfGradients, tf, tfWasmFeatures, useTfBackend, type PeerBackend } from './tfjs.js';

const BATCH = 32;
const STEPS = 20;
const IN = 64;
const HIDDEN = 128;
const OUT = 10;
const LR = 0.1;

/** The parts of brain.js 2.0.0-beta.24 (CommonJS) that this benchmark uses. */
interface BrainLSTMTimeStep {
  train(data: number[][][], options: { iterations: number; errorThresh: number; log: boolean; learningRate?: number }): { error: number; iterations: number };
}
interface BrainJs {
  recurrent: { LSTMTimeStep: new (options: { inputSize: number; hiddenLayers: number[]; outputSize: number }) => BrainLSTMTimeStep };
}

/** The seeded batch every implementation sees: x [N, T, in] and targets [N, OUT]. */
interface Data {
  x: Float32Array;
  y: Float32Array;
}

/** Initial weights in Eole's (PyTorch's) layout, shared by Eole and tfjs-layers. */
interface Weights {
  wih: Float32Array; // [4H, in], gates i, f, g, o
  whh: Float32Array; // [4H, H]
  bih: Float32Array; // [4H]
  bhh: Float32Array; // [4H]
  wd: Float32Array; // [OUT, H]
  bd: Float32Array; // [OUT]
}

/** One implementation: `step()` returns the loss before the update; `params()` what it trained, in Eole's layout. */
interface Impl {
  step(): number | Promise<number>;
  /** W_ih, W_hh, the change of the LSTM's total bias since the start, W_out, b_out (see {@link fingerprint}). */
  params(): Float32Array[];
  dispose(): void;
}

function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j]!;
  return out;
}

function sub(a: Float32Array, b: Float32Array): Float32Array {
  return Float32Array.from(a, (v, i) => v - b[i]!);
}

/** Eole: LSTM(64 → 128) over the 20 steps, Linear(128 → 10) on the last hidden state, MSECriterion, SGD. */
function eoleImpl(w: Weights, d: Data, backend: BackendChoice): Impl & { net: { lstm: LSTM; readout: Linear; criterion: MSECriterion; opt: SGD; x: Tensor; y: Tensor } } {
  const lstm = new LSTM(IN, HIDDEN, { rng: new Generator(0), batchFirst: true });
  const readout = new Linear(HIDDEN, OUT, { rng: new Generator(0) });
  const [wih, whh, bih, bhh] = lstm.parameters() as [Tensor, Tensor, Tensor, Tensor];
  const [wd, bd] = readout.parameters() as [Tensor, Tensor];
  wih.data.set(w.wih);
  whh.data.set(w.whh);
  bih.data.set(w.bih);
  bhh.data.set(w.bhh);
  wd.data.set(w.wd);
  bd.data.set(w.bd);
  const x = Tensor.from(d.x, [BATCH, STEPS, IN]);
  const y = Tensor.from(d.y, [BATCH, OUT]);
  const criterion = new MSECriterion();
  const opt = new SGD([...lstm.parameters(), ...readout.parameters()], { lr: LR });
  return {
    net: { lstm, readout, criterion, opt, x, y },
    step: () =>
      kernels.withBackend(backend, () => {
        opt.zeroGrad();
        const last = lstm.forwardWithState(x).state.h.reshape([BATCH, HIDDEN]);
        const loss = criterion.forward(readout.forward(last), y);
        loss.backward();
        opt.step();
        return loss.item();
      }),
    // Eole keeps b_ih and b_hh (PyTorch's layout), tfjs one bias: each of Eole's gets the full
    // gradient, so compare the change of b_ih (= −lr·g after one step) with the change of tfjs's bias.
    params: () => [wih.data.slice(), whh.data.slice(), sub(bih.data, w.bih), wd.data.slice(), bd.data.slice()],
    dispose: () => undefined,
  };
}

/**
 * Initializers for weights that `setWeights` replaces anyway. The default recurrent initializer,
 * orthogonal, calls `Tensor.flatten`, a chained op that only the full `@tensorflow/tfjs` bundle
 * registers (`rMat.flatten is not a function` with tfjs-core alone).
 */
const ZERO_INIT = { kernelInitializer: 'zeros', recurrentInitializer: 'zeros', biasInitializer: 'zeros' } as const;

/**
 * tfjs-layers: `tf.layers.lstm({units: 128, recurrentActivation: 'sigmoid'})` (its default is
 * hardSigmoid) + dense 10, meanSquaredError, sgd, `model.trainOnBatch`. Keras stores the kernels as
 * [in, 4H] and [H, 4H] with the gates in the same order (i, f, c, o) and one bias (b_ih + b_hh).
 */
function tfImpl(w: Weights, d: Data): Impl {
  const model = tfl.sequential({
    layers: [
      tfl.layers.lstm({ units: HIDDEN, returnSequences: false, recurrentActivation: 'sigmoid', unitForgetBias: false, inputShape: [STEPS, IN], ...ZERO_INIT }),
      tfl.layers.dense({ units: OUT, kernelInitializer: 'zeros' }),
    ],
  });
  const opt = tf.train.sgd(LR);
  model.compile({ optimizer: opt, loss: 'meanSquaredError' });
  const bias0 = Float32Array.from(w.bih, (v, i) => v + w.bhh[i]!);
  const weights = [
    tf.tensor2d(transpose(w.wih, 4 * HIDDEN, IN), [IN, 4 * HIDDEN]),
    tf.tensor2d(transpose(w.whh, 4 * HIDDEN, HIDDEN), [HIDDEN, 4 * HIDDEN]),
    tf.tensor1d(bias0),
    tf.tensor2d(transpose(w.wd, OUT, HIDDEN), [HIDDEN, OUT]),
    tf.tensor1d(w.bd),
  ];
  model.setWeights(weights);
  for (const t of weights) t.dispose();
  const xs = tf.tensor3d(d.x, [BATCH, STEPS, IN]);
  const ys = tf.tensor2d(d.y, [BATCH, OUT]);
  return {
    step: async () => (await model.trainOnBatch(xs, ys)) as number,
    params: () => {
      const [k, rk, b, dk, db] = model.getWeights().map((t) => t.dataSync() as Float32Array) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
      return [transpose(k, IN, 4 * HIDDEN), transpose(rk, HIDDEN, 4 * HIDDEN), sub(b, bias0), transpose(dk, HIDDEN, OUT), db.slice()];
    },
    dispose: () => {
      model.dispose();
      opt.dispose();
      xs.dispose();
      ys.dispose();
    },
  };
}

/** The loss of the first step from the shared start, then every parameter after it. */
async function fingerprint(impl: Impl): Promise<Float32Array> {
  const loss = await impl.step();
  const params = impl.params();
  const out = new Float32Array(1 + params.reduce((n, p) => n + p.length, 0));
  out[0] = loss;
  let o = 1;
  for (const p of params) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Where Eole's step spends its time: forward, backward, update, with our kernel launches in each. */
export interface LstmProfile {
  /** Threads the phases ran on (`kernels.threads`). */
  threads: number;
  forwardMs: number;
  backwardMs: number;
  updateMs: number;
  kernels: { forward: Partial<Record<BackendName, number>>; backward: Partial<Record<BackendName, number>>; update: Partial<Record<BackendName, number>> };
}

function launches(a: KernelStats, b: KernelStats): Partial<Record<BackendName, number>> {
  const out: Partial<Record<BackendName, number>> = {};
  for (const k of Object.keys(b.calls) as BackendName[]) {
    const n = b.calls[k] - a.calls[k];
    if (n > 0) out[k] = n;
  }
  return out;
}

/** Times the three phases of Eole's step separately (median over `reps`). */
function profileEole(impl: ReturnType<typeof eoleImpl>, reps: number): LstmProfile {
  const { lstm, readout, criterion, opt, x, y } = impl.net;
  const fwd: number[] = [];
  const bwd: number[] = [];
  const upd: number[] = [];
  let counts: LstmProfile['kernels'] | null = null;
  for (let r = 0; r < reps; r++) {
    opt.zeroGrad();
    const a = kernels.stats();
    let t0 = performance.now();
    const loss = criterion.forward(readout.forward(lstm.forwardWithState(x).state.h.reshape([BATCH, HIDDEN])), y);
    loss.item();
    const b = kernels.stats();
    fwd.push(performance.now() - t0);
    t0 = performance.now();
    loss.backward();
    const c = kernels.stats();
    bwd.push(performance.now() - t0);
    t0 = performance.now();
    opt.step();
    const e = kernels.stats();
    upd.push(performance.now() - t0);
    // Launch counts are the same every repetition; keep the first.
    counts ??= { forward: launches(a, b), backward: launches(b, c), update: launches(c, e) };
  }
  return { threads: kernels.threads, forwardMs: median(fwd), backwardMs: median(bwd), updateMs: median(upd), kernels: counts! };
}

/** What the brain.js row times, for the notes under the table. */
export const BRAIN_NOTE =
  'brain.js 2.0.0-beta.24 `recurrent.LSTMTimeStep({inputSize: 64, hiddenLayers: [128], outputSize: 64})` on its CPU path (plain JS, float32 matrices, one sequence at a time; it needs no headless-gl, ' +
  'which was not built): the timed "step" is `net.train(the 32 sequences, {iterations: 1})`, one pass that runs forward over each 20-step sequence, backpropagates through time and updates the weights after each sequence ' +
  '(32 updates per step, RMSprop with clipping as brain.js always does). Its task is its own: predict x_{t+1} from x_≤t, a 128 → 64 readout at 19 steps (about 8% more multiply-adds than the LSTM alone), so its weights start from its own random init and its numbers are not compared.';

/**
 * One LSTM training step (sequence 20, input 64, hidden 128, batch 32): forward over the 20 steps,
 * Linear(128 → 10) on the last hidden state, MSE against seeded targets, backpropagation through
 * time, SGD lr 0.1. Eole (auto and forced cpu, once per count of `threads`, with launches per step)
 * against tfjs-layers LSTM + dense `trainOnBatch` on tfjs-backend-cpu and tfjs-backend-wasm from
 * the same initial weights (results checked: the loss of the first step and every parameter after
 * it), and brain.js 2.0.0-beta.24's LSTMTimeStep on the same 32 sequences (see {@link BRAIN_NOTE}).
 */
export async function benchLstm(threads: readonly number[]): Promise<{ rows: Row[]; notes: string[]; profile: LstmProfile }> {
  const bench = `LSTM step T=${STEPS} in=${IN} H=${HIDDEN} → ${OUT}, batch ${BATCH}`;
  const rng = new Generator(1997);
  const data: Data = { x: Tensor.uniform([BATCH, STEPS, IN], rng, -1, 1).data, y: Tensor.uniform([BATCH, OUT], rng, -1, 1).data };
  const protoLstm = new LSTM(IN, HIDDEN, { rng: new Generator(7), batchFirst: true });
  const protoOut = new Linear(HIDDEN, OUT, { rng: new Generator(8) });
  const [wih, whh, bih, bhh] = protoLstm.parameters().map((p) => p.data.slice()) as [Float32Array, Float32Array, Float32Array, Float32Array];
  const [wd, bd] = protoOut.parameters().map((p) => p.data.slice()) as [Float32Array, Float32Array];
  const init: Weights = { wih, whh, bih, bhh, wd, bd };
  await registerTfGradients();

  const rows: Row[] = [];
  const notes: string[] = [];
  let reference: Float32Array | null = null;
  const run = async (id: string, impl: string, backend: string, ours: boolean, make: () => Impl | Promise<Impl>, opts: TimingOptions): Promise<void> => {
    const it = await make();
    try {
      const fp = await fingerprint(it);
      reference ??= fp;
      const timing = await timeAsync(() => it.step(), opts);
      rows.push(
        measuredRow({
          id: `lstm.${id}`,
          bench,
          impl,
          backend,
          ours,
          timing,
          trainingStep: true,
          throughput: { value: BATCH / (timing.medianMs / 1000), unit: 'samples/s' },
          maxAbsDiff: maxAbsDiff(fp, reference),
          note: `loss of step 1: ${fp[0]!.toFixed(6)}`,
        }),
      );

    } finally {
      it.dispose();
    }
  };

  const phases: LstmProfile[] = [];
  for (const t of threads) {
    await withThreads(t, async () => {
      const auto = eoleImpl(init, data, 'auto');
      await run(`eole.auto.t${t}`, `Eole LSTM + Linear + MSECriterion + SGD, ${dispatch()}`, '', true, () => auto, { warmup: 2, reps: 9 });
      if (phases.length === 0) phases.push(kernels.withBackend('auto', () => profileEole(auto, 5)));
    });
  }
  for (const t of threads) {
    await withThreads(t, () => run(`eole.cpu.t${t}`, 'Eole LSTM + Linear + MSECriterion + SGD, forced cpu', '', true, () => eoleImpl(init, data, 'cpu'), { warmup: 1, reps: 3 }));
  }

  for (const backend of ['cpu', 'wasm'] as PeerBackend[]) {
    await useTfBackend(backend);
    const label = backend === 'wasm' ? `tfjs wasm (${tfWasmFeatures().simd ? 'SIMD' : 'no SIMD'}, ${tfWasmFeatures().threads ? 'threads' : '1 thread'})` : 'tfjs cpu (JS)';
    try {
      await run(`tfjs.${backend}`, 'tfjs-layers lstm + dense, model.trainOnBatch (sgd, MSE)', label, false, () => tfImpl(init, data), backend === 'wasm' ? { warmup: 2, reps: 7 } : { warmup: 1, reps: 3 });
    } catch (e) {
      const msg = `tfjs-layers LSTM training on tfjs ${backend} failed: ${e instanceof Error ? e.message : String(e)}`;
      console.log(`\n${msg}`);
      notes.push(msg);
    }
  }

  try {
    const brain = createRequire(import.meta.url)('brain.js') as BrainJs;
    const net = new brain.recurrent.LSTMTimeStep({ inputSize: IN, hiddenLayers: [HIDDEN], outputSize: IN });
    const seqs: number[][][] = Array.from({ length: BATCH }, (_, n) => Array.from({ length: STEPS }, (_, t) => Array.from(data.x.subarray((n * STEPS + t) * IN, (n * STEPS + t + 1) * IN))));
    const opts = { iterations: 1, errorThresh: 0, log: false };
    const timing = await timeAsync(() => net.train(seqs, opts), { warmup: 1, reps: 3 });
    rows.push({
      id: 'lstm.brainjs',
      bench,
      impl: 'brain.js 2.0.0-beta.24 LSTMTimeStep.train, 1 iteration over the 32 sequences (32 per-sequence updates)',
      backend: 'JS (V8), CPU, one sequence at a time',
      ours: false,
      threads: 1,
      timing,
      throughput: { value: BATCH / (timing.medianMs / 1000), unit: 'samples/s' },
      note: 'own init and own task (next-step prediction); not compared',
    });
    notes.push(BRAIN_NOTE);
  } catch (e) {
    const msg = `brain.js 2.0.0-beta.24 LSTMTimeStep could not run: ${e instanceof Error ? e.message : String(e)}`;
    console.log(`\n${msg}`);
    notes.push(msg);
  }
  return { rows: withRatios(rows, rows[0]!), notes, profile: phases[0]! };
}
