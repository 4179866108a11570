import { Tensor, type Generator } from '../portable.js';

/**
 * Uniform values in [0.5, 2]: inputs of ops defined on positive numbers only (log, sqrt, pow).
 *
 * @example
 * checkOp(t, (x) => x.log(), { shapes: [[3, 4]], make: positive });
 */
export function positive(shape: number[], rng: Generator): Tensor {
  return Tensor.uniform(shape, rng, 0.5, 2);
}

/**
 * Standard normal values nudged at least `gap` away from `at`, so that central finite differences
 * of step ε < gap never straddle a kink there (a threshold, relu, abs).
 *
 * @example
 * const cases = { 'Threshold(0.5, -2)': { make: () => new Threshold(0.5, -2), shape: [3, 4], input: (s, rng) => awayFrom(s, rng, 0.5) } };
 */
export function awayFrom(shape: number[], rng: Generator, at = 0, gap = 0.1): Tensor {
  const x = Tensor.randn(shape, rng);
  for (let i = 0; i < x.size; i++) x.data[i] = at + x.data[i]! + (x.data[i]! >= 0 ? gap : -gap);
  return x;
}

/**
 * Standard normal values kept at least 0.1 away from 0 (the kinks of relu and abs):
 * `awayFrom(shape, rng, 0, 0.1)`.
 *
 * @example
 * checkOp(t, (x) => x.abs(), { shapes: [[3, 4]], make: awayFromZero });
 */
export function awayFromZero(shape: number[], rng: Generator): Tensor {
  return awayFrom(shape, rng, 0, 0.1);
}

/**
 * The values (k − size/2)·gap for k = 0 … size − 1 in a random order: all distinct and `gap`
 * apart, so the arg-max of every window is unique and survives a finite-difference step.
 *
 * @example
 * const x = distinct([2, 3, 8, 8], new Generator(3)); // inputs of a max-pooling gradcheck
 */
export function distinct(shape: number[], rng: Generator, gap = 0.05): Tensor {
  const x = Tensor.zeros(shape);
  const perm = rng.permutation(x.size);
  for (let i = 0; i < x.size; i++) x.data[i] = (perm[i]! - x.size / 2) * gap;
  return x;
}
