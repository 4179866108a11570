import { Tensor } from '@eole/core';

/**
 * The size×size binomial kernel of Burt & Adelson's pyramids, the outer product of a row of
 * Pascal's triangle with itself, normalised to sum 1; for size 5,
 *
 *   k = w wᵀ,  w = [1, 4, 6, 4, 1] / 16,
 *
 * the "generating kernel" with a = 0.375 (Burt & Adelson, "The Laplacian pyramid as a compact
 * image code", IEEE Trans. Communications 1983), a close approximation of a Gaussian (σ ≈ 1 px)
 * that LAPGAN's down- and up-sampling use (Denton et al., NIPS 2015).
 *
 * @example
 * const k = binomialKernel();   // [5, 5], Σ k = 1
 * k.data[12];                   // 36 / 256, the centre tap
 * binomialKernel(3).toArray();  // [1, 2, 1] ⊗ [1, 2, 1] / 16
 */
export function binomialKernel(size = 5): Tensor {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`binomialKernel: size must be a positive integer, got ${String(size)}`);
  const row = [1];
  for (let i = 1; i < size; i++) row.push((row[i - 1]! * (size - i)) / i);
  const total = row.reduce((a, b) => a + b, 0) ** 2;
  const k = new Float32Array(size * size);
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) k[i * size + j] = (row[i]! * row[j]!) / total;
  return new Tensor(k, [size, size]);
}
