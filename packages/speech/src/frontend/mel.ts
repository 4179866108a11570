/**
 * The mel scale (HTK book, §5.4): mel(f) = 2595·log10(1 + f/700).
 * @example melScale(1000) // ≈ 1000
 */
export function melScale(hz: number): number {
  return 2595 * Math.log10(1 + hz / 700);
}

/** Inverse of {@link melScale}: f = 700·(10^(m/2595) − 1). @example melToHz(1000) // ≈ 1000 */
export function melToHz(mel: number): number {
  return 700 * (Math.pow(10, mel / 2595) - 1);
}

/**
 * Vocal-tract length warp of a frequency (piecewise linear, as HTK's WARPFREQ and Kaldi's VTLN):
 * f ↦ α·f up to the knee f₀ = cutoff·min(α, 1)/α, then a straight line to the Nyquist frequency,
 * which stays fixed:
 *
 *   w(f) = α·f                                                   for f ≤ f₀
 *   w(f) = N − (N − α·f₀)·(N − f)/(N − f₀)                       for f > f₀   (N = sampleRate/2)
 *
 * A spectrum read through w has its formants moved by the factor α, as from a vocal tract 1/α as
 * long; drawing α near 1 for every training example is vocal tract length perturbation (Jaitly &
 * Hinton, "Vocal Tract Length Perturbation (VTLP) improves speech recognition", ICML WDLASL 2013).
 * `cutoff` defaults to 0.85·N.
 * @example vtlnWarp(1000, 1.1, 4000) // 1100
 */
export function vtlnWarp(hz: number, alpha: number, nyquist: number, cutoff = 0.85 * nyquist): number {
  if (!(alpha > 0)) throw new RangeError(`vtlnWarp: alpha must be a positive warp factor, got ${alpha}`);
  if (!(cutoff > 0 && cutoff < nyquist)) throw new RangeError(`vtlnWarp: cutoff must lie in (0, ${nyquist}), got ${cutoff}`);
  const knee = (cutoff * Math.min(alpha, 1)) / alpha;
  if (hz <= knee) return alpha * hz;
  return nyquist - ((nyquist - alpha * knee) * (nyquist - hz)) / (nyquist - knee);
}

/**
 * Triangular mel filterbank, HTK style: `nFilters` triangles with centres equally spaced on the mel
 * scale between mel(fMin) and mel(fMax) (nFilters + 2 edge points). Filter m weights FFT bin k
 * (frequency f = k·sr/nFft) by (f − f[m−1])/(f[m] − f[m−1]) on the rising side and
 * (f[m+1] − f)/(f[m+1] − f[m]) on the falling side, 0 elsewhere (Davis & Mermelstein 1980).
 * With `warp` = α ≠ 1 every bin is placed at {@link vtlnWarp}(f, α) before it is weighted (the
 * features of a speaker whose formants are α times higher).
 * Returns a row-major Float64Array [nFilters, nFft/2 + 1].
 * @example melFilterbank(40, 512, 16000)
 */
export function melFilterbank(nFilters: number, nFft: number, sampleRate: number, fMin = 0, fMax = sampleRate / 2, warp = 1): Float64Array {
  if (!(fMax > fMin) || fMin < 0) throw new Error(`melFilterbank: need 0 <= fMin < fMax, got fMin=${fMin}, fMax=${fMax}`);
  if (!(warp > 0)) throw new RangeError(`melFilterbank: warp must be a positive factor, got ${warp}`);
  const nBins = nFft / 2 + 1;
  const lo = melScale(fMin), hi = melScale(fMax);
  const edges = Array.from({ length: nFilters + 2 }, (_, i) => melToHz(lo + ((hi - lo) * i) / (nFilters + 1)));
  const fb = new Float64Array(nFilters * nBins);
  for (let m = 0; m < nFilters; m++) {
    const [l, c, r] = [edges[m]!, edges[m + 1]!, edges[m + 2]!];
    for (let k = 0; k < nBins; k++) {
      const bin = (k * sampleRate) / nFft;
      const f = warp === 1 ? bin : vtlnWarp(bin, warp, sampleRate / 2);
      let w = 0;
      if (f > l && f <= c) w = (f - l) / (c - l);
      else if (f > c && f < r) w = (r - f) / (r - c);
      fb[m * nBins + k] = w;
    }
  }
  return fb;
}

/** Centre frequencies (Hz) of the filters of {@link melFilterbank}. @example melCentres(40, 16000) */
export function melCentres(nFilters: number, sampleRate: number, fMin = 0, fMax = sampleRate / 2): number[] {
  const lo = melScale(fMin), hi = melScale(fMax);
  return Array.from({ length: nFilters }, (_, i) => melToHz(lo + ((hi - lo) * (i + 1)) / (nFilters + 1)));
}
