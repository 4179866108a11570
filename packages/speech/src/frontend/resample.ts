/** Options of {@link resample}. */
export interface ResampleOptions {
  /** Zero crossings of the sinc on each side of the centre tap (default 16): longer filters, sharper cut-off. */
  zeroCrossings?: number;
  /** Cut-off as a fraction of the lower Nyquist frequency min(from, to)/2 (default 0.95). */
  rolloff?: number;
  /** Kaiser window shape β (default 8.6: about 86 dB side-lobe rejection). */
  beta?: number;
  /**
   * The most output samples to allocate (default 2^28, 1 GiB of float32): a longer output is a
   * RangeError naming the rates, not a runaway allocation.
   */
  maxLength?: number;
}

/** Default of {@link ResampleOptions.maxLength}. */
const MAX_LENGTH = 2 ** 28;

/** Zeroth-order modified Bessel function of the first kind, I₀(x) = Σₖ ((x/2)ᵏ / k!)². */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return sum;
}

/** Kaiser window w(u) = I₀(β·√(1 − u²)) / I₀(β) on |u| ≤ 1, 0 outside. */
function kaiser(u: number, beta: number, i0Beta: number): number {
  if (u <= -1 || u >= 1) return 0;
  return besselI0(beta * Math.sqrt(1 - u * u)) / i0Beta;
}

const sinc = (x: number): number => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function checkRate(name: string, rate: number): void {
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
    throw new RangeError(`resample: ${name} must be a positive finite sample rate in Hz, got ${String(rate)}`);
  }
}

/**
 * Band-limited resampling by a windowed-sinc interpolator (Smith, "Digital Audio Resampling",
 * CCRMA 2002; Crochiere & Rabiner, "Multirate Digital Signal Processing", 1983). Output sample j
 * sits at input time tⱼ = j·from/to (in input samples) and is
 *
 *   y[j] = Σₖ x[k]·h(tⱼ − k),  h(τ) = c·sinc(c·τ)·w(τ·c/Z),  c = rolloff·min(1, to/from),
 *
 * an ideal low-pass at rolloff·min(from, to)/2 Hz (so downsampling cannot alias) truncated to Z zero
 * crossings each side by a Kaiser window w of shape β. Each tap set is normalised to unit DC gain.
 * With integer rates the filter is tabulated once per output phase (to/gcd(from, to) phases, a
 * polyphase filter); other ratios compute the taps per sample. Samples outside the signal are 0.
 * The output has round(n·to/from) samples (at most `options.maxLength`); equal rates return a copy.
 *
 * @example
 * const y = resample(x44k, 44100, 8000);      // low-pass at 3.8 kHz, then 8 kHz samples
 * const slower = resample(x, 8000, 8800);     // played back at 8 kHz: 10% slower and lower (speed perturbation)
 */
export function resample(signal: ArrayLike<number>, fromRate: number, toRate: number, options: ResampleOptions = {}): Float32Array {
  checkRate('fromRate', fromRate);
  checkRate('toRate', toRate);
  const zeros = options.zeroCrossings ?? 16;
  const rolloff = options.rolloff ?? 0.95;
  const beta = options.beta ?? 8.6;
  if (!Number.isInteger(zeros) || zeros < 1) throw new RangeError(`resample: options.zeroCrossings must be a positive integer, got ${zeros}`);
  if (!(rolloff > 0 && rolloff <= 1)) throw new RangeError(`resample: options.rolloff must be in (0, 1], got ${rolloff}`);
  if (!(beta >= 0)) throw new RangeError(`resample: options.beta must be >= 0, got ${beta}`);
  const maxLength = options.maxLength ?? MAX_LENGTH;
  if (!(maxLength >= 0)) throw new RangeError(`resample: options.maxLength must be >= 0, got ${maxLength}`);
  const n = signal.length;
  const outLength = fromRate === toRate ? n : Math.round((n * toRate) / fromRate);
  if (!(outLength <= maxLength)) {
    throw new RangeError(`resample: ${n} samples from ${fromRate} Hz to ${toRate} Hz make ${outLength} samples, more than options.maxLength = ${maxLength}`);
  }
  if (fromRate === toRate) return Float32Array.from(signal);
  const out = new Float32Array(outLength);
  const c = rolloff * Math.min(1, toRate / fromRate);
  const half = zeros / c; // filter half-width in input samples
  const i0Beta = besselI0(beta);
  /** Taps for the input samples k = first .. first + taps.length − 1 around fractional offset `frac`. */
  const taps = (frac: number): { first: number; taps: Float64Array } => {
    const first = Math.ceil(frac - half);
    const last = Math.floor(frac + half);
    const h = new Float64Array(Math.max(0, last - first + 1));
    let dc = 0;
    for (let k = first; k <= last; k++) {
      const tau = frac - k;
      const v = c * sinc(c * tau) * kaiser(tau / half, beta, i0Beta);
      h[k - first] = v;
      dc += v;
    }
    if (dc !== 0) for (let i = 0; i < h.length; i++) h[i] = h[i]! / dc;
    return { first, taps: h };
  };
  const apply = (j: number, base: number, filter: { first: number; taps: Float64Array }): void => {
    let s = 0;
    const h = filter.taps;
    const k0 = base + filter.first;
    const lo = Math.max(0, -k0);
    const hi = Math.min(h.length, n - k0);
    for (let i = lo; i < hi; i++) s += h[i]! * signal[k0 + i]!;
    out[j] = s;
  };
  if (Number.isInteger(fromRate) && Number.isInteger(toRate)) {
    const g = gcd(fromRate, toRate);
    const up = toRate / g;
    const down = fromRate / g;
    const phases = new Map<number, { first: number; taps: Float64Array }>();
    for (let j = 0; j < outLength; j++) {
      const num = j * down; // tⱼ = num / up, exact in doubles for any realistic length
      const base = Math.floor(num / up);
      const phase = num - base * up;
      let filter = phases.get(phase);
      if (!filter) phases.set(phase, (filter = taps(phase / up)));
      apply(j, base, filter);
    }
  } else {
    for (let j = 0; j < outLength; j++) {
      const t = (j * fromRate) / toRate;
      const base = Math.floor(t);
      apply(j, base, taps(t - base));
    }
  }
  return out;
}
