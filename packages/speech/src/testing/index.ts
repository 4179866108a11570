/**
 * `@eole/speech/testing`: the package's module case tables ({@link ModuleCase} rows), shared by
 * its Node tests (`testModules`) and the browser parity page (every row on WebGL against `cpu`).
 * No Node-only import.
 *
 * @example
 * import { SPEECH_MODULE_CASES } from '@eole/speech/testing';
 * testModules(test, SPEECH_MODULE_CASES);
 *
 * @packageDocumentation
 */
import type { ModuleCase } from '@eole/core/testing';
import { SPEECH_ACOUSTIC_CASES, SPEECH_STATISTICS_POOLING_CASES } from './moduleCases.js';

export { SPEECH_ACOUSTIC_CASES, SPEECH_STATISTICS_POOLING_CASES } from './moduleCases.js';

/**
 * Every row of the package's tables: AcousticConvNet and StatisticsPooling.
 *
 * @example
 * Object.keys(SPEECH_MODULE_CASES).length; // 4 rows
 */
export const SPEECH_MODULE_CASES: Readonly<Record<string, ModuleCase>> = { ...SPEECH_ACOUSTIC_CASES, ...SPEECH_STATISTICS_POOLING_CASES };
