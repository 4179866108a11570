import { ClassNLLCriterion, CosineAnnealingLR, Generator, kernels, LogSoftMax, Linear, noGrad, Sequential, SGD, Tensor, Threshold } from '@eole/core';
import type { DigitSet } from '../lib/mnist.js';
import type { Progress } from '../lib/progress.js';

/** The lecture's Torch snippet: Linear(784→1000), Threshold, Linear(1000→10), LogSoftMax. */
export function buildMlp(rng: Generator, hidden = 1000): Sequential {
  return new Sequential(new Linear(784, hidden, { rng }), new Threshold(), new Linear(hidden, 10, { rng }), new LogSoftMax());
}

export interface TrainConfig {
  seed: number;
  epochs: number;
  batchSize: number;
  lr: number;
  momentum: number;
  /** L2 weight decay λ (default 0). */
  weightDecay?: number;
  /** Largest random shift of a training digit in pixels, each axis (default 0: none). */
  shift?: number;
}

export interface EpochRecord {
  epoch: number;
  loss: number;
  accuracy: number;
  seconds: number;
  backend: string;
}

/**
 * Rows `order[start..start+n)` of a set as a batch {x [n, 784], y [n]}; with `shift` > 0 each digit
 * moves by a random whole-pixel offset in [−shift, shift] on each axis (zeros fill in), the small
 * distortions of LeCun et al. (1998).
 */
export function batchOf(set: DigitSet, order: ArrayLike<number>, start: number, n: number, shift = 0, rng?: Generator): { x: Tensor; y: Tensor } {
  const x = new Float32Array(n * 784);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = order[start + i]!;
    const src = set.images.subarray(r * 784, r * 784 + 784);
    if (shift > 0 && rng) shiftInto(src, x.subarray(i * 784, i * 784 + 784), rng.int(2 * shift + 1) - shift, rng.int(2 * shift + 1) - shift);
    else x.set(src, i * 784);
    y[i] = set.labels[r]!;
  }
  return { x: new Tensor(x, [n, 784]), y: new Tensor(y, [n]) };
}

function shiftInto(src: Float32Array, dst: Float32Array, dx: number, dy: number): void {
  for (let row = 0; row < 28; row++) {
    const sr = row - dy;
    if (sr < 0 || sr >= 28) continue;
    for (let col = 0; col < 28; col++) {
      const sc = col - dx;
      if (sc >= 0 && sc < 28) dst[row * 28 + col] = src[sr * 28 + sc]!;
    }
  }
}

/** Accuracy and confusion matrix (rows: true digit, columns: predicted) of a model on a set. */
export function evaluate(model: Sequential, set: DigitSet, batch = 1000): { accuracy: number; confusion: number[][] } {
  const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  let correct = 0;
  model.evaluate();
  noGrad(() => {
    for (let s = 0; s < set.count; s += batch) {
      const n = Math.min(batch, set.count - s);
      const x = new Tensor(set.images.subarray(s * 784, (s + n) * 784), [n, 784]);
      const pred = model.forward(x).argmax(1).data;
      for (let i = 0; i < n; i++) {
        const truth = set.labels[s + i]!;
        confusion[truth]![pred[i]!]!++;
        if (pred[i] === truth) correct++;
      }
    }
  });
  model.train();
  return { accuracy: correct / set.count, confusion };
}

/**
 * Trains with ClassNLLCriterion and SGD (momentum, cosine learning-rate schedule), evaluating the
 * held-out set after every epoch.
 */
export function trainMlp(model: Sequential, train: DigitSet, test: DigitSet, cfg: TrainConfig, progress?: Progress): EpochRecord[] {
  const rng = new Generator(cfg.seed);
  const criterion = new ClassNLLCriterion();
  const optimizer = new SGD(model.parameters(), { lr: cfg.lr, momentum: cfg.momentum, weightDecay: cfg.weightDecay ?? 0 });
  const schedule = new CosineAnnealingLR(optimizer, { tMax: cfg.epochs });
  const history: EpochRecord[] = [];
  const steps = Math.floor(train.count / cfg.batchSize);
  for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
    const started = performance.now();
    const before = kernels.stats().calls;
    const order = rng.permutation(train.count);
    let total = 0;
    for (let step = 0; step < steps; step++) {
      const { x, y } = batchOf(train, order, step * cfg.batchSize, cfg.batchSize, cfg.shift ?? 0, rng);
      optimizer.zeroGrad();
      const loss = criterion.forward(model.forward(x), y);
      loss.backward();
      optimizer.step();
      const value = loss.item();
      if (!Number.isFinite(value)) throw new Error(`training diverged: loss ${value} at epoch ${epoch}, step ${step + 1}`);
      total += value;
      progress?.report({ type: 'step', epoch, epochs: cfg.epochs, step: step + 1, steps, loss: value, lr: optimizer.lr });
    }
    schedule.step();
    const { accuracy } = evaluate(model, test);
    const after = kernels.stats().calls;
    const backend = (['webasm', 'cpu', 'headlessgl', 'webgpu'] as const).filter((b) => after[b] > before[b]).join('+');
    const record = { epoch, loss: total / steps, accuracy, seconds: (performance.now() - started) / 1000, backend };
    history.push(record);
    progress?.report({ type: 'epoch', epochs: cfg.epochs, ...record });
  }
  return history;
}
