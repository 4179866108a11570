// LeNet-5 training speed, Eole against TensorFlow.js, in the same page: the same architecture
// (conv 6@5×5 same, ReLU, max pool 2, conv 16@5×5, ReLU, max pool 2, conv 120@5×5, ReLU, 84, 10),
// the same batches, Adam 2e-3, the same number of timed steps after the same warm-up (which
// compiles the shaders). Loaded on demand: it carries tfjs's browser build.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-webgl';
import { kernels, type BackendName } from '@eole/core';
import { PIXELS, type Digits } from './digits.js';
import { LeNetTrainer, RECIPE } from './trainer.js';

/** One side of the comparison. */
export interface SpeedReport {
  /** The library and its backend, e.g. `eole webgl2` or `tfjs webgl (WebGL 2)`. */
  backend: string;
  /** Training samples per second over the timed steps. */
  samplesPerSec: number;
  /** Seconds of the timed steps. */
  seconds: number;
  /** Loss of the last step (both should fall alike). */
  lastLoss: number;
}

/** What {@link compareWithTfjs} measured. */
export interface Comparison {
  eole: SpeedReport;
  tfjs: SpeedReport;
  /** Eole's samples/s over tfjs's (above 1: Eole is faster). */
  ratio: number;
  steps: number;
  warmup: number;
  batch: number;
  /** The WebGL renderer (SwiftShader here: software, no GPU). */
  renderer: string | null;
}

/** Times `steps` calls of `step` after `warmup` untimed ones; returns the last loss and seconds. */
async function timed(steps: number, warmup: number, step: (i: number) => Promise<number> | number): Promise<{ seconds: number; lastLoss: number }> {
  for (let i = 0; i < warmup; i++) await step(i);
  const t0 = performance.now();
  let lastLoss = NaN;
  for (let i = 0; i < steps; i++) lastLoss = await step(warmup + i);
  return { seconds: (performance.now() - t0) / 1000, lastLoss };
}

function tfjsLeNet5(): tfl.Sequential {
  const relu = 'relu' as const;
  const model = tfl.sequential();
  model.add(tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation: relu }));
  model.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(tfl.layers.conv2d({ filters: 16, kernelSize: 5, activation: relu }));
  model.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(tfl.layers.conv2d({ filters: 120, kernelSize: 5, activation: relu }));
  model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({ units: 84, activation: relu }));
  model.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(RECIPE.lr), loss: 'categoricalCrossentropy' });
  return model;
}

async function tfjsSpeed(data: Digits, steps: number, warmup: number, batch: number): Promise<SpeedReport> {
  // tfjs refuses a WebGL context with a "major performance caveat" (software WebGL) unless told.
  tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
  if (!(await tf.setBackend('webgl'))) throw new Error('tfjs: the webgl backend did not start');
  const model = tfjsLeNet5();
  const batches = Array.from({ length: steps + warmup }, (_, i) => {
    const rows = Array.from({ length: batch }, (_, k) => (i * batch + k) % data.count);
    const x = new Float32Array(batch * PIXELS);
    rows.forEach((r, k) => x.set(data.images.subarray(r * PIXELS, (r + 1) * PIXELS), k * PIXELS));
    return { x, labels: rows.map((r) => data.labels[r]!) };
  });
  const { seconds, lastLoss } = await timed(steps, warmup, async (i) => {
    const { x, labels } = batches[i]!;
    const xs = tf.tensor4d(x, [batch, 28, 28, 1]);
    const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
    const loss = await model.trainOnBatch(xs, ys);
    tf.dispose([xs, ys]);
    return Array.isArray(loss) ? loss[0]! : loss;
  });
  model.dispose();
  return { backend: `tfjs ${tf.getBackend()} (WebGL ${tf.env().getNumber('WEBGL_VERSION')})`, samplesPerSec: (steps * batch) / seconds, seconds, lastLoss };
}

function eoleSpeed(data: Digits, backend: BackendName, steps: number, warmup: number, batch: number): Promise<SpeedReport> {
  kernels.setBackend(backend);
  const trainer = new LeNetTrainer(data, 7, batch);
  return timed(steps, warmup, () => trainer.step().loss).then(({ seconds, lastLoss }) => ({ backend: `eole ${backend}`, samplesPerSec: (steps * batch) / seconds, seconds, lastLoss }));
}

/**
 * Trains a fresh LeNet-5 with Eole on `backend` and then one with TensorFlow.js on its WebGL
 * backend, `steps` timed batches of `batch` digits each after `warmup` untimed ones, and reports
 * samples/s of both and their ratio.
 *
 * @example
 * const c = await compareWithTfjs(train, 'webgl2', { steps: 30 });
 * `${c.ratio.toFixed(2)}× tfjs`;
 */
export async function compareWithTfjs(data: Digits, backend: BackendName, { steps = 30, warmup = 3, batch = RECIPE.batch }: { steps?: number; warmup?: number; batch?: number } = {}): Promise<Comparison> {
  const eole = await eoleSpeed(data, backend, steps, warmup, batch);
  const tfjs = await tfjsSpeed(data, steps, warmup, batch);
  return { eole, tfjs, ratio: eole.samplesPerSec / tfjs.samplesPerSec, steps, warmup, batch, renderer: backend === 'cpu' || backend === 'webasm' ? null : kernels.renderer(backend) };
}
