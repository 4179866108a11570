/** The eigendecomposition of a real symmetric matrix: A = V · diag(values) · Vᵀ. */
export interface SymmetricEigen {
  /** The eigenvalues, in no particular order (values[k] goes with column k of `vectors`). */
  values: Float64Array;
  /** The orthonormal eigenvectors as the columns of an n×n row-major matrix V. */
  vectors: Float64Array;
}

const MAX_SWEEPS = 100;

/**
 * The eigenvalues and eigenvectors of a symmetric n×n matrix (row-major, float64) by cyclic
 * Jacobi rotations (Jacobi 1846; Golub & Van Loan, "Matrix Computations", §8.5): each rotation
 * J(p, q, θ) with
 *
 *   τ = (a_qq − a_pp) / (2·a_pq),  t = sign(τ) / (|τ| + √(1 + τ²)),  c = 1/√(1 + t²),  s = t·c
 *
 * zeroes a_pq of A ← Jᵀ·A·J, and V ← V·J accumulates the eigenvectors; sweeps repeat until the
 * off-diagonal mass is below 1e-15 of the Frobenius norm. Accurate to the last digits for the small
 * covariances of the scorer (n ≤ a few hundred). The input is not modified; only its upper triangle
 * is read (the matrix is taken as symmetric).
 *
 * @example
 * const { values } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
 * [...values].sort(); // [1, 3]
 * // Σ^½ = V·diag(√λ)·Vᵀ, see matrixFunction
 */
export function symmetricEigen(matrix: Float64Array, n: number): SymmetricEigen {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`symmetricEigen: n must be a positive integer, got ${n}`);
  if (matrix.length !== n * n) throw new RangeError(`symmetricEigen: matrix must hold n·n = ${n * n} values for n = ${n}, got ${matrix.length}`);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = matrix[i * n + j]!;
      if (!Number.isFinite(v)) throw new RangeError(`symmetricEigen: matrix[${i}, ${j}] is ${v}; expected finite values`);
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let norm = 0;
  for (let i = 0; i < n * n; i++) norm += a[i]! * a[i]!;
  const tolerance = 1e-30 * norm;
  for (let sweep = 0; sweep < MAX_SWEEPS && offDiagonal(a, n) > tolerance; sweep++) {
    for (let p = 0; p < n - 1; p++) for (let q = p + 1; q < n; q++) rotate(a, v, n, p, q);
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i]!;
  return { values, vectors: v };
}

/**
 * f(A) = V · diag(f(λ)) · Vᵀ for a symmetric A = V·diag(λ)·Vᵀ (row-major n×n), e.g. the square root
 * of a covariance with f = λ ↦ √max(λ, 0).
 *
 * @example
 * const root = matrixFunction(symmetricEigen(cov, d), d, (l) => Math.sqrt(Math.max(l, 0)));
 * // root · root ≈ cov
 * // (negative eigenvalues from rounding are clamped by f)
 */
export function matrixFunction(eigen: SymmetricEigen, n: number, f: (lambda: number) => number): Float64Array {
  const { values, vectors } = eigen;
  const fl = values.map(f);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += vectors[i * n + k]! * fl[k]! * vectors[j * n + k]!;
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

function offDiagonal(a: Float64Array, n: number): number {
  let s = 0;
  for (let p = 0; p < n - 1; p++) for (let q = p + 1; q < n; q++) s += 2 * a[p * n + q]! * a[p * n + q]!;
  return s;
}

function rotate(a: Float64Array, v: Float64Array, n: number, p: number, q: number): void {
  const apq = a[p * n + q]!;
  if (apq === 0) return;
  const tau = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
  const t = Math.abs(tau) > 1e150 ? 1 / (2 * tau) : Math.sign(tau || 1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
  const c = 1 / Math.sqrt(1 + t * t);
  const s = t * c;
  for (let k = 0; k < n; k++) {
    const kp = a[k * n + p]!;
    const kq = a[k * n + q]!;
    a[k * n + p] = c * kp - s * kq;
    a[k * n + q] = s * kp + c * kq;
  }
  for (let k = 0; k < n; k++) {
    const pk = a[p * n + k]!;
    const qk = a[q * n + k]!;
    a[p * n + k] = c * pk - s * qk;
    a[q * n + k] = s * pk + c * qk;
  }
  a[p * n + q] = 0;
  a[q * n + p] = 0;
  for (let k = 0; k < n; k++) {
    const kp = v[k * n + p]!;
    const kq = v[k * n + q]!;
    v[k * n + p] = c * kp - s * kq;
    v[k * n + q] = s * kp + c * kq;
  }
}
