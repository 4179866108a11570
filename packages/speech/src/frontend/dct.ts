/**
 * Orthonormal type-II DCT matrix [nCoeffs, n]: C[k, j] = s_k·cos(πk(j + ½)/n),
 * s_0 = √(1/n), s_k = √(2/n) (HTK book §5.6 uses the unnormalized form √(2/N)·Σ).
 * @example dctMatrix(40, 40)
 */
export function dctMatrix(nCoeffs: number, n: number): Float64Array {
  if (nCoeffs > n) throw new Error(`dctMatrix: nCoeffs (${nCoeffs}) must be <= input length (${n})`);
  const c = new Float64Array(nCoeffs * n);
  for (let k = 0; k < nCoeffs; k++) {
    const s = Math.sqrt((k === 0 ? 1 : 2) / n);
    for (let j = 0; j < n; j++) c[k * n + j] = s * Math.cos((Math.PI * k * (j + 0.5)) / n);
  }
  return c;
}

/**
 * Orthonormal type-II DCT of `x`, first `nCoeffs` coefficients:
 * X[k] = s_k·Σⱼ x[j]·cos(πk(j + ½)/n).
 * @example dct2([1, 2, 3, 4], 4)
 */
export function dct2(x: ArrayLike<number>, nCoeffs = x.length): Float64Array {
  const n = x.length;
  const c = dctMatrix(nCoeffs, n);
  const out = new Float64Array(nCoeffs);
  for (let k = 0; k < nCoeffs; k++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += c[k * n + j]! * x[j]!;
    out[k] = s;
  }
  return out;
}
