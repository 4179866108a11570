/**
 * Where the examples' paths lead: a run's default folder is `runs/<example>` at the repository root
 * (git-ignored) from wherever the example runs, and a relative path typed on the command line is
 * taken from the directory the command was typed in, as with any program, although npm runs the
 * workspace scripts inside `examples/` (it says where it was started in `INIT_CWD`).
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is examples/lib/paths.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * A path under the runs folder `<repo>/runs`, the default home of every run's `--out`.
 *
 * @example
 * runsFolder('spoken-digits', 'spoken-digits.safetensors'); // <repo>/runs/spoken-digits/spoken-digits.safetensors
 */
export function runsFolder(...parts: string[]): string {
  return join(REPO_ROOT, 'runs', ...parts);
}

/**
 * The directory the command was typed in: npm's `INIT_CWD` (npm runs a workspace script inside
 * the workspace, `examples/`, and records there where it was started), else the current directory.
 *
 * @example
 * invocationDir(); // /home/me/eole for `npm run -w examples mnist-mlp` typed at the repository root
 */
export function invocationDir(): string {
  return process.env['INIT_CWD'] || process.cwd();
}

/**
 * A path given on the command line, made absolute: a relative one is taken from
 * {@link invocationDir}.
 *
 * @example
 * commandLinePath('runs/mnist-mlp/mnist-mlp.safetensors'); // <where npm was typed>/runs/mnist-mlp/…
 */
export function commandLinePath(path: string): string {
  return isAbsolute(path) ? path : resolve(invocationDir(), path);
}
