import { describeValue, formatShape, ShapeError, Tensor } from '@eole/core';

/** The layout of a batch of frames checked by {@link checkFrames}. */
export interface FrameLayout {
  /** Number of frames N (the leading dimension). */
  readonly frames: number;
  /** Channels C per frame (1 for [N, H, W]). */
  readonly channels: number;
  /** Frame height H. */
  readonly height: number;
  /** Frame width W. */
  readonly width: number;
}

/**
 * The shared argument check of the video frame metrics ({@link frameMse}, {@link psnr},
 * {@link ssim}, {@link sharpnessDifference}): `pred` and `target` must be tensors of one shape
 * [N, C, H, W] or [N, H, W] (read as C = 1), with C ≥ 1 and H, W ≥ `minSide`. Returns the
 * layout; N may be 0 (the metrics then return an empty array).
 *
 * A 5-D video batch [B, T, C, H, W] is refused rather than silently read as one frame per
 * sequence: reshape it to [B·T, C, H, W] for per-frame values.
 *
 * @throws TypeError when `pred` or `target` is not a Tensor.
 * @throws ShapeError naming `op` and both shapes when the shapes differ, have fewer than 3 or more
 *   than 4 dimensions, or a frame is smaller than `minSide` × `minSide`.
 *
 * @example
 * const { frames, channels, height, width } = checkFrames('psnr', pred, target, 1);
 */
export function checkFrames(op: string, pred: Tensor, target: Tensor, minSide: number): FrameLayout {
  if (!(pred instanceof Tensor)) throw new TypeError(`${op}: pred must be a Tensor [N, C, H, W] or [N, H, W], got ${describeValue(pred)}`);
  if (!(target instanceof Tensor)) throw new TypeError(`${op}: target must be a Tensor [N, C, H, W] or [N, H, W], got ${describeValue(target)}`);
  const shapes = `pred ${formatShape(pred.shape)} and target ${formatShape(target.shape)}`;
  const a = pred.shape;
  const b = target.shape;
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new ShapeError(op, `pred and target must have the same shape, got ${shapes}`);
  }
  if (a.length < 3 || a.length > 4) {
    const hint = a.length > 4 ? ' (reshape a video batch [B, T, C, H, W] to [B·T, C, H, W])' : '';
    throw new ShapeError(op, `expected frames [N, C, H, W] or [N, H, W], got ${shapes}${hint}`);
  }
  const frames = a[0]!;
  const channels = a.length === 4 ? a[1]! : 1;
  const height = a[a.length - 2]!;
  const width = a[a.length - 1]!;
  if (channels < 1) throw new ShapeError(op, `frames need at least 1 channel, got ${shapes}`);
  if (height < minSide || width < minSide) {
    throw new ShapeError(op, `frames must be at least ${minSide}×${minSide} pixels (H, W ≥ ${minSide}), got H = ${height}, W = ${width} in ${shapes}`);
  }
  return { frames, channels, height, width };
}
