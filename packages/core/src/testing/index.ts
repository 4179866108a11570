/**
 * `@eole/core/testing`: the test kit of every Eole package, and of plug-in authors.
 *
 * - {@link checkOp}: tinygrad's `helper_test_op` (oracle, shape, gradcheck, cpu/webasm parity).
 * - {@link OP_CASES}: core's op table (each row an op, its shapes and an oracle), and
 *   {@link opParity}: one row's backend parity without a test runner (the browser test runs it on WebGL).
 * - {@link checkModule} and {@link testModules}: a module's test as one row of a table
 *   (gradcheck of input and parameters, Torch7 backward = autograd, backend parity with launch
 *   counts, bit-identity for 1, 2 and 3 threads, saveModule/loadModule round trip).
 * - {@link CORE_MODULE_CASES}: core's module table (the Node test and the browser page run it), and
 *   {@link moduleParity}: one row's Torch7 forward/backward on two backends, without a test runner.
 *   In a browser (the `browser` condition) this subpath is src/testing/portable.ts: the kit's
 *   portable part. {@link CORE_CRITERION_CASES} and {@link testCriteria} do the same for criteria
 *   ({@link criterionParity} in a page).
 * - {@link checkThreads}: bit-identical results for any thread count of the kernel pool.
 * - Tolerances ({@link maxRelErr}, {@link normRelErr}, {@link maxAbsErr}, {@link close},
 *   {@link same}), input makers ({@link positive}, {@link awayFrom}, {@link distinct}) and the
 *   data folder ({@link dataPath}, {@link dataTest}, `EOLE_DATA`), {@link tempDir} and
 *   {@link parameterCount}.
 * - {@link fuzz} and {@link fuzzReader}: seeded, time- and memory-bounded mutation fuzzing of a
 *   file reader (every reader gets such a test).
 *
 * ava is an optional peer dependency: the kit only imports its types, and takes `t` (and `test`)
 * from the caller.
 *
 * @example
 * import test from 'ava';
 * import { Linear, Tanh } from '@eole/core';
 * import { testModules } from '@eole/core/testing';
 * testModules(test, { Linear: { make: (rng) => new Linear(5, 4, { rng }), shape: [3, 5] }, Tanh: { make: () => new Tanh(), shape: [3, 4] } });
 *
 * @packageDocumentation
 */
export { checkGrad } from './checkGrad.js';
export { checkModule, checkModuleRoundTrip, MODULE_CHECK_TITLES, testModules } from './checkModule.js';
export { checkOp, type OpCase, type Oracle, type OracleInput } from './checkOp.js';
export { checkParity, underBackend, type ParityRun } from './checkParity.js';
export { OP_CASES, type OpRow } from './opCases.js';
export { opParity, type OpParityResult } from './opParity.js';
export { checkRoundTrip } from './checkRoundTrip.js';
export { checkThreadArrays, checkThreads, firstBitDifference, THREAD_COUNTS, underThreads } from './checkThreads.js';
export { fuzz, FuzzFailure, fuzzMutant, fuzzReader, mutantCount, type FuzzField, type FuzzJsonSite, type FuzzMutant, type FuzzMutator, type FuzzOptions, type FuzzReport } from './fuzz.js';
export { dataDir, dataPath, dataTest, missing, repoRoot, type DeclareTest } from './data.js';
export { awayFrom, awayFromZero, distinct, positive } from './inputs.js';
export { MODULE_CHECKS, type ModuleCase, type ModuleCheck } from './ModuleCase.js';
export { CORE_MODULE_CASES } from './moduleCases.js';
export { CORE_CRITERION_CASES } from './criterionCases.js';
export { criterionSample, type CriterionCase } from './CriterionCase.js';
export { criterionParity } from './criterionParity.js';
export { testCriteria } from './testCriteria.js';
export { moduleParity, type ModuleParityResult } from './moduleParity.js';
export { checkBackwardMatchesAutograd, checkModuleGradients, checkModuleParity, checkModuleThreads } from './moduleChecks.js';
export { parameterCount } from './parameterCount.js';
export { rowsOf } from './rowsOf.js';
export { tempDir } from './tempDir.js';
export { testCenterStore, type OpenCenterStore } from './testCenterStore.js';
export { close, firstDifference, maxAbsErr, maxRelErr, normRelErr, same } from './tolerance.js';
export { redisAvailable, startRedisServer, type RedisServer, type RedisServerOptions } from './redisServer.js';
