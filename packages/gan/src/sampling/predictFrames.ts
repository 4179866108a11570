import { concat, formatShape, narrow, noGrad, ShapeError, type Module, type Tensor } from '@eole/core';

/** What {@link predictFrames} needs of a generator: K context frames in, one frame out. */
export interface FramePredictor extends Module {
  readonly context: number;
}

/**
 * Recursive multi-frame prediction (Mathieu, Couprie & LeCun, ICLR 2016, "recursive"): the
 * generator predicts the frame after the last K of `frames`, the prediction is appended to the
 * context, and so on `horizon` times:
 *
 *   Ŷ_{t+1} = G(X_{t−K+1..t}),  X_{t+1} = Ŷ_{t+1}.
 *
 * frames [N, T, H, W] in [−1, 1] with T ≥ K (only the last K are read); returns the predictions
 * [N, horizon, H, W]. Runs without gradient, in evaluation mode (the training mode is restored).
 *
 * @example
 * const future = predictFrames(generator, firstTenFrames, 10); // [N, 10, 64, 64]: frames 11–20
 */
export function predictFrames(generator: FramePredictor, frames: Tensor, horizon: number): Tensor {
  const K = generator.context;
  if (frames?.ndim !== 4 || frames.shape[1]! < K) throw new ShapeError('predictFrames', `expected frames [N, T ≥ ${K}, H, W], got ${frames?.shape ? formatShape(frames.shape) : String(frames)}`);
  if (!Number.isInteger(horizon) || horizon < 1) throw new RangeError(`predictFrames: horizon must be an integer ≥ 1, got ${String(horizon)}`);
  const training = generator.training;
  generator.evaluate();
  try {
    return noGrad(() => {
      let context = narrow(frames, 1, frames.shape[1]! - K, K);
      const out: Tensor[] = [];
      for (let h = 0; h < horizon; h++) {
        const next = generator.forward(context);
        out.push(next);
        context = K === 1 ? next : concat([narrow(context, 1, 1, K - 1), next], 1);
      }
      return concat(out, 1);
    });
  } finally {
    if (training) generator.train();
  }
}
