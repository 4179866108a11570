import type { ExecutionContext } from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Does `dir/package.json` declare npm workspaces (the root of a monorepo)? */
function isWorkspaceRoot(dir: string): boolean {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { workspaces?: unknown }).workspaces !== undefined;
  } catch {
    return false;
  }
}

/** The nearest folder at or above `from` that satisfies `test`, or null. */
function findUp(from: string, test: (dir: string) => boolean): string | null {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (test(dir)) return dir;
    if (dirname(dir) === dir) return null;
  }
}

/**
 * The repository root as seen from `from` (default `process.cwd()`): the nearest folder at or above
 * it whose package.json declares `workspaces`, else the nearest holding `.git`, else `from` itself.
 * An installed package cannot know where its user's repository is, so the search starts from
 * where the tests run: ava runs a workspace's tests from that workspace's folder.
 *
 * @example
 * repoRoot('/work/main/packages/speech'); // '/work/main'
 */
export function repoRoot(from: string = process.cwd()): string {
  return findUp(from, isWorkspaceRoot) ?? findUp(from, (d) => existsSync(join(d, '.git'))) ?? resolve(from);
}

/**
 * The shared data folder, the one setting tests use to find real data (DESIGN.md, "Data"): the
 * environment variable `EOLE_DATA` (a relative value is resolved against the repository root),
 * by default `<repo root>/../shared/data`, the repository root found from `from` by
 * {@link repoRoot}.
 *
 * @example
 * dataDir(); // '/work/shared/data' when the tests of /work/main/packages/speech run
 * // EOLE_DATA=/data/eole npx ava  → '/data/eole'
 */
export function dataDir(from?: string): string {
  return resolve(repoRoot(from), process.env['EOLE_DATA'] || join('..', 'shared', 'data'));
}

/**
 * The path of `parts` under {@link dataDir} (searched from `process.cwd()`), or null when that
 * file or folder is absent.
 *
 * @example
 * const dir = dataPath('fsdd', 'recordings');
 * if (dir === null) t.log(missing('fsdd/recordings'));
 */
export function dataPath(...parts: string[]): string | null {
  const path = join(dataDir(), ...parts);
  return existsSync(path) ? path : null;
}

/**
 * The one-line reason a data test is skipped: what it needs, where it looked, and the setting.
 *
 * @example
 * missing('babi/en'); // "needs babi/en under /work/shared/data (set EOLE_DATA); absent here, skipped"
 */
export function missing(what: string): string {
  return `needs ${what} under ${dataDir()} (set EOLE_DATA); absent here, skipped`;
}

/** The part of ava's `test` (or `test.serial`) that {@link dataTest} uses. */
export interface DeclareTest {
  /** Declares a test. */
  (title: string, implementation: (t: ExecutionContext) => void | PromiseLike<void>): void;
  /** Declares a skipped test. */
  skip(title: string, implementation: (t: ExecutionContext) => void): void;
}

/**
 * Declares a test that needs `parts` under the data folder: it runs with the path when the file
 * or folder exists, and is declared skipped, with the reason in its title, when it does not.
 *
 * @example
 * dataTest(test, 'readBabi: the real bAbI files match SOURCE.md', ['babi', 'en'], (t, dir) => {
 *   t.is(readBabi(`${dir}/qa1_single-supporting-fact_train.txt`).length, 200);
 * });
 */
export function dataTest(test: DeclareTest, title: string, parts: string[], run: (t: ExecutionContext, path: string) => void | PromiseLike<void>): void {
  const path = dataPath(...parts);
  if (path === null) test.skip(`${title} (${missing(parts.join('/'))})`, () => {});
  else test(title, (t) => run(t, path));
}
