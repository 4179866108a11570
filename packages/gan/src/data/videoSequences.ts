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

/** Checks that `video` is a consistent {@link VideoSet}; errors start with `op: `. */
export function checkVideo(op: string, video: VideoSet): void {
  if (video === null || typeof video !== 'object') throw new TypeError(`${op}: video must be a VideoSet { frames, sequences, height, width, data }, got ${String(video)}`);
  for (const key of ['frames', 'sequences', 'height', 'width'] as const) {
    if (!Number.isInteger(video[key]) || video[key] < 1) throw new RangeError(`${op}: video.${key} must be a positive integer, got ${video[key]}`);
  }
  if (!(video.data instanceof Uint8Array)) throw new TypeError(`${op}: video.data must be a Uint8Array of pixels [T, N, H, W]`);
  const need = video.frames * video.sequences * video.height * video.width;
  if (video.data.length !== need) throw new RangeError(`${op}: video.data holds ${video.data.length} pixels, [${video.frames}, ${video.sequences}, ${video.height}, ${video.width}] needs ${need}`);
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
