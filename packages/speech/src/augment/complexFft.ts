/**
 * In-place complex FFT of (re, im), length a power of two: X[k] = Σₙ x[n]·e^(∓2πikn/N), the
 * minus sign forward; `inverse` uses the plus sign and divides by N (so inverse(forward(x)) = x).
 * Iterative radix-2 Cooley–Tukey (Cooley & Tukey, Math. Comp. 1965).
 *
 * @example
 * const re = Float64Array.from([1, 0, 0, 0]), im = new Float64Array(4);
 * complexFft(re, im); // re = [1, 1, 1, 1]
 */
export function complexFft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (n < 1 || (n & (n - 1)) !== 0 || im.length !== n) throw new RangeError(`complexFft: re and im must have the same power-of-two length, got ${re.length} and ${im.length}`);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  const sign = inverse ? 1 : -1;
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (sign * 2 * Math.PI) / len;
    const half = len >> 1;
    for (let k = 0; k < half; k++) {
      const wr = Math.cos(ang * k), wi = Math.sin(ang * k);
      for (let s = 0; s < n; s += len) {
        const a = s + k, b = a + half;
        const tr = re[b]! * wr - im[b]! * wi, ti = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
      }
    }
  }
  if (inverse) for (let i = 0; i < n; i++) (re[i] = re[i]! / n), (im[i] = im[i]! / n);
}

/** The smallest power of two >= n. */
export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p <<= 1;
  return p;
}

/**
 * The first `length` samples of the linear convolution (x ∗ h)[n] = Σₖ h[k]·x[n − k] (a causal
 * filter's output over the input's span), by FFT (zero-padded to a power of two >= |x| + |h| − 1).
 *
 * @example
 * convolve(Float32Array.from([1, 2, 3]), [1, 0.5], 3); // [1, 2.5, 4]
 */
export function convolve(x: ArrayLike<number>, h: ArrayLike<number>, length = x.length): Float32Array {
  const n = nextPow2(x.length + h.length - 1);
  const xr = new Float64Array(n), xi = new Float64Array(n);
  const hr = new Float64Array(n), hi = new Float64Array(n);
  for (let i = 0; i < x.length; i++) xr[i] = x[i]!;
  for (let i = 0; i < h.length; i++) hr[i] = h[i]!;
  complexFft(xr, xi);
  complexFft(hr, hi);
  for (let k = 0; k < n; k++) {
    const r = xr[k]! * hr[k]! - xi[k]! * hi[k]!;
    xi[k] = xr[k]! * hi[k]! + xi[k]! * hr[k]!;
    xr[k] = r;
  }
  complexFft(xr, xi, true);
  const out = new Float32Array(length);
  for (let i = 0; i < Math.min(length, n); i++) out[i] = xr[i]!;
  return out;
}
