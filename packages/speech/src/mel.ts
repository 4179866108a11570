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
 * Triangular mel filterbank, HTK style: `nFilters` triangles with centres equally spaced on the mel
 * scale between mel(fMin) and mel(fMax) (nFilters + 2 edge points). Filter m weights FFT bin k
 * (frequency f = k·sr/nFft) by (f − f[m−1])/(f[m] − f[m−1]) on the rising side and
 * (f[m+1] − f)/(f[m+1] − f[m]) on the falling side, 0 elsewhere (Davis & Mermelstein 1980).
 * Returns a row-major Float64Array [nFilters, nFft/2 + 1].
 * @example melFilterbank(40, 512, 16000)
 */
export function melFilterbank(nFilters: number, nFft: number, sampleRate: number, fMin = 0, fMax = sampleRate / 2): Float64Array {
  if (!(fMax > fMin) || fMin < 0) throw new Error(`melFilterbank: need 0 <= fMin < fMax, got fMin=${fMin}, fMax=${fMax}`);
  const nBins = nFft / 2 + 1;
  const lo = melScale(fMin), hi = melScale(fMax);
  const edges = Array.from({ length: nFilters + 2 }, (_, i) => melToHz(lo + ((hi - lo) * i) / (nFilters + 1)));
  const fb = new Float64Array(nFilters * nBins);
  for (let m = 0; m < nFilters; m++) {
    const [l, c, r] = [edges[m]!, edges[m + 1]!, edges[m + 2]!];
    for (let k = 0; k < nBins; k++) {
      const f = (k * sampleRate) / nFft;
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
