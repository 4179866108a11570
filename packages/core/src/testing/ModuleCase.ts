import { Generator, Tensor, type GradcheckOptions, type Module } from '../portable.js';

/** The checks {@link checkModule} can run on a {@link ModuleCase}, in the order it runs them. */
export const MODULE_CHECKS = ['gradcheck', 'backward', 'parity', 'threads', 'roundTrip'] as const;

/** One of {@link MODULE_CHECKS}. */
export type ModuleCheck = (typeof MODULE_CHECKS)[number];

/**
 * One row of a module table: how to build the module and its input, and how strict each check is.
 * Every maker receives a seeded generator, so a row is deterministic.
 *
 * @example
 * const cases: Record<string, ModuleCase> = {
 *   Linear: { make: (rng) => new Linear(5, 4, { rng }), shape: [3, 5] },
 *   ReLU: { make: () => new ReLU(), shape: [3, 4], input: (s, rng) => awayFrom(s, rng) },
 * };
 */
export interface ModuleCase {
  /** A fresh module; `rng` initialises its parameters (makers may ignore it). */
  make: (rng: Generator) => Module;
  /** Input shape of the gradient checks and of the round trip. */
  shape: number[];
  /** Input maker (default: standard normal). A maker may return the same tensor every time. */
  input?: (shape: number[], rng: Generator) => Tensor;
  /** `false` when the input takes no gradient (ids of a LookupTable): only parameters are checked. */
  inputGrad?: boolean;
  /** Called before every forward (a Dropout re-seeds its generator here, so the mask is fixed). */
  beforeForward?: () => void;
  /** Options of the finite-difference check. */
  grad?: GradcheckOptions;
  /** Input shape of the cpu/webasm parity check (default: `shape`), large enough to use the kernels. */
  parityShape?: number[];
  /** The module of the parity check, sized for `parityShape` (default: `make`). */
  parityMake?: (rng: Generator) => Module;
  /** Largest error between the backends, relative to the reference's scale (normRelErr; default 1e-5). */
  parityTol?: number;
  /**
   * Kernel launches of the parity check: `'same'` (default) asserts the webasm run launched as many
   * kernels as the cpu run; `'some'` only that it launched at least one (for a module whose cpu
   * path uses another algorithm, such as max pooling's scatter).
   */
  launches?: 'same' | 'some';
  /** Prepares the module that is saved in the round trip (running statistics, a trained state). */
  trained?: (m: Module) => void;
  /** The module loaded in the round trip (default: `make` with another seed). */
  fresh?: (rng: Generator) => Module;
  /** The checks of this row (default: all of {@link MODULE_CHECKS}). */
  checks?: readonly ModuleCheck[];
}

/** The row's input of `shape` from `new Generator(seed)`, cut from any graph. */
export function inputFor(c: ModuleCase, shape: number[], seed: number): Tensor {
  const rng = new Generator(seed);
  return (c.input ? c.input(shape, rng) : Tensor.randn(shape, rng)).detach();
}

/** `m.forward(x)` after the row's `beforeForward`. */
export function forwardOf(c: ModuleCase, m: Module, x: Tensor): Tensor {
  c.beforeForward?.();
  return m.forward(x);
}
