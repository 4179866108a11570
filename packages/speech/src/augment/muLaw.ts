import type { Generator } from '@eole/core';
import type { Augmentation, Waveform } from './Augmentation.js';
import { checkInteger, checkNumber, checkWaveform } from './check.js';

/**
 * μ-law companding and uniform quantisation (ITU-T G.711 with μ = 255 and 8 bits): samples scaled
 * by their peak p to [−1, 1], compressed, quantised to 2^bits levels, expanded and scaled back:
 *
 *   F(x) = sgn(x)·ln(1 + μ|x|)/ln(1 + μ),   q = round((F + 1)/2·(L − 1))/(L − 1)·2 − 1,
 *   y = p·sgn(q)·((1 + μ)^|q| − 1)/μ,   L = 2^bits.
 *
 * Quiet samples keep fine steps, loud ones coarse steps (about 38 dB SNR at 8 bits). At most L
 * distinct values; a silent input is returned unchanged.
 *
 * @example
 * muLawQuantize(samples);            // G.711-like, 256 levels
 * muLawQuantize(samples, 4, 255);    // 16 levels: a harsh codec
 */
export function muLawQuantize(samples: Float32Array, bits = 8, mu = 255): Float32Array {
  checkInteger('muLawQuantize', 'bits', bits, 1);
  if (bits > 16) throw new RangeError(`muLawQuantize: bits must be an integer in [1, 16], got ${bits}`);
  checkNumber('muLawQuantize', 'mu', mu, { min: 0, minExclusive: true });
  let peak = 0;
  for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]!));
  if (peak === 0) return Float32Array.from(samples);
  const levels = 2 ** bits;
  const log1pMu = Math.log1p(mu);
  return samples.map((v) => {
    const x = v / peak;
    const f = (Math.sign(x) * Math.log1p(mu * Math.abs(x))) / log1pMu;
    const q = (Math.round(((f + 1) / 2) * (levels - 1)) / (levels - 1)) * 2 - 1;
    return (peak * Math.sign(q) * (Math.pow(1 + mu, Math.abs(q)) - 1)) / mu;
  });
}

/**
 * μ-law codec quantisation as an augmentation ({@link muLawQuantize}, fixed `bits` and μ; it draws
 * nothing from the generator). Length and sample rate are preserved.
 *
 * @example
 * composeAugmentations([bandLimit({ low: 300, high: 3400 }), muLaw()]); // a telephone channel
 */
export function muLaw(options: { bits?: number; mu?: number } = {}): Augmentation {
  const bits = options.bits ?? 8;
  const mu = options.mu ?? 255;
  muLawQuantize(new Float32Array(1), bits, mu); // validates
  return {
    name: `muLaw(${bits} bits, μ=${mu})`,
    apply(wave: Waveform, _rng: Generator): Waveform {
      checkWaveform('muLaw.apply', wave);
      return { samples: muLawQuantize(wave.samples, bits, mu), sampleRate: wave.sampleRate };
    },
  };
}
