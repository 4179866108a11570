import { inspect, parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { BACKENDS, kernels, type BackendChoice } from '@eole/core';
import { commandLinePath, REPO_ROOT } from './paths.js';

/** A numeric flag (`--lr 0.05`), validated on parse. */
export interface NumberFlag {
  readonly type: 'number';
  readonly default: number;
  readonly help: string;
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
}

/** A numeric flag without a default: `undefined` when absent (`--live PORT`). */
export interface OptionalNumberFlag {
  readonly type: 'number?';
  readonly help: string;
  readonly metavar?: string;
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
}

/** A string flag with a default (`--optimizer sgd`), optionally one of `choices`. */
export interface StringFlag {
  readonly type: 'string';
  readonly default: string;
  readonly help: string;
  readonly metavar?: string;
  readonly choices?: readonly string[];
  /** A path: made absolute, a value given from where the command was typed, the default from the repository root. */
  readonly path?: boolean;
}

/** A string flag without a default: `undefined` when absent (`--data PATH`). */
export interface OptionalStringFlag {
  readonly type: 'string?';
  readonly help: string;
  readonly metavar?: string;
  /** A path: made absolute, from where the command was typed (see ./paths.ts, `commandLinePath`). */
  readonly path?: boolean;
}

/** The metavars of {@link optionalFlag} that make a flag a path. */
export const PATH_METAVARS: readonly string[] = ['PATH', 'FILE', 'DIR', 'CHECKPOINT'];

/** A switch (`--resume`): true when present. */
export interface BooleanFlag {
  readonly type: 'boolean';
  readonly help: string;
}

/** Any flag an example declares. */
export type FlagSpec = NumberFlag | OptionalNumberFlag | StringFlag | OptionalStringFlag | BooleanFlag;

/** The parsed value type of a flag. */
export type FlagValue<F extends FlagSpec> = F extends NumberFlag ? number : F extends OptionalNumberFlag ? number | undefined : F extends StringFlag ? string : F extends OptionalStringFlag ? string | undefined : boolean;

/** Declares a numeric flag. */
export function numberFlag(defaultValue: number, help: string, check: { integer?: boolean; min?: number; max?: number } = {}): NumberFlag {
  return { type: 'number', default: defaultValue, help, ...check };
}

/** Declares a string flag with a default (with `path`, a path; its default is relative to the repository root). */
export function stringFlag(defaultValue: string, help: string, options: { metavar?: string; choices?: readonly string[]; path?: boolean } = {}): StringFlag {
  return { type: 'string', default: defaultValue, help, ...options };
}

/**
 * Declares a string flag that may be absent; with a metavar of {@link PATH_METAVARS} (PATH, FILE,
 * DIR, CHECKPOINT) it is a path, made absolute from the directory the command was typed in.
 */
export function optionalFlag(help: string, metavar = 'PATH'): OptionalStringFlag {
  return { type: 'string?', help, metavar, path: PATH_METAVARS.includes(metavar) };
}

/** Declares a switch. */
export function booleanFlag(help: string): BooleanFlag {
  return { type: 'boolean', help };
}

/** The flags every example understands (DESIGN.md, "Examples: one convention for all"). */
export interface CommonFlags {
  seed: number;
  epochs: number;
  backend: BackendChoice;
  /** `--threads N`: threads of the kernel pool (1 turns it off); results do not depend on it. */
  threads: number;
  out: string;
  data: string | undefined;
  resume: boolean;
  eval: string | undefined;
  test: string | undefined;
  /** `--verbose`: an error prints its stack trace too (see {@link runCli}). */
  verbose: boolean;
  /** `--live PORT`: serve the run's events and its dashboard on http://127.0.0.1:PORT (0: any free port); see ./live.ts. */
  live: number | undefined;
  /** `--live-linger`: keep the dashboard served after the run ends, until Ctrl-C. */
  'live-linger': boolean;
  /** The example this command line is for (its {@link CliSpec} name and summary). */
  readonly [PROGRAM]?: Program;
}

/** The key of {@link CommonFlags} under which {@link parseCli} leaves the example's name and summary. */
export const PROGRAM: unique symbol = Symbol('eole.program');

/** Which example a command line is for. */
export interface Program {
  readonly name: string;
  readonly summary: string;
}

/** Common flags an example may opt into (seed, epochs, backend, threads, out, verbose and help are always on). */
export type OptionalCommonFlag = 'data' | 'resume' | 'eval' | 'test';

/** What an example's command line accepts. */
export interface CliSpec<E extends Record<string, FlagSpec>> {
  /** The example's name: the npm script, and the default `--out` is `runs/<name>` at the repository root. */
  name: string;
  /** One line saying what the example does. */
  summary: string;
  /** Defaults of the common flags. */
  seed?: number;
  epochs?: number;
  /** What `--epochs` counts in this example; default "training epochs". */
  epochsHelp?: string;
  /** Which of data/resume/eval/test this example supports. */
  uses?: readonly OptionalCommonFlag[];
  /** The example's own flags. */
  flags?: E;
}

/** The parsed command line: common flags plus the example's own. */
export type CliFlags<E extends Record<string, FlagSpec>> = CommonFlags & { [K in keyof E]: FlagValue<E[K]> };

/**
 * Thrown by {@link parseCli} to end the program: code 0 with the help text for `--help`, code 2
 * with a usage error. {@link runCli} prints it; tests can catch it.
 */
export class CliExit extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'CliExit';
  }
}

/**
 * Parses an example's command line with `node:util` `parseArgs` (strict: unknown flags and
 * positionals are errors), applies defaults and validates numbers. Path flags come back absolute: a
 * relative path typed on the command line is taken from the directory it was typed in (npm's
 * `INIT_CWD`, though npm runs the script inside `examples/`), a default such as `--out runs/<name>`
 * from the repository root.
 *
 * @example
 * const flags = parseCli(argv, { name: 'one-one-one', summary: '...', epochs: 200,
 *   flags: { lr: numberFlag(0.05, 'learning rate', { min: 0 }) } });
 * flags.lr;     // number
 * flags.out;    // '<repo>/runs/one-one-one' unless --out is given
 */
export function parseCli<E extends Record<string, FlagSpec> = Record<never, FlagSpec>>(argv: readonly string[], spec: CliSpec<E>): CliFlags<E> {
  const table = flagTable(spec);
  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries(Object.entries(table).map(([name, f]) => [name, { type: f.type === 'boolean' ? ('boolean' as const) : ('string' as const) }])),
    });
    values = parsed.values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new CliExit(2, `${spec.name}: ${(error as Error).message}\nRun with --help to list the flags.`);
  }
  if (values['help'] === true) throw new CliExit(0, helpText(spec));
  const result: Record<string | symbol, unknown> = { data: undefined, resume: false, eval: undefined, test: undefined, verbose: false, [PROGRAM]: { name: spec.name, summary: spec.summary } };
  for (const [name, flag] of Object.entries(table)) {
    if (name === 'help') continue;
    result[name] = convert(spec.name, name, flag, values[name]);
  }
  return result as CliFlags<E>;
}

/** The `--help` text: the summary, the usage line and every flag with its default. */
export function helpText<E extends Record<string, FlagSpec>>(spec: CliSpec<E>): string {
  const rows = Object.entries(flagTable(spec)).map(([name, f]) => {
    const left = `--${name}${f.type === 'boolean' ? '' : ` ${metavar(f)}`}`;
    const def = f.type === 'number' || f.type === 'string' ? ` (default: ${f.default})` : '';
    return [left, `${f.help}${def}`] as const;
  });
  const pad = Math.max(...rows.map(([l]) => l.length)) + 2;
  return [
    `${spec.name}: ${spec.summary}`,
    '',
    `Usage: npm run -w examples ${spec.name} -- [flags]`,
    '',
    'Flags:',
    ...rows.map(([l, r]) => `  ${l.padEnd(pad)}${r}`),
    '',
    'Relative paths are taken from the directory the command is typed in; a default path (runs/...) from the repository root.',
  ].join('\n');
}

/**
 * Runs an example's `main` as a program and sets the exit code: 0 ok, 1 an error, 2 a usage error.
 * `--help` prints to stdout, a usage error (an unknown flag, a bad flag value) its message and a
 * pointer to `--help` to stderr. Any other error, expected (a missing or truncated file, a model
 * that does not fit a checkpoint) or not (a bug), prints one line, `error: <message>`, to stderr;
 * with `--verbose` it prints the stack trace and causes instead (see {@link describeError}).
 *
 * @example
 * if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(main);
 */
export function runCli(main: (argv: string[]) => Promise<unknown>): void {
  const argv = process.argv.slice(2);
  main(argv).catch((error: unknown) => {
    if (error instanceof CliExit) {
      (error.code === 0 ? process.stdout : process.stderr).write(`${error.message}\n`);
      process.exitCode = error.code;
    } else {
      process.stderr.write(`${describeError(error, argv.includes('--verbose'))}\n`);
      process.exitCode = 1;
    }
  });
}

/**
 * What {@link runCli} prints for an error that ends a program: `error: <message>` on one line (the
 * message's own line breaks become `; `), or with `verbose` the stack trace and the chain of causes,
 * as Node prints an uncaught error.
 *
 * @example
 * describeError(new Error("loadModule: 'x.safetensors': file too short"), false);
 * // "error: loadModule: 'x.safetensors': file too short"
 */
export function describeError(error: unknown, verbose: boolean): string {
  if (verbose) return error instanceof Error ? inspect(error) : `error: ${inspect(error)}`;
  const message = error instanceof Error ? error.message : String(error);
  return `error: ${message.trim().split(/\s*\n\s*/).join('; ')}`;
}

function flagTable<E extends Record<string, FlagSpec>>(spec: CliSpec<E>): Record<string, FlagSpec> {
  const uses = new Set(spec.uses ?? []);
  const table: Record<string, FlagSpec> = {
    seed: numberFlag(spec.seed ?? 1, 'random seed: the same seed reproduces the run on the same backend', { integer: true, min: 0 }),
    epochs: numberFlag(spec.epochs ?? 10, spec.epochsHelp ?? 'training epochs', { integer: true, min: 0 }),
    backend: stringFlag(process.env['EOLE_BACKEND'] || 'auto', 'kernel backend: auto (by work size), cpu, webasm, headlessgl or webgpu; EOLE_BACKEND sets the default', { metavar: 'NAME', choices: ['auto', ...BACKENDS] }),
    threads: numberFlag(kernels.threads, 'kernel threads: the main thread plus N-1 pool workers (1: no pool); EOLE_THREADS sets the default; results are the same for any N', { integer: true, min: 1 }),
    out: stringFlag(`runs/${spec.name}`, 'folder for everything the run writes', { metavar: 'DIR', path: true }),
  };
  if (uses.has('data')) table['data'] = optionalFlag("the dataset's folder, in its standard format");
  if (uses.has('resume')) table['resume'] = booleanFlag('continue from the checkpoint in --out');
  if (uses.has('eval')) table['eval'] = optionalFlag('evaluate this saved model (<example>.safetensors) or training checkpoint (checkpoint.safetensors) instead of training', 'CHECKPOINT');
  if (uses.has('test')) table['test'] = optionalFlag('test set for --eval, in its standard format');
  table['live'] = { type: 'number?', help: 'serve the run live: its events and a dashboard page on http://127.0.0.1:PORT (0: any free port)', metavar: 'PORT', integer: true, min: 0, max: 65535 };
  table['live-linger'] = booleanFlag('with --live, keep the dashboard served after the run ends, until Ctrl-C');
  for (const [name, flag] of Object.entries(spec.flags ?? {})) {
    if (name in table || name === 'help') throw new Error(`parseCli: flag --${name} is already a common flag`);
    table[name] = flag;
  }
  table['verbose'] = booleanFlag('on an error, print its stack trace (by default an error prints one line, error: MESSAGE, and exits with code 1)');
  table['help'] = booleanFlag('print this help and exit');
  return table;
}

function convert(program: string, name: string, flag: FlagSpec, raw: string | boolean | undefined): unknown {
  const fail = (why: string): never => {
    throw new CliExit(2, `${program}: --${name}: ${why}\nRun with --help to list the flags.`);
  };
  switch (flag.type) {
    case 'boolean':
      return raw === true;
    case 'string?':
      if (raw === undefined) return undefined;
      return flag.path ? commandLinePath(String(raw)) : String(raw);
    case 'string': {
      const value = raw === undefined ? flag.default : String(raw);
      if (flag.choices && !flag.choices.includes(value)) fail(`expected one of ${flag.choices.join(', ')}, got '${value}'`);
      if (!flag.path) return value;
      return raw === undefined ? resolve(REPO_ROOT, value) : commandLinePath(value);
    }
    case 'number?':
    case 'number': {
      if (raw === undefined) return flag.type === 'number' ? flag.default : undefined;
      const text = String(raw).trim();
      const value = Number(text);
      if (text === '' || !Number.isFinite(value)) fail(`expected a number, got '${String(raw)}'`);
      if (flag.integer && !Number.isInteger(value)) fail(`expected an integer, got '${String(raw)}'`);
      if (flag.min !== undefined && value < flag.min) fail(`expected at least ${flag.min}, got ${value}`);
      if (flag.max !== undefined && value > flag.max) fail(`expected at most ${flag.max}, got ${value}`);
      return value;
    }
  }
}

function metavar(flag: FlagSpec): string {
  if (flag.type === 'number?') return flag.metavar ?? (flag.integer ? 'N' : 'X');
  if (flag.type === 'number') return flag.integer ? 'N' : 'X';
  if (flag.type === 'string' || flag.type === 'string?') return flag.metavar ?? 'VALUE';
  return '';
}
