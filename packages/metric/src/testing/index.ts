/**
 * `@eole/metric/testing`: the package's module case table ({@link METRIC_MODULE_CASES}) and criterion
 * table ({@link METRIC_CRITERION_CASES}), shared by
 * its Node tests (`testModules`) and the browser parity page (every row on WebGL against `cpu`).
 *
 * @example
 * import { METRIC_MODULE_CASES } from '@eole/metric/testing';
 * testModules(test, METRIC_MODULE_CASES);
 *
 * @packageDocumentation
 */
export { METRIC_MODULE_CASES } from './moduleCases.js';
export { METRIC_CRITERION_CASES } from './criterionCases.js';
