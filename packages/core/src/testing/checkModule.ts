import type { ExecutionContext, TestFn } from 'ava';
import { Generator } from '../index.js';
import { checkRoundTrip } from './checkRoundTrip.js';
import { inputFor, MODULE_CHECKS, type ModuleCase, type ModuleCheck } from './ModuleCase.js';
import { checkBackwardMatchesAutograd, checkModuleGradients, checkModuleParity, checkModuleThreads } from './moduleChecks.js';

/**
 * The state-dict round trip of a row: the module from seed 14 (prepared by `trained`) is saved and
 * loaded into `fresh` (default: `make` from seed 15); see {@link checkRoundTrip}.
 *
 * @example
 * checkModuleRoundTrip(t, { make: (rng) => new Linear(6, 4, { rng }), shape: [3, 6] });
 */
export function checkModuleRoundTrip(t: ExecutionContext, c: ModuleCase): void {
  const trained = c.make(new Generator(14));
  c.trained?.(trained);
  const fresh = (c.fresh ?? c.make)(new Generator(15));
  checkRoundTrip(t, trained, fresh, inputFor(c, c.shape, 24));
}

const RUN: Record<ModuleCheck, (t: ExecutionContext, c: ModuleCase) => void> = {
  gradcheck: checkModuleGradients,
  backward: checkBackwardMatchesAutograd,
  parity: checkModuleParity,
  threads: checkModuleThreads,
  roundTrip: checkModuleRoundTrip,
};

/** Test titles of the checks, after the row's name. */
export const MODULE_CHECK_TITLES: Record<ModuleCheck, string> = {
  gradcheck: 'gradcheck w.r.t. the input and every parameter',
  backward: 'backward(input, gradOutput) equals the autograd gradient',
  parity: 'cpu and webasm agree on output and gradients',
  threads: 'bit-identical output and gradients with 1, 2 and 3 threads',
  roundTrip: 'saveModule/loadModule into a fresh module gives the same evaluate-mode output',
};

/**
 * Checks one module the way torch/nn's Jacobian tests and tinygrad's `helper_test_op` do:
 * - `gradcheck`: finite differences of the input and every parameter;
 * - `backward`: Torch7 `backward(input, gradOutput)` equals autograd;
 * - `parity`: gpu.js `cpu` and `webasm` agree on output and gradients, with the same launches;
 * - `threads`: output and gradients are bit-identical with 1, 2 and 3 threads (launches split over
 *   the kernel thread pool);
 * - `roundTrip`: saveModule/loadModule into a fresh module, equal evaluate-mode outputs.
 * Runs `only` (default: the row's `checks`, else all).
 *
 * @example
 * test('Linear', (t) => checkModule(t, { make: (rng) => new Linear(5, 4, { rng }), shape: [3, 5] }));
 */
export function checkModule(t: ExecutionContext, c: ModuleCase, only: readonly ModuleCheck[] = c.checks ?? MODULE_CHECKS): void {
  for (const check of only) RUN[check](t, c);
}

/**
 * Declares one ava test per row and check (`"<name>: <check title>"`), so that a table of
 * {@link ModuleCase} rows is a package's module test. Pass ava's `test` (the kit does not import ava).
 *
 * @example
 * import test from 'ava';
 * testModules(test, { Tanh: { make: () => new Tanh(), shape: [3, 4], parityShape: [8, 33] } });
 */
export function testModules(test: TestFn, cases: Record<string, ModuleCase>): void {
  for (const [name, c] of Object.entries(cases)) {
    for (const check of c.checks ?? MODULE_CHECKS) test(`${name}: ${MODULE_CHECK_TITLES[check]}`, (t) => checkModule(t, c, [check]));
  }
}
