import type { ExecutionContext } from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Generator } from '../random/Generator.js';
import { tempDir } from './tempDir.js';

/** A fixed-width unsigned integer in the seed file that the fuzzer sets to extreme values. */
export interface FuzzField {
  /** What the field is, for the failure report (`header length`, `dims[0]`). */
  name: string;
  /** Byte offset of the field in the seed file. */
  offset: number;
  /** Width in bytes. */
  width: 1 | 2 | 4 | 8;
  /** Byte order (default `'little'`). */
  endian?: 'little' | 'big';
}

/**
 * A JSON document inside the file (a safetensors header, a metadata string holding JSON): the
 * fuzzer takes its text out with `extract`, mutates its structure, and puts the new text back with
 * `replace` (which fixes up lengths and offsets so the mutant reaches the reader's JSON checks).
 */
export interface FuzzJsonSite {
  /** What the document is, for the failure report (`header`, `metadata.optimizer`). */
  name: string;
  /** The JSON text of the document in `bytes`, or null when it is not there. */
  extract: (bytes: Uint8Array) => string | null;
  /** `bytes` with the document replaced by `text` (any text, not necessarily valid JSON). */
  replace: (bytes: Uint8Array, text: string) => Uint8Array;
}

/** A caller's own mutation: new bytes from the seed bytes, drawing from `rng`. */
export type FuzzMutator = (bytes: Uint8Array, rng: Generator) => { bytes: Uint8Array; description: string };

/** One mutant file. */
export interface FuzzMutant {
  /** Its index in the run: truncations first, then the random mutants. */
  index: number;
  /** The kind of mutation: `truncate`, `flip`, `insert`, `delete`, `field`, `json` or a custom mutator's name. */
  kind: string;
  /** What was done, precise enough to redo by hand (`field 'dims[0]' (offset 4, 4 bytes big) = 0xffffffff`). */
  description: string;
  /** The mutant's bytes. */
  bytes: Uint8Array;
}

/** What {@link fuzzReader} checks, and on what. */
export interface FuzzOptions {
  /** A valid file: the reader must accept it (checked first). */
  seedFile: Uint8Array;
  /**
   * The reader under test. It gets the mutant's bytes, and, when {@link FuzzOptions.fileName} is
   * set, the path of a file holding them. It may return a promise.
   */
  read: (bytes: Uint8Array, path: string) => unknown;
  /**
   * The rule every error must satisfy: a pattern its message must match (the file's path or name,
   * or the field), or a predicate on the error and the mutant.
   */
  errors: RegExp | ((error: Error, mutant: FuzzMutant) => boolean);
  /** Seed of the core {@link Generator} that draws the mutations (default 0). */
  seed?: number;
  /** Number of random mutants beside the truncations (default 200). */
  count?: number;
  /**
   * Truncations: `'all'` lengths 0..n-1, or that many lengths (the first 16 and a seeded sample).
   * Default: all for a seed file of at most 512 bytes, else 64.
   */
  truncations?: number | 'all';
  /** Header fields to set to extreme values (0, all ones, 2³¹, 2⁵³, 2⁶⁴−1, value ± 1, ...). */
  fields?: FuzzField[];
  /** JSON documents to mutate structurally (deep nesting, wrong types, -1, 1e400, 2⁵³, "NaN", ...). */
  json?: FuzzJsonSite[];
  /** The caller's own mutations, by name. */
  mutators?: Record<string, FuzzMutator>;
  /** When set, each mutant is written to `<temporary folder>/<fileName>` and its path passed to `read`. */
  fileName?: string;
  /**
   * Checks a result the reader returned (default: any result is valid). Return false or throw to
   * reject it.
   */
  valid?: (result: unknown, mutant: FuzzMutant) => boolean | void;
  /**
   * Time one read may take, in milliseconds of the process's CPU time (default 2000): CPU time,
   * so that a machine loaded by other work does not fail the test, while a reader that spins
   * does.
   */
  timeLimitMs?: number;
  /**
   * Memory one read may take, in bytes (default 256 MiB): the growth of V8's heap plus array
   * buffers plus external memory from just before the read to just after it (the result, and the
   * garbage the read left, still counted; the harness collects older garbage first, through
   * `global.gc`, exposed at run time if need be), and the growth of the process's peak resident
   * set size during the read.
   */
  memoryLimitBytes?: number;
}

/** What a passing {@link fuzzReader} run saw. */
export interface FuzzReport {
  /** Mutants read. */
  mutants: number;
  /** Mutants the reader accepted. */
  accepted: number;
  /** Mutants the reader rejected with an acceptable error. */
  rejected: number;
  /** Mutants by kind. */
  kinds: Record<string, number>;
  /** The slowest read, in milliseconds of CPU time, and its mutant index. */
  slowest: { ms: number; index: number };
}

/** The first mutant that broke a rule, with everything needed to reproduce it. */
export class FuzzFailure extends Error {
  constructor(
    message: string,
    /** The mutant. */
    readonly mutant: FuzzMutant,
    /** The generator seed of the run. */
    readonly seed: number,
  ) {
    super(message);
    this.name = 'FuzzFailure';
  }
}

const DEFAULT_COUNT = 200;
const ALL_TRUNCATIONS_UP_TO = 512;
const SAMPLED_TRUNCATIONS = 64;

/**
 * Seeded, time- and memory-bounded mutation fuzzing of a file reader. From a valid seed file it
 * makes mutants (truncation at every length for short files or a sample for long ones, then
 * `count` random ones: bit and byte flips, inserted and deleted bytes, extreme values of the
 * caller's header fields, structural mutations of the caller's JSON documents, the caller's own
 * mutators), reads each, and asserts that the outcome is a result (checked by `valid` when given)
 * or an `Error` whose message satisfies `errors` (so it names the file or the field), that the read
 * took at most `timeLimitMs` of CPU time and that memory grew by at most `memoryLimitBytes`. A `SyntaxError`,
 * `TypeError` or `RangeError` from inside the reader (a stack overflow, a `JSON.parse` message)
 * passes only if its message satisfies `errors` too.
 *
 * Mutant `i` of seed `s` is always the same bytes ({@link fuzzMutant}), so a failure is
 * reproducible: the report gives the seed, the index, the mutation and a hex of the changed bytes.
 * Reads run in this process, one after another: a reader that loops forever is stopped only by
 * the test runner's timeout, and memory is measured, not capped.
 *
 * Every Eole file reader has such a test (safetensors, IDX, training checkpoints, WAV, bAbI), and
 * each new reader (`.npy`, COCO JSON, PNG masks, ...) gets one when it is written.
 *
 * @example
 * import test from 'ava';
 * import { parseSafetensors, serializeSafetensors, Tensor } from '@eole/core';
 * import { fuzz } from '@eole/core/testing';
 * // fuzz(t, options) wraps fuzzReader(options) as an assertion (fuzzReader alone throws a FuzzFailure)
 * test('parseSafetensors survives 300 mutants', async (t) => {
 *   const seedFile = serializeSafetensors(new Map([['w', Tensor.zeros([2, 3])]]));
 *   await fuzz(t, {
 *     seedFile, read: (bytes) => parseSafetensors(bytes), errors: /^safetensors: /,
 *     seed: 1, count: 300, fields: [{ name: 'header length', offset: 0, width: 8 }],
 *   });
 * });
 */
export async function fuzzReader(options: FuzzOptions): Promise<FuzzReport> {
  const seed = options.seed ?? 0;
  const timeLimit = options.timeLimitMs ?? 2000;
  const memoryLimit = options.memoryLimitBytes ?? 256 * 2 ** 20;
  const total = mutantCount(options);
  // The seed file is read first, untimed (it warms the reader up), and must be accepted.
  const path = options.fileName === undefined ? '' : join(tempDir('fuzz'), options.fileName);
  const report: FuzzReport = { mutants: 0, accepted: 0, rejected: 0, kinds: {}, slowest: { ms: 0, index: -1 } };
  const collect = garbageCollector();
  let clean = -Infinity;
  const seedMutant: FuzzMutant = { index: -1, kind: 'seed', description: 'the seed file itself', bytes: copy(options.seedFile) };
  const fail = (mutant: FuzzMutant, what: string): never => {
    throw new FuzzFailure(`fuzz: mutant #${mutant.index} of seed ${seed} (${mutant.kind}: ${mutant.description}) ${what}\n${hexDiff(options.seedFile, mutant.bytes)}`, mutant, seed);
  };
  for (let index = -1; index < total; index++) {
    const mutant = index < 0 ? seedMutant : fuzzMutant(options, index);
    if (path !== '') writeFileSync(path, mutant.bytes);
    // Collect garbage when much has piled up, so that a collection during the read cannot hide
    // the read's own allocations by freeing older garbage.
    if (collect && memory() > clean + GC_SLACK) {
      collect();
      clean = memory();
    }
    const before = memory();
    const peakBefore = process.resourceUsage().maxRSS * 1024;
    const cpu = process.cpuUsage();
    const start = performance.now();
    let result: unknown;
    let error: unknown = null;
    let threw = false;
    try {
      result = options.read(mutant.bytes, path);
      // A synchronous reader is timed without yielding, so that other tests cannot run meanwhile.
      if (isThenable(result)) result = await result;
    } catch (e) {
      threw = true;
      error = e;
    }
    const used = process.cpuUsage(cpu);
    const ms = (used.user + used.system) / 1000;
    const wall = performance.now() - start;
    const grown = Math.max(memory() - before, process.resourceUsage().maxRSS * 1024 - peakBefore);
    if (ms > timeLimit && index >= 0) fail(mutant, `took ${ms.toFixed(0)} ms of CPU time (${wall.toFixed(0)} ms wall-clock), more than the ${timeLimit} ms allowed`);
    if (grown > memoryLimit) fail(mutant, `grew memory by ${mib(grown)}, more than the ${mib(memoryLimit)} allowed`);
    if (index >= 0 && ms > report.slowest.ms) report.slowest = { ms, index };
    if (index < 0 && threw) fail(mutant, `was rejected: ${describeError(error)} (the seed file must be valid)`);
    if (index >= 0) {
      report.mutants++;
      report.kinds[mutant.kind] = (report.kinds[mutant.kind] ?? 0) + 1;
    }
    if (threw) {
      if (!(error instanceof Error)) fail(mutant, `threw a non-Error: ${describeError(error)}`);
      const ok = options.errors instanceof RegExp ? options.errors.test((error as Error).message) : options.errors(error as Error, mutant);
      if (!ok) fail(mutant, `gave an error that does not name the file or field (${String(options.errors)}): ${describeError(error)}`);
      report.rejected++;
    } else {
      let ok: boolean | void = true;
      try {
        ok = options.valid?.(result, mutant);
      } catch (e) {
        fail(mutant, `was accepted but its result is not valid: ${describeError(e)}`);
      }
      if (ok === false) fail(mutant, 'was accepted but its result is not valid');
      if (index >= 0) report.accepted++;
    }
    result = undefined;
  }
  return report;
}

/**
 * {@link fuzzReader} as an ava assertion: passes with a one-line summary in the test's log, or
 * fails with the first bad mutant (seed, index, mutation, hex).
 *
 * @example
 * test('readIdx survives mutants', (t) => fuzz(t, { seedFile, read: (_, p) => readIdx(p), fileName: 'x.idx', errors: /x\.idx/ }));
 */
export async function fuzz(t: ExecutionContext, options: FuzzOptions): Promise<FuzzReport | null> {
  try {
    const report = await fuzzReader(options);
    const kinds = Object.entries(report.kinds).map(([k, n]) => `${k} ${n}`).join(', ');
    t.log(`${report.mutants} mutants (${kinds}): ${report.accepted} accepted, ${report.rejected} rejected clearly; slowest #${report.slowest.index}`);
    t.pass();
    return report;
  } catch (e) {
    if (!(e instanceof FuzzFailure)) throw e;
    t.fail(e.message);
    return null;
  }
}

/** How many mutants a run of `options` reads (truncations plus `count`). */
export function mutantCount(options: Pick<FuzzOptions, 'seedFile' | 'count' | 'truncations' | 'seed'>): number {
  return truncationLengths(options).length + (options.count ?? DEFAULT_COUNT);
}

/**
 * Mutant `index` of a run of `options`, without running the others: the same bytes every time, so
 * a failure reported by {@link fuzzReader} can be reproduced and debugged alone.
 *
 * @example
 * const m = fuzzMutant({ seedFile, seed: 1, fields }, 417);
 * parseSafetensors(m.bytes);
 */
export function fuzzMutant(options: Omit<FuzzOptions, 'read' | 'errors'>, index: number): FuzzMutant {
  const seed = options.seed ?? 0;
  const src = options.seedFile;
  const lengths = truncationLengths(options);
  if (index < lengths.length) {
    const n = lengths[index]!;
    return { index, kind: 'truncate', description: `first ${n} of ${src.length} bytes`, bytes: copy(src, 0, n) };
  }
  const rng = new Generator((Math.imul(seed >>> 0, 0x85ebca6b) ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0);
  const kinds: string[] = ['flip', 'flip', 'insert', 'delete'];
  if (options.fields?.length) kinds.push('field', 'field', 'field');
  if (options.json?.length) kinds.push('json', 'json', 'json');
  for (const name of Object.keys(options.mutators ?? {})) kinds.push(name);
  const kind = kinds[rng.int(kinds.length)]!;
  const done = (bytes: Uint8Array, description: string): FuzzMutant => ({ index, kind, description, bytes });
  if (kind === 'flip') return done(...flip(src, rng));
  if (kind === 'insert') {
    const at = rng.int(src.length + 1);
    const extra = randomBytes(rng, 1 + rng.int(16));
    const out = new Uint8Array(src.length + extra.length);
    out.set(src.subarray(0, at));
    out.set(extra, at);
    out.set(src.subarray(at), at + extra.length);
    return done(out, `inserted ${hex(extra)} at offset ${at}`);
  }
  if (kind === 'delete') {
    if (src.length === 0) return done(copy(src), 'nothing to delete');
    const at = rng.int(src.length);
    const n = Math.min(src.length - at, 1 + rng.int(16));
    const out = new Uint8Array(src.length - n);
    out.set(src.subarray(0, at));
    out.set(src.subarray(at + n), at);
    return done(out, `deleted ${n} bytes at offset ${at} (${hex(src.subarray(at, at + n))})`);
  }
  if (kind === 'field') {
    // One field, or two or three at once (a zero beside a huge value: Infinity · 0 = NaN).
    const fields = options.fields!;
    let out = src;
    const what: string[] = [];
    for (let k = 1 + rng.int(Math.min(3, fields.length)); k > 0; k--) {
      const [bytes, description] = setField(out, fields[rng.int(fields.length)]!, rng);
      out = bytes;
      what.push(description);
    }
    return done(out, what.join('; '));
  }
  if (kind === 'json') return done(...mutateJson(src, options.json![rng.int(options.json!.length)]!, rng));
  const custom = options.mutators![kind]!(copy(src), rng);
  return done(custom.bytes, custom.description);
}

function truncationLengths(options: Pick<FuzzOptions, 'seedFile' | 'truncations' | 'seed'>): number[] {
  const n = options.seedFile.length;
  const want = options.truncations ?? (n <= ALL_TRUNCATIONS_UP_TO ? 'all' : SAMPLED_TRUNCATIONS);
  if (want === 'all' || want >= n) return Array.from({ length: n }, (_, i) => i);
  const rng = new Generator(((options.seed ?? 0) ^ 0x5bd1e995) >>> 0);
  const picked = new Set<number>();
  for (let i = 0; i < Math.min(16, want); i++) picked.add(i);
  for (let tries = 0; picked.size < want && tries < 16 * want; tries++) picked.add(rng.int(n));
  return [...picked].sort((a, b) => a - b);
}

function flip(src: Uint8Array, rng: Generator): [Uint8Array, string] {
  const out = copy(src);
  if (out.length === 0) return [out, 'nothing to flip'];
  const changes: string[] = [];
  const n = 1 + rng.int(4);
  for (let k = 0; k < n; k++) {
    const at = rng.int(out.length);
    const how = rng.int(4);
    const old = out[at]!;
    out[at] = how === 0 ? old ^ (1 << rng.int(8)) : how === 1 ? 0xff : how === 2 ? 0 : rng.int(256);
    changes.push(`${at}: ${byteHex(old)}→${byteHex(out[at]!)}`);
  }
  return [out, `set bytes ${changes.join(', ')}`];
}

function setField(src: Uint8Array, field: FuzzField, rng: Generator): [Uint8Array, string] {
  const bits = BigInt(8 * field.width);
  const max = (1n << bits) - 1n;
  const little = (field.endian ?? 'little') === 'little';
  const out = copy(src);
  if (field.offset + field.width > out.length) return [out, `field '${field.name}' lies past the end of the file, left as is`];
  let old = 0n;
  for (let k = 0; k < field.width; k++) old |= BigInt(out[field.offset + (little ? k : field.width - 1 - k)]!) << BigInt(8 * k);
  const candidates = [0n, 1n, max, max - 1n, max >> 1n, (max >> 1n) + 1n, 1n << 24n, 1n << 31n, (1n << 31n) - 1n, (1n << 32n) - 1n, 1n << 32n, 1n << 53n, (1n << 53n) + 1n, 1n << 63n, old + 1n, old - 1n, old * 2n, old << 16n, BigInt(rng.nextUint32()) * BigInt(rng.nextUint32()), BigInt(rng.int(256)), BigInt(rng.int(65536)), 1n << BigInt(rng.int(Number(bits)))];
  const value = BigInt.asUintN(Number(bits), candidates[rng.int(candidates.length)]!);
  for (let k = 0; k < field.width; k++) out[field.offset + (little ? k : field.width - 1 - k)] = Number((value >> BigInt(8 * k)) & 0xffn);
  return [out, `field '${field.name}' (offset ${field.offset}, ${field.width} bytes ${little ? 'little' : 'big'}-endian) = 0x${value.toString(16)} (was 0x${old.toString(16)})`];
}

/** A JSON text put into the document as is (deep nesting, 1e400, -0). */
class Raw {
  constructor(readonly text: string) {}
}

/** The JSON texts a node of a document may become: deep nesting, wrong types, bad numbers, NaN-like strings. */
function replacement(rng: Generator, old: unknown): unknown {
  const depth = [64, 1000, 5000, 20000][rng.int(4)]!;
  const choices: (() => unknown)[] = [
    () => new Raw('['.repeat(depth) + ']'.repeat(depth)),
    () => new Raw('['.repeat(depth) + '1' + ']'.repeat(depth)),
    () => new Raw('{"a":'.repeat(depth) + '0' + '}'.repeat(depth)),
    () => null,
    () => true,
    () => 'x',
    () => '',
    () => ({}),
    () => [],
    () => -1,
    () => 0,
    () => 1.5,
    () => new Raw('-0'),
    () => new Raw('1e400'),
    () => new Raw('-1e400'),
    () => new Raw('1e-400'),
    () => 2 ** 53,
    () => 2 ** 53 + 2,
    () => 2 ** 64,
    () => 2 ** 31,
    () => -(2 ** 31),
    () => 'NaN',
    () => 'Infinity',
    () => '-1',
    () => '1e400',
    () => '0x10',
    () => [old, old],
    () => ({ value: old }),
    () => new Raw(`[${Array.from({ length: 10000 }, () => '0').join(',')}]`),
    () => typeof old === 'number' ? -old : typeof old === 'string' ? old.repeat(100) : Array.isArray(old) ? old.slice(0, -1) : old,
  ];
  return choices[rng.int(choices.length)]!();
}

/** Every node's path in a parsed document (bounded, so a huge document does not blow the list up). */
function paths(root: unknown): (string | number)[][] {
  const out: (string | number)[][] = [];
  const stack: [unknown, (string | number)[]][] = [[root, []]];
  while (stack.length > 0 && out.length < 10000) {
    const [node, path] = stack.pop()!;
    out.push(path);
    if (Array.isArray(node)) node.forEach((v, i) => stack.push([v, [...path, i]]));
    else if (node !== null && typeof node === 'object') for (const [k, v] of Object.entries(node)) stack.push([v, [...path, k]]);
  }
  return out;
}

function mutateJson(src: Uint8Array, site: FuzzJsonSite, rng: Generator): [Uint8Array, string] {
  const text = site.extract(src);
  let doc: unknown;
  try {
    doc = text === null ? undefined : JSON.parse(text);
  } catch {
    doc = undefined;
  }
  if (doc === undefined) return [copy(src), `json '${site.name}' not found or not JSON, left as is`];
  const all = paths(doc);
  const path = all[rng.int(all.length)]!;
  const op = rng.int(8);
  let root: unknown = doc;
  let what: string;
  const parent = path.length === 0 ? null : (path.slice(0, -1).reduce<unknown>((n, k) => (n as Record<string | number, unknown>)[k], doc) as Record<string | number, unknown>);
  const key = path[path.length - 1];
  if (op === 0 && parent !== null && key !== undefined) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
    what = 'deleted';
  } else if (op === 1 && parent !== null && !Array.isArray(parent)) {
    parent[`${String(key)}_extra`] = replacement(rng, undefined);
    what = `added a sibling '${String(key)}_extra' =`;
  } else {
    const value = replacement(rng, parent === null ? doc : parent[key!]);
    if (parent === null) root = value;
    else parent[key!] = value;
    what = 'replaced by';
  }
  const at = path.length === 0 ? '(root)' : path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('');
  const newText = stringify(root);
  const shown = what === 'deleted' ? '' : ` ${shorten(stringifyNode(path, root, what))}`;
  return [site.replace(src, newText), `json '${site.name}' ${at} ${what}${shown}`];
}

function stringifyNode(path: (string | number)[], root: unknown, what: string): string {
  if (what.startsWith('added')) {
    const parent = path.slice(0, -1).reduce<unknown>((n, k) => (n as Record<string | number, unknown>)[k], root) as Record<string, unknown>;
    return stringify(parent[`${String(path[path.length - 1])}_extra`]);
  }
  return stringify(path.reduce<unknown>((n, k) => (n as Record<string | number, unknown>)[k], root));
}

/** JSON.stringify that writes {@link Raw} texts as they are. */
function stringify(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map(stringify).join(',')}]`;
  if (value !== null && typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${stringify(v)}`).join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/**
 * A copy of `bytes` (or of a range), always a plain Uint8Array: a Node Buffer's `slice` is a view,
 * and a mutation of a view would change the seed file itself.
 */
function copy(bytes: Uint8Array, start?: number, end?: number): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes, start, end);
}

function randomBytes(rng: Generator, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(256);
  return out;
}

const byteHex = (b: number): string => b.toString(16).padStart(2, '0');
const hex = (bytes: Uint8Array): string => Array.from(bytes, byteHex).join(' ');
const shorten = (s: string, n = 80): string => (s.length <= n ? s : `${s.slice(0, n)}… (${s.length} chars)`);
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** Garbage piled up before a read that makes the harness collect first. */
const GC_SLACK = 32 * 2 ** 20;

/** `global.gc` (exposed at run time if the process was not started with `--expose-gc`), or null. */
function garbageCollector(): (() => void) | null {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

function memory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers + m.external;
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${shorten(e.message, 300)}`;
  return shorten(String(e), 300);
}

/**
 * Where a mutant differs from the seed: the common prefix and suffix lengths and the hex of the
 * changed middle (at most 64 bytes of each side).
 */
function hexDiff(seed: Uint8Array, mutant: Uint8Array): string {
  let prefix = 0;
  while (prefix < seed.length && prefix < mutant.length && seed[prefix] === mutant[prefix]) prefix++;
  let suffix = 0;
  while (suffix < seed.length - prefix && suffix < mutant.length - prefix && seed[seed.length - 1 - suffix] === mutant[mutant.length - 1 - suffix]) suffix++;
  const was = seed.subarray(prefix, seed.length - suffix);
  const now = mutant.subarray(prefix, mutant.length - suffix);
  const cap = (b: Uint8Array): string => (b.length <= 64 ? hex(b) : `${hex(b.subarray(0, 64))} … (${b.length} bytes)`);
  return `  ${mutant.length} bytes (seed ${seed.length}); from offset ${prefix}, seed [${cap(was)}] became [${cap(now)}], then ${suffix} equal bytes`;
}
