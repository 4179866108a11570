import { readNpy, writeNpy } from '@eole/core';
import { checkVideo, type VideoSet } from './videoSequences.js';

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
