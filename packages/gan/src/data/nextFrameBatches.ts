import type { Observable } from 'rxjs';
import { fromIterable, prefetch, Tensor, type Batch, type Generator } from '@eole/core';
import { movingMnistSequence, type MovingMnistOptions } from './movingMnist.js';

/** Options of {@link nextFrameBatches}. */
export interface NextFrameBatchesOptions {
  /** Context frames K per sample (default 4). */
  context?: number;
  /** Frames to predict per sample, R: y holds frames K+1 … K+R (default 1; R > 1 trains recursively). */
  targets?: number;
  /** Side of the square crops (default 32; the frame's side for whole frames). */
  crop?: number;
  /** Samples per batch (default 16). */
  batch?: number;
  /** Samples per epoch, each from a fresh sequence (default 2000; the last, smaller batch is dropped). */
  samples?: number;
  /** Candidate crops drawn per sample; the one with the most motion (Σ|Y − X_K|) is kept (default 4). */
  candidates?: number;
  /** The moving-digits generator's options (its `frames` is K + 1 here). */
  movingMnist?: Omit<MovingMnistOptions, 'frames'>;
}

/**
 * Training batches for next-frame prediction made on the fly from digits (Mathieu, Couprie &
 * LeCun 2016 train on 32×32 patches with enough motion): each sample is a fresh Moving MNIST
 * sequence of K + R frames ({@link movingMnistSequence}, digits drawn from `images`), of which a
 * crop × crop window is kept, the window with the largest motion Σ|Y₁ − X_K| among `candidates`
 * random ones. x = the K context frames [B, K, crop, crop], y = the next R frames [B, R, crop, crop],
 * pixels mapped to [−1, 1] (2p − 1). Every draw comes from `rng` (sequence, then the candidate
 * windows' rows and columns), so a seed and the rng's state reproduce an epoch; subscribing again
 * makes the next epoch.
 *
 * @example
 * videoPredictionTrain({ ..., data: nextFrameBatches(train.images, train.count, dataRng, { samples: 4000 }) });
 */
export function nextFrameBatches(images: Float32Array, count: number, rng: Generator, options: NextFrameBatchesOptions = {}): Observable<Batch> {
  const K = options.context ?? 4;
  const R = options.targets ?? 1;
  const crop = options.crop ?? 32;
  const B = options.batch ?? 16;
  const samples = options.samples ?? 2000;
  const candidates = options.candidates ?? 4;
  const size = options.movingMnist?.size ?? 64;
  for (const [name, v, min] of [['context', K, 1], ['targets', R, 1], ['crop', crop, 1], ['batch', B, 1], ['samples', samples, 1], ['candidates', candidates, 1]] as const) {
    if (!Number.isInteger(v) || v < min) throw new RangeError(`nextFrameBatches: ${name} must be an integer ≥ ${min}, got ${String(v)}`);
  }
  if (crop > size) throw new RangeError(`nextFrameBatches: crop ${crop} is larger than the frames (${size}×${size})`);
  if (samples < B) throw new RangeError(`nextFrameBatches: samples (${samples}) must be at least one batch (${B})`);
  const frame = size * size;
  const window = crop * crop;
  return fromIterable(function* () {
    for (let first = 0; first + B <= samples; first += B) {
      const x = new Float32Array(B * K * window);
      const y = new Float32Array(B * R * window);
      for (let i = 0; i < B; i++) {
        const { frames } = movingMnistSequence(images, count, rng, { ...options.movingMnist, size, frames: K + R });
        let best = [0, 0];
        let bestMotion = -1;
        for (let c = 0; c < candidates; c++) {
          const r0 = rng.int(size - crop + 1);
          const c0 = rng.int(size - crop + 1);
          let motion = 0;
          for (let r = 0; r < crop; r++) {
            for (let q = 0; q < crop; q++) {
              const p = (r0 + r) * size + c0 + q;
              motion += Math.abs(frames[K * frame + p]! - frames[(K - 1) * frame + p]!);
            }
          }
          if (motion > bestMotion) [best, bestMotion] = [[r0, c0], motion];
        }
        const [r0, c0] = best as [number, number];
        for (let t = 0; t < K + R; t++) {
          const dst = t < K ? x.subarray((i * K + t) * window, (i * K + t + 1) * window) : y.subarray((i * R + t - K) * window, (i * R + t - K + 1) * window);
          for (let r = 0; r < crop; r++) {
            for (let q = 0; q < crop; q++) dst[r * crop + q] = 2 * frames[t * frame + (r0 + r) * size + c0 + q]! - 1;
          }
        }
      }
      yield { x: new Tensor(x, [B, K, crop, crop]), y: new Tensor(y, [B, R, crop, crop]) } as Batch;
    }
  }).pipe(prefetch(4));
}
