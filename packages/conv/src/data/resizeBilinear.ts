/**
 * Resizes a one-channel image of `srcW`×`srcH` values (row-major) to `dstW`×`dstH` by bilinear
 * interpolation with half-pixel centres, as PyTorch's
 * `F.interpolate(x, size, mode='bilinear', align_corners=False, antialias=False)` and OpenCV's
 * `INTER_LINEAR` do (and PIL's `BILINEAR` when enlarging): output pixel (i, j) samples the source at
 *
 *   u = max(0, (j + ½)·srcW/dstW − ½),  v = max(0, (i + ½)·srcH/dstH − ½),
 *   out = (1−a)(1−b)·s[v₀][u₀] + a(1−b)·s[v₀][u₁] + (1−a)b·s[v₁][u₀] + ab·s[v₁][u₁],
 *
 * with u₀ = ⌊u⌋, u₁ = min(u₀ + 1, srcW − 1), a = u − u₀ (and the same for v, b). No rounding: the
 * result is a Float32Array (round and clamp it to store bytes). Shrinking does not low-pass first.
 *
 * @example
 * resizeBilinear(Uint8Array.of(0, 100), 2, 1, 4, 1);
 * // Float32Array [0, 25, 75, 100]
 * const big = resizeBilinear(digit28x28, 28, 28, 48, 48);
 */
export function resizeBilinear(src: ArrayLike<number>, srcW: number, srcH: number, dstW: number, dstH: number): Float32Array {
  const sides: [string, number][] = [['srcW', srcW], ['srcH', srcH], ['dstW', dstW], ['dstH', dstH]];
  for (const [name, v] of sides) if (!Number.isInteger(v) || v < 1) throw new RangeError(`resizeBilinear: ${name} must be a positive integer, got ${String(v)}`);
  if (src.length !== srcW * srcH) throw new RangeError(`resizeBilinear: src holds ${src.length} values, a ${srcW}x${srcH} image needs ${srcW * srcH}`);
  const cols = taps(srcW, dstW);
  const rows = taps(srcH, dstH);
  const out = new Float32Array(dstW * dstH);
  for (let i = 0; i < dstH; i++) {
    const r0 = rows.lo[i]! * srcW;
    const r1 = rows.hi[i]! * srcW;
    const b = rows.weight[i]!;
    for (let j = 0; j < dstW; j++) {
      const c0 = cols.lo[j]!;
      const c1 = cols.hi[j]!;
      const a = cols.weight[j]!;
      const top = (1 - a) * src[r0 + c0]! + a * src[r0 + c1]!;
      const bottom = (1 - a) * src[r1 + c0]! + a * src[r1 + c1]!;
      out[i * dstW + j] = (1 - b) * top + b * bottom;
    }
  }
  return out;
}

/** For each output index along one axis: the two source indices and the weight of the second. */
function taps(srcN: number, dstN: number): { lo: Int32Array; hi: Int32Array; weight: Float64Array } {
  const lo = new Int32Array(dstN);
  const hi = new Int32Array(dstN);
  const weight = new Float64Array(dstN);
  const scale = srcN / dstN;
  for (let k = 0; k < dstN; k++) {
    const u = Math.max(0, (k + 0.5) * scale - 0.5);
    const u0 = Math.min(Math.floor(u), srcN - 1);
    lo[k] = u0;
    hi[k] = Math.min(u0 + 1, srcN - 1);
    weight[k] = u - u0;
  }
  return { lo, hi, weight };
}
