import test from 'ava';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Generator, saveModule } from '@eole/core';
import { tempDir } from '@eole/core/testing';
import { describeError, helpText } from '../lib/cli.js';
import { buildMlp } from '../mnist-mlp/main.js';

const examples = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs an example as a program (as `npm run -w examples <name>` does) and returns its exit code and output. */
async function runExample(name: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--conditions=eole-src', join(name, 'main.ts'), ...args], { cwd: examples });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A small mnist-mlp model file (`--hidden 4`), and a copy cut in half. */
function modelFiles(): { whole: string; truncated: string } {
  const dir = tempDir('errors');
  const whole = join(dir, 'mnist-mlp.safetensors');
  saveModule(whole, buildMlp(new Generator(1), 4), { example: 'mnist-mlp', hidden: '4' });
  const bytes = readFileSync(whole);
  const truncated = join(dir, 'truncated.safetensors');
  writeFileSync(truncated, bytes.subarray(0, bytes.length >> 1));
  return { whole, truncated };
}

/** Asserts what an expected error prints: exit code 1, one line `error: …` on stderr naming `name`, no stack. */
function oneLineError(t: import('ava').ExecutionContext, r: { code: number; stderr: string }, name: string, what: RegExp): void {
  t.is(r.code, 1, r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  t.is(lines.length, 1, r.stderr);
  t.true(lines[0]!.startsWith('error: '), lines[0]);
  t.true(lines[0]!.includes(name), `${lines[0]} names ${name}`);
  t.regex(lines[0]!, what);
  t.notRegex(r.stderr, /^\s+at /m);
}

test('a missing data folder: one line naming it, exit code 1', async (t) => {
  const missing = join(tempDir('errors'), 'no-such-folder');
  const r = await runExample('babi-memn2n', '--data', missing, '--out', join(tempDir('errors'), 'out'));
  oneLineError(t, r, missing, /no bAbI folder/);
});

test('--eval of a truncated model file: one line naming it, exit code 1; --verbose prints the stack', async (t) => {
  const { truncated } = modelFiles();
  oneLineError(t, await runExample('mnist-mlp', '--eval', truncated, '--hidden', '4'), truncated, /truncated|too short|exceeds/);
  const verbose = await runExample('mnist-mlp', '--eval', truncated, '--hidden', '4', '--verbose');
  t.is(verbose.code, 1);
  t.true(verbose.stderr.includes(truncated));
  t.regex(verbose.stderr, /^\s+at /m, 'the stack trace');
});

test('--eval with a model that does not fit the file: one line naming the file and the tensor, exit code 1', async (t) => {
  const { whole } = modelFiles();
  oneLineError(t, await runExample('mnist-mlp', '--eval', whole, '--hidden', '8'), whole, /does not fit .*'0\.weight' has shape \[4, 784\] in the file, the module expects \[8, 784\]/);
});

test('describeError: one line without --verbose, the stack and causes with it; --help lists --verbose', (t) => {
  const error = new Error('outer: two\n  lines', { cause: new Error('inner') });
  t.is(describeError(error, false), 'error: outer: two; lines');
  t.is(describeError('a string', false), 'error: a string');
  const verbose = describeError(error, true);
  t.regex(verbose, /^Error: outer: two/);
  t.regex(verbose, /^\s+at /m);
  t.regex(verbose, /\[cause\]: Error: inner/);
  t.regex(helpText({ name: 'demo', summary: 'a demo' }), /--verbose +on an error, print its stack trace/);
});
