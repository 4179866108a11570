import { ClassNLLCriterion, Generator, Linear, LogSoftMax, SGD, Sequential, Tensor, Threshold, kernels, type BackendChoice } from '@eole/core';
import { maxAbsDiff, time, withThreads } from './measure.js';
import { profileStep, type StepProfile } from './profile.js';
import { dispatch, measuredRow, withRatios, type Row } from './report.js';
import { registerTfGradients, tf, tfWasmFeatures, useTfBackend, type PeerBackend } from './tfjs.js';

const BATCH = 64;
const IN = 784;
const HIDDEN = 1000;
const CLASSES = 10;
const LR = 0.05;

/** Initial weights in Eole's layout (W [out, in]), shared by every implementation. */
interface Weights {
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

/** One implementation's training loop: `step()` returns the loss; `params()` the current weights in Eole's layout. */
interface Trainer {
  step(): number;
  params(): Float32Array[];
  dispose(): void;
}

function eoleTrainer(init: Weights, x: Tensor, y: Tensor, backend: BackendChoice): Trainer {
  const net = new Sequential(new Linear(IN, HIDDEN), new Threshold(), new Linear(HIDDEN, CLASSES), new LogSoftMax());
  const [w1, b1, w2, b2] = net.parameters() as [Tensor, Tensor, Tensor, Tensor];
  w1.data.set(init.w1);
  b1.data.set(init.b1);
  w2.data.set(init.w2);
  b2.data.set(init.b2);
  const criterion = new ClassNLLCriterion();
  const opt = new SGD(net.parameters(), { lr: LR });
  return {
    step: () =>
      kernels.withBackend(backend, () => {
        opt.zeroGrad();
        const loss = criterion.forward(net.forward(x), y);
        loss.backward();
        opt.step();
        return loss.item();
      }),
    params: () => net.parameters().map((p) => p.data.slice()),
    dispose: () => undefined,
  };
}

/** The same net in tfjs: variables with dense-layer layout (kernel [in, out]), relu, logSoftmax + NLL, tf.train.sgd. */
function tfTrainer(init: Weights, x: Float32Array, labels: Int32Array): Trainer {
  // tf.variable keeps its initial tensor alive as a separate handle unless it is created inside tidy.
  const [w1, b1, w2, b2] = tf.tidy(() => [
    tf.variable(tf.tensor2d(transpose(init.w1, HIDDEN, IN), [IN, HIDDEN])),
    tf.variable(tf.tensor1d(init.b1)),
    tf.variable(tf.tensor2d(transpose(init.w2, CLASSES, HIDDEN), [HIDDEN, CLASSES])),
    tf.variable(tf.tensor1d(init.b2)),
  ]) as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
  const xs = tf.tensor2d(x, [BATCH, IN]);
  const oneHot = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES), 'float32'));
  const opt = tf.train.sgd(LR);
  const lossFn = (): tf.Scalar =>
    tf.tidy(() => {
      const h = tf.relu(tf.add(tf.matMul(xs, w1), b1));
      const logp = tf.logSoftmax(tf.add(tf.matMul(h, w2), b2));
      return tf.neg(tf.mean(tf.sum(tf.mul(logp, oneHot), 1))) as tf.Scalar;
    });
  return {
    step: () => {
      const loss = opt.minimize(lossFn, true, [w1, b1, w2, b2])!;
      const v = loss.dataSync()[0]!;
      loss.dispose();
      return v;
    },
    params: () => [
      transpose(w1.dataSync() as Float32Array, IN, HIDDEN),
      (b1.dataSync() as Float32Array).slice(),
      transpose(w2.dataSync() as Float32Array, HIDDEN, CLASSES),
      (b2.dataSync() as Float32Array).slice(),
    ],
    dispose: () => {
      for (const t of [w1, b1, w2, b2, xs, oneHot]) t.dispose();
      opt.dispose();
    },
  };
}

function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j]!;
  return out;
}

/** The losses of two steps from the shared start, then every parameter: what must agree across implementations. */
function fingerprint(t: Trainer): Float32Array {
  const losses = [t.step(), t.step()];
  const params = t.params();
  const out = new Float32Array(2 + params.reduce((n, p) => n + p.length, 0));
  out.set(losses);
  let o = 2;
  for (const p of params) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * One training step of the lecture's MLP (784 → 1000 → 10, Threshold, LogSoftMax, ClassNLL, SGD
 * lr 0.05) on a seeded batch of 64: forward, loss, backward, update. Eole (auto and forced cpu, once
 * per count of `threads`, with its launches per step and, for auto, a `kernels.profile` of one step)
 * against the same net in tfjs (cpu, wasm), all from the same initial weights.
 */
export async function benchMlp(threads: readonly number[]): Promise<{ rows: Row[]; profiles: StepProfile[] }> {
  const bench = `MLP step 784-1000-10, batch ${BATCH}`;
  const rng = new Generator(123);
  const x = Tensor.uniform([BATCH, IN], rng, 0, 1);
  const labels = Int32Array.from({ length: BATCH }, () => rng.int(CLASSES));
  const y = Tensor.from(labels, [BATCH]);
  const proto = new Sequential(new Linear(IN, HIDDEN, { rng }), new Threshold(), new Linear(HIDDEN, CLASSES, { rng }), new LogSoftMax());
  const [w1, b1, w2, b2] = proto.parameters().map((p) => p.data.slice()) as [Float32Array, Float32Array, Float32Array, Float32Array];
  const init: Weights = { w1, b1, w2, b2 };

  await registerTfGradients();
  const rows: Row[] = [];
  const profiles: StepProfile[] = [];
  let reference: Float32Array | null = null;
  const add = (id: string, impl: string, backend: string, ours: boolean, make: () => Trainer, warmup: number, reps: number): Row => {
    const trainer = make();
    const fp = fingerprint(trainer);
    reference ??= fp;
    const timing = time(() => void trainer.step(), { warmup, reps });
    if (ours && id.startsWith('eole.auto.')) profiles.push(profileStep(`mlp.${id}`, bench, () => trainer.step()));
    trainer.dispose();
    const row = measuredRow({
      id: `mlp.${id}`,
      bench,
      impl,
      backend,
      ours,
      timing,
      trainingStep: true,
      throughput: { value: BATCH / (timing.medianMs / 1000), unit: 'samples/s' },
      maxAbsDiff: maxAbsDiff(fp, reference),
      note: `losses of steps 1 and 2: ${fp[0]!.toFixed(6)}, ${fp[1]!.toFixed(6)}`,
    });
    rows.push(row);
    return row;
  };

  for (const t of threads) await withThreads(t, () => add(`eole.auto.t${t}`, `Eole Sequential + SGD, ${dispatch()}`, '', true, () => eoleTrainer(init, x, y, 'auto'), 2, 15));
  for (const t of threads) await withThreads(t, () => add(`eole.cpu.t${t}`, 'Eole Sequential + SGD, forced cpu', '', true, () => eoleTrainer(init, x, y, 'cpu'), 1, 3));
  for (const backend of ['cpu', 'wasm'] as PeerBackend[]) {
    await useTfBackend(backend);
    const label = backend === 'wasm' ? `tfjs wasm (${tfWasmFeatures().simd ? 'SIMD' : 'no SIMD'}, ${tfWasmFeatures().threads ? 'threads' : '1 thread'})` : 'tfjs cpu (JS)';
    const fast = backend === 'wasm';
    add(`tfjs.${backend}`, 'tfjs variables + tf.train.sgd', label, false, () => tfTrainer(init, x.data, labels), fast ? 3 : 1, fast ? 21 : 5);
  }
  return { rows: withRatios(rows, rows[0]!), profiles };
}
