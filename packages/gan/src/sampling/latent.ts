import { Tensor, type Generator } from '@eole/core';

/**
 * n latent codes z ~ N(0, I) of size nz, drawn from `rng` in row order: [n, nz]. The prior of
 * Goodfellow et al. 2014 and of DCGAN.
 *
 * @example
 * const fixed = latentNoise(64, 64, new Generator(7)); // the same grid of samples every epoch
 */
export function latentNoise(n: number, nz: number, rng: Generator): Tensor {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`latentNoise: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(nz) || nz < 1) throw new RangeError(`latentNoise: nz must be a positive integer, got ${nz}`);
  return Tensor.randn([n, nz], rng);
}

function vectors(op: string, a: ArrayLike<number>, b: ArrayLike<number>, steps: number): void {
  if (a.length !== b.length || a.length === 0) throw new RangeError(`${op}: a and b must be non-empty codes of one size, got ${a.length} and ${b.length}`);
  if (!Number.isInteger(steps) || steps < 2) throw new RangeError(`${op}: steps must be an integer >= 2, got ${steps}`);
}

/**
 * Linear interpolation between two latent codes: `steps` rows z_t = (1 − t)·a + t·b for t evenly
 * spaced from 0 to 1 (DCGAN's "walking in the latent space", §6.1). Returns [steps, nz].
 *
 * @example
 * lerp(z.row(0), z.row(1), 8).shape; // [8, 64]
 */
export function lerp(a: ArrayLike<number>, b: ArrayLike<number>, steps: number): Tensor {
  vectors('lerp', a, b, steps);
  const d = a.length;
  const out = new Float32Array(steps * d);
  for (let s = 0; s < steps; s++) {
    const t = s / (steps - 1);
    for (let i = 0; i < d; i++) out[s * d + i] = (1 - t) * a[i]! + t * b[i]!;
  }
  return new Tensor(out, [steps, d]);
}

/**
 * Spherical interpolation (White, "Sampling generative networks", 2016): along the great circle
 * between a and b, z_t = sin((1 − t)Ω)/sin Ω · a + sin(tΩ)/sin Ω · b with cos Ω = a·b/(‖a‖‖b‖),
 * which keeps the norm a Gaussian code typically has (linear interpolation passes near the
 * origin, where codes are rare). Falls back to {@link lerp} when a and b are parallel. Returns
 * [steps, nz].
 *
 * @example
 * slerp(z.row(0), z.row(1), 8).shape; // [8, 64]
 */
export function slerp(a: ArrayLike<number>, b: ArrayLike<number>, steps: number): Tensor {
  vectors('slerp', a, b, steps);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  const cos = Math.min(1, Math.max(-1, dot / Math.sqrt(na * nb)));
  const omega = Math.acos(cos);
  if (!(Math.sin(omega) > 1e-6)) return lerp(a, b, steps);
  const d = a.length;
  const out = new Float32Array(steps * d);
  for (let s = 0; s < steps; s++) {
    const t = s / (steps - 1);
    const ca = Math.sin((1 - t) * omega) / Math.sin(omega);
    const cb = Math.sin(t * omega) / Math.sin(omega);
    for (let i = 0; i < d; i++) out[s * d + i] = ca * a[i]! + cb * b[i]!;
  }
  return new Tensor(out, [steps, d]);
}

/** The mean of the rows of codes [n, nz] whose index is in `rows`. */
export function meanCode(codes: Tensor, rows: readonly number[]): Float32Array {
  if (codes.ndim !== 2) throw new RangeError(`meanCode: codes must be [n, nz], got [${codes.shape.join(', ')}]`);
  if (rows.length === 0) throw new RangeError('meanCode: rows must name at least one code');
  const [n, d] = codes.shape as [number, number];
  const out = new Float64Array(d);
  for (const r of rows) {
    if (!Number.isInteger(r) || r < 0 || r >= n) throw new RangeError(`meanCode: row ${r} is out of range [0, ${n})`);
    for (let i = 0; i < d; i++) out[i]! += codes.data[r * d + i]!;
  }
  return Float32Array.from(out, (v) => v / rows.length);
}

/**
 * DCGAN's vector arithmetic on latent codes (Radford et al. 2016, §6.3, "smiling woman − neutral
 * woman + neutral man"): the mean code of group a, minus that of group b, plus that of group c.
 * Averaging a few codes per group (the paper uses three) makes the result stable.
 *
 * @example
 * // thick 7s − thin 7s + thin 1s ≈ a thick 1
 * const z = latentArithmetic(codes, thick7, thin7, thin1);
 */
export function latentArithmetic(codes: Tensor, a: readonly number[], b: readonly number[], c: readonly number[]): Float32Array {
  const [ma, mb, mc] = [meanCode(codes, a), meanCode(codes, b), meanCode(codes, c)];
  return ma.map((v, i) => v - mb[i]! + mc[i]!);
}
