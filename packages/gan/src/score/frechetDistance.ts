import { matrixFunction, symmetricEigen } from './symmetricEigen.js';

/** The mean and covariance of a set of feature vectors (float64; `cov` is d×d, row-major). */
export interface GaussianStats {
  mean: Float64Array;
  cov: Float64Array;
}

/**
 * The mean μ = (1/n)·Σᵢ xᵢ and the unbiased covariance Σ = (1/(n−1))·Σᵢ (xᵢ − μ)(xᵢ − μ)ᵀ of n
 * feature vectors of dimension d, stored row after row in `features` ([n, d], row-major),
 * accumulated in float64 after centring (two passes). What {@link frechetDistance} compares
 * (Heusel et al., 2017).
 *
 * @example
 * const s = gaussianStats(Float32Array.from([0, 0, 2, 4]), 2, 2);
 * s.mean; // [1, 2]
 * s.cov;  // [2, 4, 4, 8]
 */
export function gaussianStats(features: Float32Array | Float64Array, n: number, d: number): GaussianStats {
  const op = 'gaussianStats';
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`${op}: n must be an integer ≥ 2 (a covariance needs two samples), got ${n}`);
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`${op}: d must be a positive integer, got ${d}`);
  if (!(features instanceof Float32Array || features instanceof Float64Array)) throw new TypeError(`${op}: features must be a Float32Array or Float64Array [n, d], got ${Object.prototype.toString.call(features)}`);
  if (features.length !== n * d) throw new RangeError(`${op}: features must hold n·d = ${n}·${d} = ${n * d} values ([n, d] row-major), got ${features.length}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += features[i * d + j]!;
  for (let j = 0; j < d; j++) {
    mean[j] /= n;
    if (!Number.isFinite(mean[j]!)) throw new RangeError(`${op}: features hold a non-finite value in column ${j}`);
  }
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = features[i * d + j]! - mean[j]!;
    for (let j = 0; j < d; j++) {
      const rj = row[j]!;
      if (rj === 0) continue;
      for (let k = j; k < d; k++) cov[j * d + k] += rj * row[k]!;
    }
  }
  for (let j = 0; j < d; j++) {
    for (let k = j; k < d; k++) {
      const c = cov[j * d + k]! / (n - 1);
      cov[j * d + k] = c;
      cov[k * d + j] = c;
    }
  }
  return { mean, cov };
}

/**
 * The Fréchet distance between two Gaussians N(μa, Σa) and N(μb, Σb), the squared 2-Wasserstein
 * distance (Dowson & Landau 1982) that Heusel, Ramsauer, Unterthiner, Nessler & Hochreiter
 * ("GANs trained by a two time-scale update rule converge to a local Nash equilibrium",
 * NeurIPS 2017) apply to a classifier's features of real and generated images (FID):
 *
 *   d² = ‖μa − μb‖² + Tr(Σa + Σb − 2·(Σa^½ Σb Σa^½)^½),
 *
 * computed in float64 with symmetric eigendecompositions (Jacobi rotations): Σa^½ = V·diag(√λ)·Vᵀ,
 * then Tr((Σa^½ Σb Σa^½)^½) = Σₖ √μₖ over the eigenvalues μₖ of the symmetric Σa^½ Σb Σa^½.
 * Eigenvalues that rounding makes slightly negative are clamped to 0, and so is a final value a
 * hair below 0 (the distance of a set to itself).
 *
 * @example
 * const fid = frechetDistance(gaussianStats(fakeFeatures, n, 84), gaussianStats(realFeatures, m, 84));
 * frechetDistance({ mean: Float64Array.of(0), cov: Float64Array.of(1) }, { mean: Float64Array.of(3), cov: Float64Array.of(4) }); // 9 + 1 = 10
 * frechetDistance(stats, stats); // 0
 */
export function frechetDistance(a: GaussianStats, b: GaussianStats): number {
  const d = checkStats('a', a);
  const db = checkStats('b', b);
  if (d !== db) throw new RangeError(`frechetDistance: a and b must have the same dimension, got a of ${d} and b of ${db}`);
  let meanTerm = 0;
  for (let j = 0; j < d; j++) meanTerm += (a.mean[j]! - b.mean[j]!) ** 2;
  let trace = 0;
  for (let j = 0; j < d; j++) trace += a.cov[j * d + j]! + b.cov[j * d + j]!;
  const rootA = matrixFunction(symmetricEigen(a.cov, d), d, (l) => Math.sqrt(Math.max(l, 0)));
  const middle = symmetrize(multiply(multiply(rootA, b.cov, d), rootA, d), d);
  let rootTrace = 0;
  for (const mu of symmetricEigen(middle, d).values) rootTrace += Math.sqrt(Math.max(mu, 0));
  return Math.max(meanTerm + trace - 2 * rootTrace, 0);
}

function checkStats(name: string, s: GaussianStats): number {
  const op = 'frechetDistance';
  if (s === null || typeof s !== 'object' || !(s.mean instanceof Float64Array) || !(s.cov instanceof Float64Array)) {
    throw new TypeError(`${op}: ${name} must be { mean: Float64Array [d], cov: Float64Array [d·d] } (see gaussianStats)`);
  }
  const d = s.mean.length;
  if (d === 0) throw new RangeError(`${op}: ${name}.mean is empty`);
  if (s.cov.length !== d * d) throw new RangeError(`${op}: ${name}.cov must hold d·d = ${d * d} values for a mean of ${d}, got ${s.cov.length}`);
  for (const v of s.mean) if (!Number.isFinite(v)) throw new RangeError(`${op}: ${name}.mean holds a non-finite value`);
  return d;
}

function multiply(x: Float64Array, y: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const xik = x[i * n + k]!;
      if (xik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += xik * y[k * n + j]!;
    }
  }
  return out;
}

function symmetrize(m: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = (m[i * n + j]! + m[j * n + i]!) / 2;
      m[i * n + j] = s;
      m[j * n + i] = s;
    }
  }
  return m;
}
