/**
 * `@eole/rnn-memory/testing`: the package's module case tables ({@link ModuleCase} rows), shared
 * by its Node tests (`testModules`: gradcheck, backward = autograd, cpu/webasm parity, threads,
 * round trip) and the browser parity page (every row on WebGL against `cpu`). No Node-only import.
 *
 * @example
 * import { RNN_MODULE_CASES } from '@eole/rnn-memory/testing';
 * import { moduleParity } from '@eole/core/testing';
 * Object.entries(RNN_MODULE_CASES).map(([name, c]) => moduleParity(name, c, 'webgl2', 'cpu', 1e-4));
 *
 * @packageDocumentation
 */
import type { ModuleCase } from '@eole/core/testing';
import { RNN_LOOKUP_TABLE_CASES, RNN_MEMN2N_CASES, RNN_RECURRENT_CASES } from './moduleCases.js';

export { RNN_LOOKUP_TABLE_CASES, RNN_MEMN2N_CASES, RNN_RECURRENT_CASES } from './moduleCases.js';

/**
 * Every row of the package's tables: LookupTable, the RNN/LSTM/GRU layers and cells, MemN2N.
 *
 * @example
 * Object.keys(RNN_MODULE_CASES).length; // 14 rows
 */
export const RNN_MODULE_CASES: Readonly<Record<string, ModuleCase>> = { ...RNN_LOOKUP_TABLE_CASES, ...RNN_RECURRENT_CASES, ...RNN_MEMN2N_CASES };
