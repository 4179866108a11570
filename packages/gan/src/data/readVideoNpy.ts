import { readNpy, writeNpy } from '@eole/core';

/** A set of videos in the layout of the public `mnist_test_seq.npy`: uint8 [T, N, H, W]. */
export interface VideoSet {
  /** Frames per sequence, T. */
  frames: number;
  /** Number of sequences, N. */
  sequences: number;
  /** Frame height, H. */
  height: number;
  /** Frame width, W. */
  width: number;
  /** The pixels, uint8 [T, N, H, W] row-major (frame-major: all sequences' frame 0 first). */
  data: Uint8Array;
}

/**
 * Reads a video `.npy` file of uint8 [T, N, H, W], the layout of the Moving MNIST test set
 * (`mnist_test_seq.npy`, Srivastava, Mansimov & Salakhutdinov 2015: [20, 10000, 64, 64]), with
 * core's `readNpy`. Errors name the file and what was expected: dtype uint8, 4 dimensions, T ≥ 2
 * frames (a video to predict from), N, H, W ≥ 1.
 *
 * @example
 * const video = readVideoNpy('data/mnist_test_seq.npy');
 * [video.frames, video.sequences, video.height, video.width]; // [20, 10000, 64, 64]
 */
export function readVideoNpy(path: string): VideoSet {
  const { dtype, shape, data } = readNpy(path);
  const fail = (why: string): never => {
    throw new Error(`readVideoNpy: '${path}': ${why}`);
  };
  if (dtype !== 'uint8') fail(`expected uint8 pixels (descr '|u1'), got ${dtype}`);
  if (shape.length !== 4) fail(`expected 4 dimensions [frames, sequences, height, width], got ${shape.length}: [${shape.join(', ')}]`);
  const [frames, sequences, height, width] = shape as [number, number, number, number];
  if (frames < 2) fail(`expected at least 2 frames (dimension 0), got ${frames}`);
  if (sequences < 1 || height < 1 || width < 1) fail(`expected at least 1 sequence and frames of at least 1x1, got shape [${shape.join(', ')}]`);
  return { frames, sequences, height, width, data: data as Uint8Array };
}

/** Checks that `video` is a consistent {@link VideoSet}; errors start with `op: `. */
function checkVideo(op: string, video: VideoSet): void {
  if (video === null || typeof video !== 'object') throw new TypeError(`${op}: video must be a VideoSet { frames, sequences, height, width, data }, got ${String(video)}`);
  for (const key of ['frames', 'sequences', 'height', 'width'] as const) {
    if (!Number.isInteger(video[key]) || video[key] < 1) throw new RangeError(`${op}: video.${key} must be a positive integer, got ${video[key]}`);
  }
  if (!(video.data instanceof Uint8Array)) throw new TypeError(`${op}: video.data must be a Uint8Array of pixels [T, N, H, W]`);
  const need = video.frames * video.sequences * video.height * video.width;
  if (video.data.length !== need) throw new RangeError(`${op}: video.data holds ${video.data.length} pixels, [${video.frames}, ${video.sequences}, ${video.height}, ${video.width}] needs ${need}`);
}

/**
 * Writes a {@link VideoSet} as a `.npy` file of uint8 [T, N, H, W] (atomically, with core's
 * `writeNpy`), as `mnist_test_seq.npy` is laid out; {@link readVideoNpy} and `numpy.load` read it.
 *
 * @example
 * const { data, shape: [frames, sequences, height, width] } = movingMnist(images, count, 1000, rng);
 * writeVideoNpy('out/moving_mnist.npy', { frames, sequences, height, width, data });
 */
export function writeVideoNpy(path: string, video: VideoSet): void {
  checkVideo('writeVideoNpy', video);
  writeNpy(path, video.data, [video.frames, video.sequences, video.height, video.width]);
}

/**
 * Sequences [first, first + n) of `video` as float32 in [0, 1] (pixel / 255), in the layout
 * [n, T, H, W] (sequence-major), a net's input: the transpose of the file's first two axes.
 *
 * @example
 * const batch = videoSequences(video, 0, 8); // Float32Array of 8 · 20 · 64 · 64
 */
export function videoSequences(video: VideoSet, first: number, n: number): Float32Array {
  checkVideo('videoSequences', video);
  if (!Number.isInteger(first) || first < 0 || first >= video.sequences) throw new RangeError(`videoSequences: first must be an integer in [0, ${video.sequences}), got ${first}`);
  if (!Number.isInteger(n) || n < 1 || first + n > video.sequences) throw new RangeError(`videoSequences: n must be an integer in [1, ${video.sequences - first}] (sequences ${first}.. of ${video.sequences}), got ${n}`);
  const { frames: T, sequences: N } = video;
  const plane = video.height * video.width;
  const out = new Float32Array(n * T * plane);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < T; t++) {
      const from = (t * N + first + i) * plane;
      const to = (i * T + t) * plane;
      for (let p = 0; p < plane; p++) out[to + p] = video.data[from + p]! / 255;
    }
  }
  return out;
}
