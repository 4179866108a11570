/**
 * Power spectrum |X[k]|², k = 0..nFft/2, of `x` zero-padded (or truncated) to `nFft` (a power of two),
 * X[k] = Σₙ x[n]·e^(−2πikn/nFft). Iterative radix-2 Cooley–Tukey FFT, written here (no dependency).
 * @example powerSpectrum(frame, 512) // 257 bins, bin k at k·sr/512 Hz
 */
export function powerSpectrum(x: ArrayLike<number>, nFft: number): Float64Array {
  if (nFft < 1 || (nFft & (nFft - 1)) !== 0) throw new Error(`powerSpectrum: nFft must be a power of two, got ${nFft}`);
  const re = new Float64Array(nFft);
  const im = new Float64Array(nFft);
  for (let i = 0; i < Math.min(nFft, x.length); i++) re[i] = x[i]!;
  for (let i = 1, j = 0; i < nFft; i++) {
    let bit = nFft >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
    }
  }
  for (let len = 2; len <= nFft; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    for (let s = 0; s < nFft; s += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = Math.cos(ang * k), wi = Math.sin(ang * k);
        const a = s + k, b = a + len / 2;
        const tr = re[b]! * wr - im[b]! * wi, ti = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - tr; im[b] = im[a]! - ti;
        re[a] = re[a]! + tr; im[a] = im[a]! + ti;
      }
    }
  }
  const p = new Float64Array(nFft / 2 + 1);
  for (let k = 0; k <= nFft / 2; k++) p[k] = re[k]! * re[k]! + im[k]! * im[k]!;
  return p;
}
