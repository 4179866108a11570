import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is packages/metric/test/data.ts). */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The shared data folder, the one setting tests use to find real data (DESIGN.md, "Data"):
 * `EOLE_DATA`, by default `<repo root>/../shared/data` resolved from the repository root.
 */
export const dataDir = resolve(repoRoot, process.env['EOLE_DATA'] || join('..', 'shared', 'data'));

/** The path of `parts` under {@link dataDir}, or null when that file or folder is absent. */
export function dataPath(...parts: string[]): string | null {
  const path = join(dataDir, ...parts);
  return existsSync(path) ? path : null;
}

/** The one-line reason a data test is skipped. */
export function missing(what: string): string {
  return `needs ${what} under ${dataDir} (set EOLE_DATA); absent here, skipped`;
}
