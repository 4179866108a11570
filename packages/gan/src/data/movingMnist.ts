import type { Generator } from '@eole/core';

/** Options of {@link movingMnistSequence} and {@link movingMnist}. */
export interface MovingMnistOptions {
  /** Frames per sequence, T (default 20). */
  frames?: number;
  /** Side of the square canvas in pixels (default 64; at least 28, the digits' side). */
  size?: number;
  /** Digits moving in each sequence (default 2). */
  digits?: number;
  /** Distance moved per frame, as a fraction of the range `size − 28` (default 0.1: 3.6 px on 64 × 64). */
  step?: number;
}

/** One Moving MNIST sequence. */
export interface MovingMnistSequence {
  /** Frames [T, size, size], row-major, values in [0, 1]. */
  frames: Float32Array;
  /** The digits' top-left pixel positions: `positions[t][digit] = [row, col]`, each in [0, size − 28]. */
  positions: Array<Array<[number, number]>>;
  /** The rows of `images` drawn, one per digit. */
  digits: number[];
}

const SIDE = 28;
const PIXELS = SIDE * SIDE;

/** Checked options with their defaults. */
function settings(op: string, images: Float32Array, count: number, options: MovingMnistOptions): Required<MovingMnistOptions> {
  if (!(images instanceof Float32Array)) throw new TypeError(`${op}: images must be a Float32Array of rows of 784 pixels in [0, 1]`);
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`${op}: count must be a positive integer, got ${count}`);
  if (images.length < count * PIXELS) throw new RangeError(`${op}: images must hold count · 784 = ${count * PIXELS} values (${count} digits of 28x28), got ${images.length}`);
  const { frames = 20, size = 64, digits = 2, step = 0.1 } = options;
  if (!Number.isInteger(frames) || frames < 1) throw new RangeError(`${op}: options.frames must be a positive integer, got ${frames}`);
  if (!Number.isInteger(size) || size < SIDE) throw new RangeError(`${op}: options.size must be an integer >= 28 (the digits' side), got ${size}`);
  if (!Number.isInteger(digits) || digits < 1) throw new RangeError(`${op}: options.digits must be a positive integer, got ${digits}`);
  if (!Number.isFinite(step) || step <= 0) throw new RangeError(`${op}: options.step must be a finite number > 0, got ${step}`);
  return { frames, size, digits, step };
}

/** One sequence drawn from `rng` into `frames` (T · size², zeroed). */
function draw(images: Float32Array, count: number, rng: Generator, o: Required<MovingMnistOptions>, frames: Float32Array): MovingMnistSequence {
  const { frames: T, size, digits: k, step } = o;
  const lim = size - SIDE;
  const digits: number[] = [];
  const positions: Array<Array<[number, number]>> = Array.from({ length: T }, () => []);
  for (let d = 0; d < k; d++) {
    const index = rng.int(count);
    const theta = rng.uniform(0, 2 * Math.PI);
    let y = rng.uniform();
    let x = rng.uniform();
    let vy = Math.sin(theta);
    let vx = Math.cos(theta);
    digits.push(index);
    const digit = images.subarray(index * PIXELS, (index + 1) * PIXELS);
    for (let t = 0; t < T; t++) {
      const row = Math.trunc(lim * y);
      const col = Math.trunc(lim * x);
      positions[t]!.push([row, col]);
      const frame = t * size * size;
      for (let r = 0; r < SIDE; r++) {
        const at = frame + (row + r) * size + col;
        for (let c = 0; c < SIDE; c++) frames[at + c] = Math.max(frames[at + c]!, digit[r * SIDE + c]!);
      }
      y += vy * step;
      x += vx * step;
      if (x <= 0) { x = 0; vx = -vx; }
      if (x >= 1) { x = 1; vx = -vx; }
      if (y <= 0) { y = 0; vy = -vy; }
      if (y >= 1) { y = 1; vy = -vy; }
    }
  }
  return { frames, positions, digits };
}

/**
 * One Moving MNIST sequence (Srivastava, Mansimov & Salakhutdinov, "Unsupervised learning of
 * video representations using LSTMs", ICML 2015): `digits` 28 × 28 digits, each a row of `images`
 * drawn uniformly, bounce inside a `size` × `size` canvas for T frames. Each digit draws, in this
 * order, from `rng`: its row `int(count)`, a direction θ ~ U[0, 2π) giving the velocity
 * (v_y, v_x) = (sin θ, cos θ), and a start (y, x) ~ U[0, 1)² in units of lim = size − 28. At each
 * frame t the position is recorded, then (y, x) += step · (v_y, v_x); a coordinate at or past 0 or 1
 * is clamped there and its velocity negated (a bounce). The digit's top-left pixel is
 * (trunc(lim·y), trunc(lim·x)), and a frame is the pixel-wise maximum of the digits pasted there.
 *
 * @example
 * const { frames, positions } = movingMnistSequence(images, count, new Generator(1));
 * frames.length; // 20 · 64 · 64
 * positions[0]; // [[row, col], [row, col]], the two digits' corners at frame 0
 */
export function movingMnistSequence(images: Float32Array, count: number, rng: Generator, options: MovingMnistOptions = {}): MovingMnistSequence {
  const o = settings('movingMnistSequence', images, count, options);
  return draw(images, count, rng, o, new Float32Array(o.frames * o.size * o.size));
}

/**
 * `n` Moving MNIST sequences (see {@link movingMnistSequence}; sequence i is the i-th draw from
 * `rng`) in the layout of the public `mnist_test_seq.npy`: uint8 [T, n, size, size], value
 * round(255 · pixel). `writeVideoNpy` saves it as that file does.
 *
 * @example
 * const { data, shape } = movingMnist(images, count, 100, new Generator(1));
 * shape; // [20, 100, 64, 64]
 */
export function movingMnist(images: Float32Array, count: number, n: number, rng: Generator, options: MovingMnistOptions = {}): { data: Uint8Array; shape: [number, number, number, number] } {
  const o = settings('movingMnist', images, count, options);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`movingMnist: n must be a positive integer, got ${n}`);
  const { frames: T, size } = o;
  const plane = size * size;
  if (T * n * plane > 2 ** 31 - 1) throw new RangeError(`movingMnist: ${T} frames of ${n} sequences of ${size}x${size} need ${T * n * plane} bytes, more than one buffer holds`);
  const data = new Uint8Array(T * n * plane);
  const frames = new Float32Array(T * plane);
  for (let i = 0; i < n; i++) {
    frames.fill(0);
    draw(images, count, rng, o, frames);
    for (let t = 0; t < T; t++) {
      const from = t * plane;
      const to = (t * n + i) * plane;
      for (let p = 0; p < plane; p++) data[to + p] = Math.round(255 * Math.min(1, Math.max(0, frames[from + p]!)));
    }
  }
  return { data, shape: [T, n, size, size] };
}
