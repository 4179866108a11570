import { checkNumber } from './check.js';

/** The second-order sections of {@link biquadCoefficients}. */
export type BiquadKind = 'lowpass' | 'highpass' | 'peaking' | 'lowshelf' | 'highshelf';

/** A second-order section normalised by a₀: H(z) = (b₀ + b₁z⁻¹ + b₂z⁻²)/(1 + a₁z⁻¹ + a₂z⁻²). */
export interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

const KINDS: readonly BiquadKind[] = ['lowpass', 'highpass', 'peaking', 'lowshelf', 'highshelf'];

/**
 * The coefficients of a second-order filter from R. Bristow-Johnson's "Cookbook formulae for audio
 * EQ biquad filter coefficients" (W3C Audio EQ Cookbook), with ω₀ = 2π·f₀/fₛ, α = sin ω₀/(2Q) and
 * A = 10^(gainDb/40):
 *
 *   peaking:  b = [1 + αA, −2cos ω₀, 1 − αA],  a = [1 + α/A, −2cos ω₀, 1 − α/A]
 *   lowpass:  b = [(1 − cos ω₀)/2, 1 − cos ω₀, (1 − cos ω₀)/2],  a = [1 + α, −2cos ω₀, 1 − α]
 *   highpass: b = [(1 + cos ω₀)/2, −(1 + cos ω₀), (1 + cos ω₀)/2],  a as lowpass
 *   low/high shelf: the cookbook's shelving forms (gain A² below/above f₀, 1 on the other side).
 *
 * `frequency` must lie in (0, fₛ/2); `q` > 0 (default 1/√2: Butterworth for low/high pass);
 * `gainDb` matters for peaking and shelves only.
 *
 * @example
 * const eq = biquadCoefficients('peaking', 1000, 8000, { q: 1, gainDb: 6 });
 * biquadResponse(eq, 1000, 8000); // 1.995 (+6 dB at the centre)
 */
export function biquadCoefficients(kind: BiquadKind, frequency: number, sampleRate: number, options: { q?: number; gainDb?: number } = {}): Biquad {
  if (!KINDS.includes(kind)) throw new RangeError(`biquadCoefficients: kind must be one of ${KINDS.join(', ')}, got ${String(kind)}`);
  checkNumber('biquadCoefficients', 'sampleRate', sampleRate, { min: 0, minExclusive: true });
  checkNumber('biquadCoefficients', 'frequency', frequency, { min: 0, max: sampleRate / 2, minExclusive: true, maxExclusive: true });
  const q = checkNumber('biquadCoefficients', 'options.q', options.q ?? Math.SQRT1_2, { min: 0, minExclusive: true });
  const gainDb = checkNumber('biquadCoefficients', 'options.gainDb', options.gainDb ?? 0, { min: -60, max: 60 });
  const w0 = (2 * Math.PI * frequency) / sampleRate;
  const cos = Math.cos(w0);
  const alpha = Math.sin(w0) / (2 * q);
  const A = Math.pow(10, gainDb / 40);
  let b: [number, number, number];
  let a: [number, number, number];
  switch (kind) {
    case 'lowpass':
      b = [(1 - cos) / 2, 1 - cos, (1 - cos) / 2];
      a = [1 + alpha, -2 * cos, 1 - alpha];
      break;
    case 'highpass':
      b = [(1 + cos) / 2, -(1 + cos), (1 + cos) / 2];
      a = [1 + alpha, -2 * cos, 1 - alpha];
      break;
    case 'peaking':
      b = [1 + alpha * A, -2 * cos, 1 - alpha * A];
      a = [1 + alpha / A, -2 * cos, 1 - alpha / A];
      break;
    case 'lowshelf': {
      const s = 2 * Math.sqrt(A) * alpha;
      b = [A * (A + 1 - (A - 1) * cos + s), 2 * A * (A - 1 - (A + 1) * cos), A * (A + 1 - (A - 1) * cos - s)];
      a = [A + 1 + (A - 1) * cos + s, -2 * (A - 1 + (A + 1) * cos), A + 1 + (A - 1) * cos - s];
      break;
    }
    case 'highshelf': {
      const s = 2 * Math.sqrt(A) * alpha;
      b = [A * (A + 1 + (A - 1) * cos + s), -2 * A * (A - 1 + (A + 1) * cos), A * (A + 1 + (A - 1) * cos - s)];
      a = [A + 1 - (A - 1) * cos + s, 2 * (A - 1 - (A + 1) * cos), A + 1 - (A - 1) * cos - s];
      break;
    }
  }
  return { b0: b[0] / a[0], b1: b[1] / a[0], b2: b[2] / a[0], a1: a[1] / a[0], a2: a[2] / a[0] };
}

/**
 * Filters `x` through the cascade of `sections` (transposed direct form II, float64 state, zero
 * initial state): the output has the input's length.
 *
 * @example
 * applyBiquads(samples, [biquadCoefficients('highpass', 300, 8000), biquadCoefficients('lowpass', 3400, 8000)]);
 */
export function applyBiquads(x: ArrayLike<number>, sections: readonly Biquad[]): Float32Array {
  const y = Float64Array.from(x);
  for (const { b0, b1, b2, a1, a2 } of sections) {
    let z1 = 0, z2 = 0;
    for (let i = 0; i < y.length; i++) {
      const v = y[i]!;
      const out = b0 * v + z1;
      z1 = b1 * v - a1 * out + z2;
      z2 = b2 * v - a2 * out;
      y[i] = out;
    }
  }
  return Float32Array.from(y);
}

/**
 * |H(e^{iω})| of a cascade of sections at `frequency` Hz (ω = 2π·frequency/fₛ): the gain a
 * sinusoid at that frequency gets once the filter has settled.
 *
 * @example
 * biquadResponse(biquadCoefficients('lowpass', 1000, 8000), 1000, 8000); // 0.7071 (−3 dB)
 */
export function biquadResponse(sections: Biquad | readonly Biquad[], frequency: number, sampleRate: number): number {
  const w = (2 * Math.PI * frequency) / sampleRate;
  const [c1, s1, c2, s2] = [Math.cos(w), -Math.sin(w), Math.cos(2 * w), -Math.sin(2 * w)];
  let gain = 1;
  for (const { b0, b1, b2, a1, a2 } of Array.isArray(sections) ? sections : [sections as Biquad]) {
    const nr = b0 + b1 * c1 + b2 * c2, ni = b1 * s1 + b2 * s2;
    const dr = 1 + a1 * c1 + a2 * c2, di = a1 * s1 + a2 * s2;
    gain *= Math.hypot(nr, ni) / Math.hypot(dr, di);
  }
  return gain;
}
