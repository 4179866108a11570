import { Observable, type OperatorFunction } from 'rxjs';
import { formatShape, noGrad, Tensor, type Module } from '@eole/core';
import { N_COEFFS, WINDOW_FRAMES, windowInput } from '../data/digitWindows.js';
import type { FramePosterior } from './DigitDecoder.js';
import { MfccStream, type MfccFrame } from './MfccStream.js';
import { mfccPlan, type MfccOptions } from '../frontend/mfcc.js';

/** One window of consecutive frames, ready for the acoustic model. */
export interface FeatureWindow {
  /** Index of the window's first frame. */
  start: number;
  /** Index of its centre frame: start + ⌊size/2⌋. */
  frame: number;
  /** Time of the window's centre in seconds (the middle of its first and last frames' centres). */
  time: number;
  /** The model input, [1, nCoeffs, size] (coefficient-major, as `windowInput`). */
  input: Tensor;
  /** Energy of the centre frame in dB. */
  energyDb: number;
}

/** Options of {@link slidingWindows}. */
export interface SlidingWindowOptions {
  /** Frames between the starts of two windows (default 1). */
  hop?: number;
  /**
   * The model input of a window from its frames' coefficients, `features` [size, nCoeffs]
   * (default {@link windowInput}, the spoken-digit model's per-window normalisation; it needs
   * 40 × 40 windows).
   */
  input?: (features: Tensor) => Float32Array;
}

/** Options of {@link framePosteriors}. */
export interface FramePosteriorOptions {
  /** Most windows per forward pass (default 64). */
  batchSize?: number;
}

/**
 * Incremental MFCC over a stream of audio chunks (Float32Array, any lengths, e.g. 100 ms): emits
 * every frame as soon as its window is complete, equal to the batch `mfcc(concatenated, sampleRate,
 * options)` frame by frame (see {@link MfccStream}). Each subscription starts a fresh stream.
 *
 * @example
 * chunks$.pipe(mfccFrames(8000, DIGIT_MFCC)) // Observable<MfccFrame>: 100 frames a second, the digit model's features
 */
export function mfccFrames(sampleRate: number, options: MfccOptions = {}): OperatorFunction<Float32Array | Float64Array, MfccFrame> {
  mfccPlan(sampleRate, options); // validates the options now, not at the first chunk
  return (source) =>
    new Observable<MfccFrame>((subscriber) => {
      const stream = new MfccStream(sampleRate, options);
      return source.subscribe({
        next: (chunk) => {
          let out: MfccFrame[];
          try {
            out = stream.push(chunk);
          } catch (error) {
            subscriber.error(error);
            return;
          }
          for (const f of out) {
            if (subscriber.closed) return;
            subscriber.next(f);
          }
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}

/**
 * Sliding windows of `size` consecutive frames every `hop` frames (default 1: one window per new
 * frame once `size` frames have arrived). Window k covers frames k·hop … k·hop + size − 1 and its
 * input equals `windowInput(features, k·hop)` on the batch features.
 *
 * @example
 * frames$.pipe(slidingWindows(40)) // Observable<FeatureWindow>, inputs [1, 40, 40]
 */
export function slidingWindows(size: number = WINDOW_FRAMES, options: SlidingWindowOptions = {}): OperatorFunction<MfccFrame, FeatureWindow> {
  const hop = options.hop ?? 1;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`slidingWindows: size must be a positive integer (frames), got ${size}`);
  if (!Number.isInteger(hop) || hop < 1) throw new RangeError(`slidingWindows: hop must be a positive integer (frames), got ${hop}`);
  if (!options.input && size !== WINDOW_FRAMES) {
    throw new RangeError(`slidingWindows: the default input (windowInput) needs windows of ${WINDOW_FRAMES} frames, got size ${size}; pass options.input for other sizes`);
  }
  const input = options.input ?? ((features: Tensor) => windowInput(features, 0));
  return (source) =>
    new Observable<FeatureWindow>((subscriber) => {
      const ring: MfccFrame[] = [];
      return source.subscribe({
        next: (f) => {
          ring.push(f);
          if (ring.length > size) ring.shift();
          if (ring.length < size) return;
          const start = ring[0]!.index;
          if (start % hop !== 0) return;
          const nCoeffs = f.coeffs.length;
          if (!options.input && nCoeffs !== N_COEFFS) {
            subscriber.error(new RangeError(`slidingWindows: the default input (windowInput) needs ${N_COEFFS} coefficients a frame, got ${nCoeffs}; pass options.input`));
            return;
          }
          const features = new Float32Array(size * nCoeffs);
          ring.forEach((g, i) => features.set(g.coeffs, i * nCoeffs));
          let x: Float32Array;
          try {
            x = input(new Tensor(features, [size, nCoeffs]));
          } catch (error) {
            subscriber.error(error);
            return;
          }
          const centre = ring[size >> 1]!;
          subscriber.next({
            start,
            frame: centre.index,
            time: (ring[0]!.time + f.time) / 2,
            input: new Tensor(x, [1, x.length / size, size]),
            energyDb: centre.energyDb,
          });
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}

/**
 * Runs the acoustic model on the windows and emits, per window, the posteriors of its centre
 * frame: softmax of the model output (the probabilities themselves for a LogSoftMax model).
 * The model runs in evaluation mode (dropout off) without recording gradients; its mode is
 * restored when the subscription ends. Windows that arrive together (from one audio chunk) go
 * through one forward pass of up to `batchSize` windows: they are collected until the current task
 * ends (a microtask), the batch is full, or the stream completes. Unsubscribing drops the pending batch.
 *
 * @example
 * windows$.pipe(framePosteriors(net)) // Observable<FramePosterior>
 */
export function framePosteriors(model: Module, options: FramePosteriorOptions = {}): OperatorFunction<FeatureWindow, FramePosterior> {
  const batchSize = options.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`framePosteriors: batchSize must be a positive integer, got ${batchSize}`);
  if (typeof (model as { forward?: unknown } | null)?.forward !== 'function') throw new TypeError('framePosteriors: model must be a Module (with forward), got ' + typeof model);
  return (source) =>
    new Observable<FramePosterior>((subscriber) => {
      const wasTraining = model.training;
      model.evaluate();
      let pending: FeatureWindow[] = [];
      let scheduled = false;
      const run = (): void => {
        scheduled = false;
        const batch = pending;
        pending = [];
        if (batch.length === 0 || subscriber.closed) return;
        let out: FramePosterior[];
        try {
          out = posteriorsOf(model, batch);
        } catch (error) {
          subscriber.error(error);
          return;
        }
        for (const p of out) {
          if (subscriber.closed) return;
          subscriber.next(p);
        }
      };
      const upstream = source.subscribe({
        next: (w) => {
          pending.push(w);
          if (pending.length >= batchSize) run();
          else if (!scheduled) {
            scheduled = true;
            queueMicrotask(() => scheduled && run());
          }
        },
        error: (e) => subscriber.error(e),
        complete: () => {
          run();
          subscriber.complete();
        },
      });
      return () => {
        pending = [];
        scheduled = false;
        upstream.unsubscribe();
        model.train(wasTraining);
      };
    });
}

/** One forward pass over a batch of windows. */
function posteriorsOf(model: Module, batch: readonly FeatureWindow[]): FramePosterior[] {
  const shape = batch[0]!.input.shape;
  const size = batch[0]!.input.size;
  const x = new Float32Array(batch.length * size);
  batch.forEach((w, i) => {
    if (w.input.size !== size) throw new RangeError(`framePosteriors: window inputs must agree in size: ${w.input.size} vs ${size}`);
    x.set(w.input.data, i * size);
  });
  const y = noGrad(() => model.forward(new Tensor(x, [batch.length, ...shape])));
  if (y.shape.length !== 2 || y.shape[0] !== batch.length) {
    throw new RangeError(`framePosteriors: the model must map [N, ${shape.join(', ')}] to [N, classes], got ${formatShape(y.shape)} for N = ${batch.length}`);
  }
  const K = y.shape[1]!;
  return batch.map((w, i) => {
    const row = y.data.subarray(i * K, (i + 1) * K);
    let m = -Infinity;
    for (const v of row) m = Math.max(m, v);
    const p = new Float32Array(K);
    let z = 0;
    for (let k = 0; k < K; k++) z += p[k] = Math.exp(row[k]! - m);
    for (let k = 0; k < K; k++) p[k] = p[k]! / z;
    return { frame: w.frame, time: w.time, posteriors: p, energyDb: w.energyDb };
  });
}
