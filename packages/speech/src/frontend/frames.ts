/** Options of {@link frames}. */
export interface FrameOptions {
  /** Window length in milliseconds (default 25). */
  winMs?: number;
  /** Hop in milliseconds (default 10). */
  hopMs?: number;
}

/**
 * Cuts `signal` into overlapping frames of round(winMs·sr/1000) samples every round(hopMs·sr/1000);
 * only whole frames are kept (a signal shorter than one window gives none).
 * @example frames(x, 16000) // 400-sample frames every 160 samples
 */
export function frames(signal: Float32Array | Float64Array, sampleRate: number, opts: FrameOptions = {}): Float64Array[] {
  const win = Math.round(((opts.winMs ?? 25) * sampleRate) / 1000);
  const hop = Math.round(((opts.hopMs ?? 10) * sampleRate) / 1000);
  if (win < 1 || hop < 1) throw new Error(`frames: window (${win}) and hop (${hop}) must be >= 1 sample`);
  const out: Float64Array[] = [];
  for (let s = 0; s + win <= signal.length; s += hop) out.push(Float64Array.from(signal.subarray(s, s + win)));
  return out;
}

/**
 * Hamming window w[n] = 0.54 − 0.46·cos(2πn/(N−1)), n = 0..N−1 (HTK book, §5.2).
 * @example hamming(400)
 */
export function hamming(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = n === 1 ? 1 : 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (n - 1));
  return w;
}
