/**
 * `@eole/core/testing` in a browser (the `browser` export condition): the part of the test kit
 * with no Node-only module and no test runner, so that a page runs the same case tables as the
 * Node tests. The op table ({@link OP_CASES}, {@link opParity}), the module rows
 * ({@link ModuleCase}, {@link CORE_MODULE_CASES}, {@link moduleParity}), the criterion rows
 * ({@link CriterionCase}, {@link CORE_CRITERION_CASES}, {@link criterionParity}), the input makers and the
 * tolerances. Files, threads, Redis and fuzzing stay in the Node kit.
 *
 * @example
 * import { CORE_MODULE_CASES, moduleParity } from '@eole/core/testing';
 * const rows = Object.entries(CORE_MODULE_CASES).map(([name, c]) => moduleParity(name, c, 'webgl2', 'cpu', 1e-4));
 *
 * @packageDocumentation
 */
export { MODULE_CHECKS, type ModuleCase, type ModuleCheck } from './ModuleCase.js';
export { CORE_MODULE_CASES } from './moduleCases.js';
export { CORE_CRITERION_CASES } from './criterionCases.js';
export { criterionSample, type CriterionCase } from './CriterionCase.js';
export { criterionParity } from './criterionParity.js';
export { moduleParity, type ModuleParityResult } from './moduleParity.js';
export { OP_CASES, type OpRow } from './opCases.js';
export { opParity, type OpParityResult } from './opParity.js';
export { awayFrom, awayFromZero, distinct, positive } from './inputs.js';
export { firstDifference, maxAbsErr, maxRelErr, normRelErr } from './tolerance.js';
