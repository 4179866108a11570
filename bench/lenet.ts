import { createRequire } from 'node:module';
import { ClassNLLCriterion, Generator, SGD, Tensor, kernels, noGrad, type BackendChoice } from '@eole/core';
import * as tfl from '@tensorflow/tfjs-layers';
import { fuseModules, LeNet5 } from '@eole/conv';
import { launchesPerCall, maxAbsDiff, timeAsync, withThreads, type Timing, type TimingOptions } from './measure.js';
import { profileStep, type StepProfile } from './profile.js';
import { backendOf, dispatch, withRatios, type Row } from './report.js';
import { registerTfGradients, tf, tfWasmFeatures, useTfBackend, type PeerBackend } from './tfjs.js';
import { WASM_SHIM_NOTE, registerWasmConv2DBackpropFilter } from './wasmConvShim.js';

const convnetjs = createRequire(import.meta.url)('convnetjs') as typeof import('convnetjs');

const BATCH = 32;
const INFER_BATCH = 256;
const CLASSES = 10;
const LR = 0.05;

/**
 * LeNet-5's parameters in Eole's (PyTorch's) layout, in `net.parameters()` order: C1, C3, C5 as
 * [out, in, kH, kW] with their biases, then F6 and the output layer as [out, in].
 */
const SHAPES: readonly (readonly number[])[] = [[6, 1, 5, 5], [6], [16, 6, 5, 5], [16], [120, 16, 5, 5], [120], [84, 120], [84], [10, 84], [10]];

/** The seeded inputs every implementation sees. */
interface Data {
  x: Float32Array;
  labels: Int32Array;
  xInfer: Float32Array;
}

/** One implementation: a training step on the batch of 32, inference on the batch of 256, its weights in Eole's layout. */
interface Impl {
  /** One SGD step; returns the mean loss of the batch before the update. */
  step(): number | Promise<number>;
  /** Class probabilities (or log-probabilities, see `logProbs`) of the 256 inference samples, [256, 10] flat. */
  infer(): ArrayLike<number>;
  logProbs: boolean;
  params(): Float32Array[];
  dispose(): void;
}

function eoleImpl(init: readonly Float32Array[], d: Data, backend: BackendChoice): Impl {
  // Each convolution and its ReLU as one module (PyTorch's fuse_modules): same parameters and results.
  const net = fuseModules(LeNet5({ rng: new Generator(0), activation: 'relu', pooling: 'max' }));
  net.parameters().forEach((p, i) => p.data.set(init[i]!));
  const x = Tensor.from(d.x, [BATCH, 784]);
  const y = Tensor.from(d.labels, [BATCH]);
  const xi = Tensor.from(d.xInfer, [INFER_BATCH, 784]);
  const criterion = new ClassNLLCriterion();
  const opt = new SGD(net.parameters(), { lr: LR });
  return {
    step: () =>
      kernels.withBackend(backend, () => {
        net.train();
        opt.zeroGrad();
        const loss = criterion.forward(net.forward(x), y);
        loss.backward();
        opt.step();
        return loss.item();
      }),
    infer: () =>
      kernels.withBackend(backend, () => {
        net.evaluate();
        return noGrad(() => net.forward(xi)).data;
      }),
    logProbs: true,
    params: () => net.parameters().map((p) => p.data.slice()),
    dispose: () => undefined,
  };
}

/** [O, I, kH, kW] → tfjs's [kH, kW, I, O] (and back with `inverse`). */
function oihwToHwio(w: Float32Array, [O, I, kH, kW]: readonly number[], inverse = false): Float32Array {
  const out = new Float32Array(w.length);
  for (let o = 0; o < O!; o++)
    for (let c = 0; c < I!; c++)
      for (let a = 0; a < kH!; a++)
        for (let e = 0; e < kW!; e++) {
          const oihw = ((o * I! + c) * kH! + a) * kW! + e;
          const hwio = ((a * kW! + e) * I! + c) * O! + o;
          if (inverse) out[oihw] = w[hwio]!;
          else out[hwio] = w[oihw]!;
        }
  return out;
}

/** [rows, cols] → [cols, rows]. */
function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j]!;
  return out;
}

/** Eole layout → tfjs-layers layout (conv kernels HWIO, dense kernels [in, out]), and back. */
function toTfLayout(w: Float32Array, shape: readonly number[], inverse = false): Float32Array {
  if (shape.length === 4) return oihwToHwio(w, shape, inverse);
  if (shape.length === 2) return inverse ? transpose(w, shape[1]!, shape[0]!) : transpose(w, shape[0]!, shape[1]!);
  return w.slice();
}

/**
 * The same net in tfjs-layers: Reshape to 28×28×1 (NHWC), conv2d 6 5×5 'same' relu, maxPooling2d 2,
 * conv2d 16 5×5 relu, maxPooling2d 2, conv2d 120 5×5 relu, flatten, dense 84 relu, dense 10 softmax;
 * categorical cross-entropy, tf.train.sgd, `model.trainOnBatch`; inference `model.predict` at batch 256.
 */
function tfImpl(init: readonly Float32Array[], d: Data): Impl {
  const model = tfl.sequential({
    layers: [
      tfl.layers.reshape({ inputShape: [784], targetShape: [28, 28, 1] }),
      tfl.layers.conv2d({ filters: 6, kernelSize: 5, padding: 'same', activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tfl.layers.conv2d({ filters: 120, kernelSize: 5, activation: 'relu' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 84, activation: 'relu' }),
      tfl.layers.dense({ units: CLASSES, activation: 'softmax' }),
    ],
  });
  const opt = tf.train.sgd(LR);
  model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
  const weights = init.map((w, i) => {
    const s = SHAPES[i]!;
    const shape = s.length === 4 ? [s[2]!, s[3]!, s[1]!, s[0]!] : s.length === 2 ? [s[1]!, s[0]!] : [...s];
    return tf.tensor(toTfLayout(w, s), shape);
  });
  model.setWeights(weights);
  for (const w of weights) w.dispose();
  const xs = tf.tensor2d(d.x, [BATCH, 784]);
  const ys = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(d.labels, 'int32'), CLASSES), 'float32'));
  const xi = tf.tensor2d(d.xInfer, [INFER_BATCH, 784]);
  return {
    step: async () => (await model.trainOnBatch(xs, ys)) as number,
    infer: () => {
      const p = model.predict(xi, { batchSize: INFER_BATCH }) as tf.Tensor;
      const out = p.dataSync() as Float32Array;
      p.dispose();
      return out;
    },
    logProbs: false,
    params: () => model.getWeights().map((w, i) => toTfLayout(w.dataSync() as Float32Array, SHAPES[i]!, true)),
    dispose: () => {
      model.dispose();
      opt.dispose();
      for (const t of [xs, ys, xi]) t.dispose();
    },
  };
}

/**
 * The same net in ConvNetJS 0.3.0 (float64, one sample at a time): its layer definitions and its SGD
 * trainer with batch_size 32 (it accumulates 32 per-sample gradients, then steps with their mean),
 * momentum 0, no weight decay.
 */
function convnetImpl(init: readonly Float32Array[], d: Data): Impl {
  const net = new convnetjs.Net();
  net.makeLayers([
    { type: 'input', out_sx: 28, out_sy: 28, out_depth: 1 },
    { type: 'conv', sx: 5, filters: 6, stride: 1, pad: 2, activation: 'relu' },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'conv', sx: 5, filters: 16, stride: 1, pad: 0, activation: 'relu' },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'conv', sx: 5, filters: 120, stride: 1, pad: 0, activation: 'relu' },
    { type: 'fc', num_neurons: 84, activation: 'relu' },
    { type: 'softmax', num_classes: CLASSES },
  ]);
  const learnable = net.layers.filter((l) => l.layer_type === 'conv' || l.layer_type === 'fc');
  // A ConvNetJS filter Vol(kW, kH, in) stores w[o, c, a, e] at ((kW·a) + e)·in + c; fc filters are Vol(1, 1, in).
  const filterIndex = (s: readonly number[], c: number, a: number, e: number): number => (s.length === 4 ? (s[3]! * a + e) * s[1]! + c : c);
  learnable.forEach((layer, l) => {
    const w = init[2 * l]!;
    const s = SHAPES[2 * l]!;
    const [O, I, kH, kW] = s.length === 4 ? s : [s[0]!, s[1]!, 1, 1];
    for (let o = 0; o < O!; o++)
      for (let c = 0; c < I!; c++)
        for (let a = 0; a < kH!; a++) for (let e = 0; e < kW!; e++) layer.filters![o]!.w[filterIndex(s, c, a, e)] = w[((o * I! + c) * kH! + a) * kW! + e]!;
    layer.biases!.w.set(init[2 * l + 1]!);
  });
  const vols = (x: Float32Array, n: number) =>
    Array.from({ length: n }, (_, i) => {
      const v = new convnetjs.Vol(28, 28, 1, 0);
      v.w.set(x.subarray(i * 784, (i + 1) * 784));
      return v;
    });
  const train = vols(d.x, BATCH);
  const test = vols(d.xInfer, INFER_BATCH);
  const trainer = new convnetjs.Trainer(net, { method: 'sgd', learning_rate: LR, batch_size: BATCH, momentum: 0, l1_decay: 0, l2_decay: 0 });
  return {
    step: () => {
      let loss = 0;
      for (let i = 0; i < BATCH; i++) loss += trainer.train(train[i]!, d.labels[i]!).cost_loss;
      return loss / BATCH;
    },
    infer: () => {
      const out = new Float32Array(INFER_BATCH * CLASSES);
      for (let i = 0; i < INFER_BATCH; i++) out.set(net.forward(test[i]!, false).w, i * CLASSES);
      return out;
    },
    logProbs: false,
    params: () =>
      learnable.flatMap((layer, l) => {
        const s = SHAPES[2 * l]!;
        const [O, I, kH, kW] = s.length === 4 ? s : [s[0]!, s[1]!, 1, 1];
        const w = new Float32Array(O! * I! * kH! * kW!);
        for (let o = 0; o < O!; o++)
          for (let c = 0; c < I!; c++)
            for (let a = 0; a < kH!; a++) for (let e = 0; e < kW!; e++) w[((o * I! + c) * kH! + a) * kW! + e] = layer.filters![o]!.w[filterIndex(s, c, a, e)]!;
        return [w, Float32Array.from(layer.biases!.w)];
      }),
    dispose: () => undefined,
  };
}

/** Probabilities from an implementation's inference output. */
function probabilities(out: ArrayLike<number>, logProbs: boolean): Float32Array {
  return Float32Array.from(out, (v) => (logProbs ? Math.exp(v) : v));
}

/** The losses of two steps from the shared start, then every parameter. */
async function trainFingerprint(impl: Impl): Promise<Float32Array> {
  const losses = [await impl.step(), await impl.step()];
  const params = impl.params();
  const out = new Float32Array(2 + params.reduce((n, p) => n + p.length, 0));
  out.set(losses);
  let o = 2;
  for (const p of params) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

interface Plan {
  id: string;
  /** What is timed: the training step, and inference. */
  impl: { train: string; infer: string };
  /** The peer's backend (our rows report the backends our kernels ran on). */
  backend: { train: string; infer: string };
  ours: boolean;
  /** The thread count an Eole plan runs at (peers: none, they run once). */
  threads?: number;
  make: () => Impl | Promise<Impl>;
  train: TimingOptions;
  infer: TimingOptions;
}

/** Said under the table when the tfjs wasm row trains through the shim. */
export const LENET_SHIM_NOTE = `tfjs wasm training runs through the benchmark's shim: ${WASM_SHIM_NOTE}`;

/**
 * LeNet-5 (relu, max pooling) training samples/s (SGD step on a batch of 32: forward, loss,
 * backward, update) and inference samples/s (batch 256; ConvNetJS one sample at a time): Eole (once
 * per count of `threads`, with its launches per step and, for auto, a `kernels.profile` of one
 * training step) against tfjs-layers on tfjs-backend-cpu and tfjs-backend-wasm (with a Conv2DBackpropFilter shim,
 * see wasmConvShim.ts) and ConvNetJS 0.3.0, all from the same initial weights on the same seeded
 * batch, results checked against Eole auto: the losses of two steps and every parameter after them,
 * and the class probabilities of the inference batch.
 */
export async function benchLenet(threads: readonly number[]): Promise<{ rows: Row[]; shim: boolean; profiles: StepProfile[] }> {
  const rng = new Generator(2016);
  const data: Data = {
    x: Tensor.uniform([BATCH, 784], rng, 0, 1).data,
    labels: Int32Array.from({ length: BATCH }, () => rng.int(CLASSES)),
    xInfer: Tensor.uniform([INFER_BATCH, 784], rng, 0, 1).data,
  };
  const init = LeNet5({ rng: new Generator(5), activation: 'relu', pooling: 'max' })
    .parameters()
    .map((p) => p.data.slice());
  await registerTfGradients();
  let shim = false;
  const same = (label: string) => ({ train: label, infer: label });
  const eole = (what: string) => ({ train: `Eole fuseModules(LeNet5) + SGD step, ${what}`, infer: `Eole fuseModules(LeNet5) forward (noGrad), ${what}` });
  const tfjs = { train: 'tfjs-layers model.trainOnBatch', infer: 'tfjs-layers model.predict' };
  const wasmPlan: Plan = {
    id: 'tfjs.wasm',
    impl: tfjs,
    backend: { train: 'tfjs wasm', infer: 'tfjs wasm' },
    ours: false,
    make: async () => {
      const impl = await tfOn('wasm', init, data);
      const f = tfWasmFeatures();
      const label = `tfjs wasm (${f.simd ? 'SIMD' : 'no SIMD'}, ${f.threads ? 'threads' : '1 thread'})`;
      shim = registerWasmConv2DBackpropFilter();
      wasmPlan.backend = { train: shim ? `${label} + our Conv2DBackpropFilter shim` : label, infer: label };
      return impl;
    },
    train: { warmup: 3, reps: 15 },
    infer: { warmup: 2, reps: 9 },
  };
  const plans: Plan[] = [
    ...threads.map((t): Plan => ({ id: `eole.auto.t${t}`, impl: eole(dispatch()), backend: same(''), ours: true, threads: t, make: () => eoleImpl(init, data, 'auto'), train: { warmup: 3, reps: 25 }, infer: { warmup: 2, reps: 9 } })),
    ...threads.map((t): Plan => ({ id: `eole.cpu.t${t}`, impl: eole('forced cpu'), backend: same(''), ours: true, threads: t, make: () => eoleImpl(init, data, 'cpu'), train: { warmup: 1, reps: 3 }, infer: { warmup: 1, reps: 3 } })),
    { id: 'tfjs.cpu', impl: tfjs, backend: same('tfjs cpu (JS)'), ours: false, make: () => tfOn('cpu', init, data), train: { warmup: 1, reps: 3 }, infer: { warmup: 1, reps: 3 } },
    wasmPlan,
    {
      id: 'convnetjs',
      impl: { train: 'ConvNetJS 0.3.0 Trainer (sgd, batch_size 32)', infer: 'ConvNetJS 0.3.0 net.forward, one sample at a time' },
      backend: same('JS (V8), float64'),
      ours: false,
      make: () => convnetImpl(init, data),
      train: { warmup: 2, reps: 9 },
      infer: { warmup: 1, reps: 5 },
    },
  ];

  const trainRows: Row[] = [];
  const inferRows: Row[] = [];
  const profiles: StepProfile[] = [];
  let refTrain: Float32Array | null = null;
  let refInfer: Float32Array | null = null;
  const measure = async (plan: Plan): Promise<void> => {
    const impl = await plan.make();
    const probs = probabilities(impl.infer(), impl.logProbs);
    refInfer ??= probs;
    const fp = await trainFingerprint(impl);
    refTrain ??= fp;
    const row = (kind: 'train' | 'infer', timing: Timing, samples: number, diff: number, note: string): Row => ({
      id: `lenet.${kind}.${plan.id}`,
      bench: kind === 'train' ? `LeNet-5 training step, batch ${BATCH}` : `LeNet-5 inference, batch ${INFER_BATCH}`,
      impl: plan.impl[kind],
      backend: plan.ours ? backendOf(timing) : plan.backend[kind],
      ours: plan.ours,
      threads: plan.threads ?? 1,
      timing,
      ...(plan.ours && kind === 'train' ? { launchesPerStep: launchesPerCall(timing) } : {}),
      throughput: { value: samples / (timing.medianMs / 1000), unit: 'samples/s' },
      maxAbsDiff: diff,
      note,
    });
    const trainTiming = await timeAsync(() => impl.step(), plan.train);
    const trainRow = row('train', trainTiming, BATCH, maxAbsDiff(fp, refTrain), `losses of steps 1 and 2: ${fp[0]!.toFixed(6)}, ${fp[1]!.toFixed(6)}`);
    trainRows.push(trainRow);
    if (plan.ours && plan.id.startsWith('eole.auto.')) profiles.push(profileStep(trainRow.id, trainRow.bench, () => impl.step()));
    const inferTiming = await timeAsync(() => void impl.infer(), plan.infer);
    inferRows.push(row('infer', inferTiming, INFER_BATCH, maxAbsDiff(probs, refInfer), 'class probabilities at the shared initial weights'));
    impl.dispose();
  };
  for (const plan of plans) await (plan.threads === undefined ? measure(plan) : withThreads(plan.threads, () => measure(plan)));
  return { rows: [...withRatios(trainRows, trainRows[0]!), ...withRatios(inferRows, inferRows[0]!)], shim, profiles };
}

async function tfOn(backend: PeerBackend, init: readonly Float32Array[], data: Data): Promise<Impl> {
  await useTfBackend(backend);
  return tfImpl(init, data);
}
