/**
 * Where digits touch: a per-pixel loss weight on the pixels near two different digits (issue 18:
 * most of the voted errors lay in connected pieces covering two or more true digits, labelled as
 * one), after the weight map of U-Net (Ronneberger, Fischer & Brox 2015), which weighs up the
 * thin background gaps between touching cells. Here the map is read off the label mask alone: a
 * pixel (digit or background) with two or more different digit labels within `radius` pixels
 * (Chebyshev distance: a (2r+1)×(2r+1) square) weighs `weight`, every other pixel 1; the class
 * weights of the loss multiply it (`--touch-weight`, the default). Two touching digits of the same
 * label are one region of the mask and get no extra weight (their label is right either way).
 * `--border` instead relabels the digit pixels next to another digit as a class of their own
 * ({@link borderTarget}; the read-out is evaluate.ts's `voteWithBorder`).
 */

/**
 * The digit labels within `radius` pixels (Chebyshev: a (2r+1)×(2r+1) square) of every pixel of a
 * label mask, as bit sets (bit d − 1 for digit label d): a separable dilation (rows, then columns),
 * 2(2r+1) operations a pixel.
 */
export function labelsNear(mask: Uint8Array, width: number, height: number, radius: number): Uint16Array {
  if (mask.length !== width * height) throw new RangeError(`labelsNear: mask holds ${mask.length} labels, expected ${width}×${height}`);
  if (!(Number.isInteger(radius) && radius >= 0)) throw new RangeError(`labelsNear: radius must be an integer ≥ 0, got ${radius}`);
  const bits = new Uint16Array(mask.length);
  for (let q = 0; q < mask.length; q++) bits[q] = mask[q] === 0 ? 0 : 1 << (mask[q]! - 1);
  const rows = new Uint16Array(mask.length);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      let b = 0;
      for (let k = Math.max(0, c - radius); k <= Math.min(width - 1, c + radius); k++) b |= bits[r * width + k]!;
      rows[r * width + c] = b;
    }
  }
  const out = new Uint16Array(mask.length);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      let b = 0;
      for (let k = Math.max(0, r - radius); k <= Math.min(height - 1, r + radius); k++) b |= rows[k * width + c]!;
      out[r * width + c] = b;
    }
  }
  return out;
}

/**
 * The touching-digits weight map of a label mask (0 background, 1…10 digits), row-major
 * `width`×`height`: `weight` where two or more different digit labels lie within `radius` pixels
 * (Chebyshev), else 1.
 *
 * @example
 * // two digits, labels 3 and 5, one pixel apart on a 6×1 row
 * touchWeights(Uint8Array.of(3, 3, 0, 5, 5, 0), 6, 1, 1, 4); // [1, 4, 4, 4, 1, 1]
 */
export function touchWeights(mask: Uint8Array, width: number, height: number, radius: number, weight: number): Float32Array {
  const near = labelsNear(mask, width, height, radius);
  const out = new Float32Array(mask.length);
  for (let q = 0; q < mask.length; q++) {
    const b = near[q]!;
    out[q] = (b & (b - 1)) !== 0 ? weight : 1; // two or more bits set
  }
  return out;
}

/**
 * The training target of `--border`: the mask with every digit pixel that has a pixel of another
 * digit label within `radius` pixels (Chebyshev) relabelled `border` (the net's extra class), so
 * the net learns to draw a line where two digits touch; background stays background.
 *
 * @example
 * borderTarget(Uint8Array.of(3, 3, 3, 5, 5, 0), 6, 1, 1, 11); // [3, 3, 11, 11, 5, 0]
 */
export function borderTarget(mask: Uint8Array, width: number, height: number, radius: number, border: number): Uint8Array {
  const near = labelsNear(mask, width, height, radius);
  const out = Uint8Array.from(mask);
  for (let q = 0; q < mask.length; q++) {
    if (mask[q] === 0) continue;
    if ((near[q]! & ~(1 << (mask[q]! - 1))) !== 0) out[q] = border;
  }
  return out;
}
