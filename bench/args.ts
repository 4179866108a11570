import os from 'node:os';

/** The benchmarks `--only` can pick, in the order they run. */
export const BENCHES = ['matmul', 'mlp', 'lenet', 'lstm', 'dcgan', 'calibrate'] as const;
export type BenchName = (typeof BENCHES)[number];

/** What `npm run bench -- ...` asked for. */
export interface BenchArgs {
  /** Thread counts for the Eole rows, ascending, deduplicated, always with 1 (the baseline). */
  threads: number[];
  only: ReadonlySet<BenchName>;
  help: boolean;
}

/** `--help` text. */
export function usage(cores = os.cpus().length): string {
  return [
    'Usage: npm run bench -- [--threads LIST] [--only LIST] [--help]',
    '',
    'Eole against plain JS, tfjs (cpu, wasm), ConvNetJS and brain.js in one process; prints a markdown',
    'table, a summary and the targets, and writes runs/bench/latest.json and latest.md at the repo root.',
    '',
    `  --threads LIST  thread counts for the Eole rows, e.g. 1,2,4 (default: 1,${cores}, this machine's cores).`,
    '                  Each Eole row is measured once per count (kernels.setThreads); 1 is always measured,',
    '                  as every ratio and speed-up is taken against it. Peers run once, on one thread.',
    `  --only LIST     run a subset of ${BENCHES.join(',')} (default: all)`,
    '  --help          this text',
  ].join('\n');
}

/** Parses `argv` (without node and the script); throws an Error with a readable message on bad input. */
export function parseArgs(argv: readonly string[], cores = os.cpus().length): BenchArgs {
  let threads = [1, cores];
  let only: Set<BenchName> = new Set(BENCHES);
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = splitFlag(argv[i]!);
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--help' || flag === '-h') help = true;
    else if (flag === '--threads') threads = parseThreads(value());
    else if (flag === '--only') only = parseOnly(value());
    else throw new Error(`unknown argument '${argv[i]}'`);
  }
  return { threads: [...new Set([1, ...threads])].sort((a, b) => a - b), only, help };
}

function splitFlag(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
}

function parseThreads(list: string): number[] {
  return list.split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n < 1) throw new Error(`--threads: expected integers ≥ 1 separated by commas, got '${list}'`);
    return n;
  });
}

function parseOnly(list: string): Set<BenchName> {
  const names = list.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(BENCHES as readonly string[]).includes(n)) throw new Error(`--only: unknown benchmark '${n}' (choose from ${BENCHES.join(', ')})`);
  }
  return new Set(names as BenchName[]);
}
