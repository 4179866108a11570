import { kernels, type BackendName } from '../portable.js';
import { criterionSample, type CriterionCase } from './CriterionCase.js';
import type { ModuleParityResult } from './moduleParity.js';
import { maxRelErr, normRelErr } from './tolerance.js';

/**
 * Runs one criterion row under `reference` and under `backend` on the same input and target (its
 * `parityShape`, seed 3, as the Node parity check), Torch7 `forward(input, target)` then
 * `backward(input, target)`, and compares the loss ({@link maxRelErr}) and gradInput
 * ({@link normRelErr}). Needs no test runner, so a page runs it on WebGL.
 *
 * @example
 * const r = criterionParity('MSECriterion', CORE_CRITERION_CASES['MSECriterion']!, 'webgl2', 'cpu', 1e-4);
 */
export function criterionParity(name: string, c: CriterionCase, backend: BackendName, reference: BackendName, tol: number): ModuleParityResult {
  if (!(tol > 0)) throw new RangeError(`criterionParity: tol must be a positive number, got ${String(tol)}`);
  const base = { name, backend, reference, tol, worstParam: '', params: 0, paramGradErr: 0, backward: true };
  try {
    const { x, y } = criterionSample(c, c.parityShape ?? [8, 33], 3);
    const run = (b: BackendName): [Float32Array, Float32Array] =>
      kernels.withBackend(b, () => {
        const crit = c.make();
        const loss = Float32Array.from(crit.forward(x, y).data);
        return [loss, Float32Array.from(crit.backward(x, y).data)];
      });
    const expected = run(reference);
    const before = kernels.stats().calls[backend];
    const got = run(backend);
    const launches = kernels.stats().calls[backend] - before;
    const outputErr = maxRelErr(got[0], expected[0]);
    const inputGradErr = normRelErr(got[1], expected[1]);
    return { ...base, outputErr, inputGradErr, launches, pass: outputErr < tol && inputGradErr < tol };
  } catch (error) {
    return { ...base, outputErr: Infinity, inputGradErr: Infinity, launches: 0, pass: false, error: error instanceof Error ? error.message : String(error) };
  }
}
