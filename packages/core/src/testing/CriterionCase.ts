import { Generator, type Criterion, type Tensor } from '../portable.js';

/**
 * One row of a criterion table: how to build the criterion, its target and its input (which may
 * depend on the target, as a hinge's input kept away from its kink). Every maker receives a seeded
 * generator, so a row is deterministic.
 *
 * @example
 * const rows: Record<string, CriterionCase> = {
 *   MSECriterion: { make: () => new MSECriterion(), input: (s, g) => Tensor.randn(s, g), target: (s, g) => Tensor.randn(s, g) },
 * };
 */
export interface CriterionCase {
  /** A fresh criterion. */
  make: () => Criterion;
  /** The input of `shape` (from the generator of seed + 1), given the row's target. */
  input: (shape: number[], rng: Generator, target: Tensor) => Tensor;
  /** The target of `shape` (from the generator of seed). */
  target: (shape: number[], rng: Generator) => Tensor;
  /** Shape of the gradient checks (default [4, 5]). */
  shape?: number[];
  /** Shape of the backend parity check (default [8, 33]). */
  parityShape?: number[];
}

/** Input and target of a row: the target from `new Generator(seed)`, the input from `new Generator(seed + 1)`. */
export function criterionSample(c: CriterionCase, shape: number[], seed: number): { x: Tensor; y: Tensor } {
  const y = c.target(shape, new Generator(seed));
  return { x: c.input(shape, new Generator(seed + 1), y).detach(), y };
}
