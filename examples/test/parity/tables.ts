// The module and criterion case tables of every package, as their Node tests run them: the page runs each row on
// WebGL against `cpu`, and the test checks that the page ran exactly these rows.
import { CORE_CRITERION_CASES, CORE_MODULE_CASES, type CriterionCase, type ModuleCase } from '@eole/core/testing';
import { CONV_MODULE_CASES } from '@eole/conv/testing';
import { GAN_MODULE_CASES } from '@eole/gan/testing';
import { METRIC_CRITERION_CASES, METRIC_MODULE_CASES } from '@eole/metric/testing';
import { RNN_MODULE_CASES } from '@eole/rnn-memory/testing';
import { SPEECH_MODULE_CASES } from '@eole/speech/testing';

/** Each package's module table. */
export const TABLES: Readonly<Record<string, Readonly<Record<string, ModuleCase>>>> = {
  core: CORE_MODULE_CASES,
  conv: CONV_MODULE_CASES,
  'rnn-memory': RNN_MODULE_CASES,
  gan: GAN_MODULE_CASES,
  metric: METRIC_MODULE_CASES,
  speech: SPEECH_MODULE_CASES,
};

/** Each package's criterion table. */
export const CRITERIA: Readonly<Record<string, Readonly<Record<string, CriterionCase>>>> = {
  core: CORE_CRITERION_CASES,
  metric: METRIC_CRITERION_CASES,
};

/** Every row the page runs, as `<package>: <row>`: the module tables, then the criterion tables. */
export function rowNames(): string[] {
  return [...Object.entries(TABLES), ...Object.entries(CRITERIA)].flatMap(([pkg, table]) => Object.keys(table).map((name) => `${pkg}: ${name}`));
}
