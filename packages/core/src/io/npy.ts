import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './writeFileAtomic.js';

/**
 * The element types a `.npy` file may hold here: unsigned bytes, little-endian float32 and (read
 * only) little-endian float64.
 */
export type NpyDtype = 'uint8' | 'float32' | 'float64';

/** The contents of a `.npy` file: its element type, its shape (C order) and its values. */
export interface NpyData {
  /** `'uint8'` (descr `|u1`), `'float32'` (descr `<f4`) or `'float64'` (descr `<f8`, read only). */
  dtype: NpyDtype;
  /** Sizes of the dimensions, outermost first; `[]` for a scalar (one value). */
  shape: number[];
  /**
   * The values, row-major (C order): a Uint8Array for uint8, a Float32Array for float32, a
   * Float64Array for float64 (exactly the file's values; `Float32Array.from(data)` for a tensor).
   */
  data: Uint8Array | Float32Array | Float64Array;
}

/** The magic string `\x93NUMPY`. */
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
/** NumPy aligns the data to 64 bytes (magic, version, length field and header together). */
const ALIGN = 64;
/** NumPy leaves room for the first axis to grow to 21 digits (`GROWTH_AXIS_MAX_DIGITS`). */
const GROWTH_DIGITS = 21;
/** Accepted `descr` strings. */
const DESCRS: Record<string, NpyDtype> = { '|u1': 'uint8', u1: 'uint8', '<u1': 'uint8', '<f4': 'float32', '<f8': 'float64' };
const ACCEPTED = `'|u1' (uint8; also 'u1', '<u1'), '<f4' (float32, little-endian) or '<f8' (float64, little-endian)`;
/** Bytes per element. */
const WIDTH: Record<NpyDtype, number> = { uint8: 1, float32: 4, float64: 8 };
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A shape as Python writes a tuple: `()`, `(5,)`, `(2, 3)`. */
const tuple = (shape: readonly number[]): string => (shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`);
const hexBytes = (bytes: Uint8Array): string => (bytes.length === 0 ? 'no bytes' : [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' '));

/** A token of the header's Python dict literal. */
type Token = { kind: 'punct'; text: string } | { kind: 'string'; text: string } | { kind: 'name'; text: string } | { kind: 'int'; text: string };

/** Splits the header into tokens; `fail` on any character a dict of strings, booleans and int tuples cannot hold. */
function tokenize(header: string, fail: (message: string) => never): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < header.length) {
    const c = header[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if ('{}():,'.includes(c)) {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else if (c === "'" || c === '"') {
      const end = header.indexOf(c, i + 1);
      if (end < 0) fail(`bad header: unterminated string starting at character ${i}`);
      const text = header.slice(i + 1, end);
      if (text.includes('\\') || text.includes('\n')) fail(`bad header: escapes and newlines in strings are not supported (at character ${i})`);
      tokens.push({ kind: 'string', text });
      i = end + 1;
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?[0-9]+/.exec(header.slice(i, i + 40));
      if (!m) fail(`bad header: expected a number at character ${i}, got '${c}'`);
      tokens.push({ kind: 'int', text: m![0] });
      i += m![0].length;
      if (i < header.length && /[0-9]/.test(header[i]!)) fail(`bad header: a number of more than 39 digits at character ${i - 39}`);
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(header.slice(i, i + 16))!;
      tokens.push({ kind: 'name', text: m[0] });
      i += m[0].length;
    } else {
      fail(`bad header: unexpected character ${JSON.stringify(c)} at character ${i}`);
    }
  }
  return tokens;
}

/** A header value: a string, a boolean, or a tuple of integers (kept as digit strings). */
type Value = { kind: 'string'; value: string } | { kind: 'bool'; value: boolean } | { kind: 'tuple'; value: string[] };

/**
 * Parses the header as a Python dict literal `{'key': value, ...}` (trailing comma allowed) whose
 * values are strings, `True`/`False` or tuples of integers (`()`, `(5,)`, `(2, 3)`). Never evaluates.
 */
function parseHeaderDict(header: string, fail: (message: string) => never): Map<string, Value> {
  const tokens = tokenize(header, fail);
  let at = 0;
  const describe = (t: Token | undefined): string => (t === undefined ? 'the end of the header' : t.kind === 'string' ? `'${t.text}'` : `'${t.text}'`);
  const expect = (text: string): void => {
    const t = tokens[at];
    if (t?.kind !== 'punct' || t.text !== text) fail(`bad header: expected '${text}', got ${describe(t)} (token ${at})`);
    at++;
  };
  const isPunct = (text: string): boolean => tokens[at]?.kind === 'punct' && tokens[at]!.text === text;
  const value = (): Value => {
    const t = tokens[at];
    if (t?.kind === 'string') {
      at++;
      return { kind: 'string', value: t.text };
    }
    if (t?.kind === 'name' && (t.text === 'True' || t.text === 'False')) {
      at++;
      return { kind: 'bool', value: t.text === 'True' };
    }
    if (isPunct('(')) {
      at++;
      const items: string[] = [];
      let comma = false;
      while (!isPunct(')')) {
        const n = tokens[at];
        if (n?.kind !== 'int') fail(`bad header: expected an integer or ')' in a tuple, got ${describe(n)} (token ${at})`);
        items.push(n!.text);
        at++;
        comma = isPunct(',');
        if (comma) at++;
        else if (!isPunct(')')) fail(`bad header: expected ',' or ')' in a tuple, got ${describe(tokens[at])} (token ${at})`);
      }
      at++;
      if (items.length === 1 && !comma) fail(`bad header: (${items[0]}) is an integer in Python, not a tuple: a 1-D shape is written (${items[0]},)`);
      return { kind: 'tuple', value: items };
    }
    return fail(`bad header: expected a string, True, False or a tuple, got ${describe(t)} (token ${at})`);
  };
  const dict = new Map<string, Value>();
  expect('{');
  while (!isPunct('}')) {
    const key = tokens[at];
    if (key?.kind !== 'string') fail(`bad header: expected a quoted key or '}', got ${describe(key)} (token ${at})`);
    at++;
    expect(':');
    if (dict.has(key!.text)) fail(`bad header: key '${key!.text}' appears twice`);
    dict.set(key!.text, value());
    if (isPunct(',')) at++;
    else if (!isPunct('}')) fail(`bad header: expected ',' or '}', got ${describe(tokens[at])} (token ${at})`);
  }
  at++;
  if (at !== tokens.length) fail(`bad header: unexpected ${describe(tokens[at])} after the closing '}'`);
  return dict;
}

/** Decodes a `.npy` file; errors start with `prefix: `. */
function decode(bytes: Uint8Array, prefix: string): NpyData {
  const fail = (message: string): never => {
    throw new Error(`${prefix}: ${message}`);
  };
  if (!(bytes instanceof Uint8Array)) fail('expected the bytes of a .npy file as a Uint8Array');
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) fail(`not a .npy file: expected the magic \\x93NUMPY (93 4e 55 4d 50 59) and a version, got ${hexBytes(bytes.subarray(0, 8))}`);
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3 || minor !== 0) fail(`unsupported .npy format version ${major}.${minor}: expected 1.0, 2.0 or 3.0`);
  const lengthWidth = major === 1 ? 2 : 4;
  const start = 8 + lengthWidth;
  if (bytes.length < start) fail(`truncated: ${bytes.length} bytes, shorter than the ${start}-byte preamble of format ${major}.0`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLength > bytes.length - start) fail(`truncated: the header length field says ${headerLength} bytes, but only ${bytes.length - start} bytes follow it`);
  const raw = bytes.subarray(start, start + headerLength);
  let header = '';
  if (major === 3) {
    try {
      header = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      fail('bad header: not valid UTF-8 (format 3.0)');
    }
  } else {
    header = Buffer.from(raw).toString('latin1');
  }
  const dict = parseHeaderDict(header, fail);
  for (const key of dict.keys()) if (!['descr', 'fortran_order', 'shape'].includes(key)) fail(`bad header: unknown key '${key}': expected exactly 'descr', 'fortran_order' and 'shape'`);
  for (const key of ['descr', 'fortran_order', 'shape']) if (!dict.has(key)) fail(`bad header: missing key '${key}': expected 'descr', 'fortran_order' and 'shape'`);
  const descr = dict.get('descr')!;
  if (descr.kind !== 'string') return fail(`bad header: 'descr' must be a dtype string, got a ${descr.kind} (structured dtypes are not supported)`);
  const dtype = DESCRS[descr.value];
  if (dtype === undefined) fail(`unsupported dtype '${descr.value}': expected ${ACCEPTED}`);
  const fortran = dict.get('fortran_order')!;
  if (fortran.kind !== 'bool') fail(`bad header: 'fortran_order' must be True or False, got a ${fortran.kind}`);
  if (fortran.value) fail("fortran_order True (column-major data) is not supported: save a C-ordered array (np.ascontiguousarray)");
  const shapeValue = dict.get('shape')!;
  if (shapeValue.kind !== 'tuple') return fail(`bad header: 'shape' must be a tuple of integers, got a ${shapeValue.kind}`);
  const shape: number[] = [];
  for (const [k, text] of shapeValue.value.entries()) {
    const d = Number(text);
    if (text.startsWith('-') || !Number.isSafeInteger(d)) fail(`bad shape ${`(${shapeValue.value.join(', ')})`}: dimension ${k} is ${text}, expected an integer in [0, 2^53)`);
    shape.push(d);
  }
  const width = WIDTH[dtype];
  let count = 1;
  for (const d of shape) {
    if (d === 0) continue;
    if (count > Number.MAX_SAFE_INTEGER / width / d) fail(`shape ${tuple(shape)} of ${dtype} overflows: its size is past 2^53 bytes`);
    count *= d;
  }
  if (shape.includes(0)) count = 0;
  const expected = count * width;
  const offset = start + headerLength;
  const actual = bytes.length - offset;
  if (actual < expected) fail(`truncated: expected ${expected} bytes of data for shape ${tuple(shape)} of ${dtype}, got ${actual}`);
  if (actual > expected) fail(`${actual - expected} unexpected bytes after the ${expected} bytes of data for shape ${tuple(shape)} of ${dtype}`);
  const body = bytes.subarray(offset, offset + expected);
  if (dtype === 'uint8') return { dtype, shape, data: new Uint8Array(body) };
  // A copy into a fresh (aligned) buffer: the data offset inside `bytes` may not be a multiple of 4 or 8.
  const data = dtype === 'float32' ? new Float32Array(count) : new Float64Array(count);
  if (LITTLE_ENDIAN) new Uint8Array(data.buffer).set(body);
  else if (dtype === 'float32') for (let i = 0; i < count; i++) data[i] = view.getFloat32(offset + 4 * i, true);
  else for (let i = 0; i < count; i++) data[i] = view.getFloat64(offset + 8 * i, true);
  return { dtype, shape, data };
}

/**
 * Decodes a NumPy `.npy` file (format 1.0, 2.0 or 3.0,
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html): the magic `\x93NUMPY`,
 * the version (major, minor), the header length (uint16 LE for 1.0, uint32 LE for 2.0 and 3.0), the
 * header — a Python dict literal `{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }`
 * padded with spaces and a newline, ASCII (latin-1) or, for 3.0, UTF-8 — then the values in C order.
 * Accepted dtypes: uint8 (`|u1`, `u1`, `<u1`), little-endian float32 (`<f4`) and little-endian
 * float64 (`<f8`, returned as a Float64Array, exactly; {@link serializeNpy} writes only the first two).
 * Big-endian, integer and structured dtypes are rejected with an error naming the accepted ones.
 *
 * The header is read by a small strict parser, never evaluated: keys in any order, single or double
 * quotes, `True`/`False`, tuples `()`, `(5,)`, `(2, 3,)`; exactly the keys `descr`, `fortran_order`,
 * `shape`. Hostile files get a clear error in bounded time and memory: a header length past the
 * file, a shape whose size passes 2⁵³ bytes, negative or huge dimensions, Fortran order, and data
 * shorter or longer than the shape needs are all rejected. Errors start with `parseNpy: <source>: `.
 *
 * @example
 * const { dtype, shape, data } = parseNpy(readFileSync('mnist_test_seq.npy'), 'mnist_test_seq.npy');
 * dtype; // 'uint8'
 * shape; // [20, 10000, 64, 64]
 */
export function parseNpy(bytes: Uint8Array, source = 'npy'): NpyData {
  return decode(bytes, `parseNpy: ${source}`);
}

/**
 * Reads a `.npy` file from disk; see {@link parseNpy}. Errors start with `readNpy: '<path>': `.
 *
 * @example
 * const video = readNpy('data/mnist_test_seq.npy'); // uint8 [20, 10000, 64, 64]
 */
export function readNpy(path: string): NpyData {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`readNpy: '${path}': cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
  return decode(bytes, `readNpy: '${path}'`);
}

/** Encodes `data` of `shape` as a `.npy` file; errors start with `prefix: `. */
function encode(data: Uint8Array | Float32Array, shape: readonly number[], prefix: string): Uint8Array {
  const fail = (message: string): never => {
    throw new RangeError(`${prefix}: ${message}`);
  };
  const dtype: NpyDtype | null = data instanceof Uint8Array ? 'uint8' : data instanceof Float32Array ? 'float32' : null;
  if (dtype === null) throw new TypeError(`${prefix}: data must be a Uint8Array (uint8) or a Float32Array (float32), got ${Object.prototype.toString.call(data)}`);
  if (!Array.isArray(shape)) fail(`shape must be an array of dimensions, got ${String(shape)}`);
  shape.forEach((d, i) => {
    if (!Number.isSafeInteger(d) || d < 0) fail(`shape[${i}] must be a non-negative integer, got ${d}`);
  });
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) fail(`data has ${data.length} values, shape ${tuple(shape)} needs ${count}`);
  // As numpy.lib.format writes it: keys sorted, room for the first axis to grow, padding to 64.
  let header = `{'descr': '${dtype === 'uint8' ? '|u1' : '<f4'}', 'fortran_order': False, 'shape': ${tuple(shape)}, }`;
  if (shape.length > 0) header += ' '.repeat(Math.max(0, GROWTH_DIGITS - String(shape[0]).length));
  const hlen = header.length + 1;
  let major = 1;
  let padlen = ALIGN - ((10 + hlen) % ALIGN);
  if (hlen + padlen > 0xffff) {
    major = 2;
    padlen = ALIGN - ((12 + hlen) % ALIGN);
  }
  const start = major === 1 ? 10 : 12;
  const full = `${header}${' '.repeat(padlen)}\n`;
  const width = dtype === 'uint8' ? 1 : 4;
  const out = new Uint8Array(start + full.length + count * width);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  if (major === 1) view.setUint16(8, full.length, true);
  else view.setUint32(8, full.length, true);
  out.set(Buffer.from(full, 'latin1'), start);
  const offset = start + full.length;
  if (dtype === 'uint8') out.set(data as Uint8Array, offset);
  else if (LITTLE_ENDIAN) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset);
  else for (let i = 0; i < count; i++) view.setFloat32(offset + 4 * i, data[i]!, true);
  return out;
}

/**
 * The bytes of a `.npy` file (format 1.0, or 2.0 when the header passes 65,535 bytes) holding
 * `data` of `shape` in C order, laid out as `numpy.save` writes it: descr `|u1` for a Uint8Array,
 * `<f4` for a Float32Array, `fortran_order` False, the header padded with spaces and a newline so
 * that the data starts at a multiple of 64 bytes. {@link parseNpy} reads it back, as does
 * `numpy.load`.
 *
 * @example
 * serializeNpy(new Uint8Array(20 * 3 * 64 * 64), [20, 3, 64, 64]); // a 3-sequence Moving MNIST
 * serializeNpy(Float32Array.of(1.5), []); // a scalar
 */
export function serializeNpy(data: Uint8Array | Float32Array, shape: readonly number[]): Uint8Array {
  return encode(data, shape, 'serializeNpy');
}

/**
 * Writes a `.npy` file atomically (a temporary file, then a rename): see {@link serializeNpy}.
 * Errors start with `writeNpy: '<path>': `.
 *
 * @example
 * writeNpy('out/sequences.npy', frames, [20, n, 64, 64]);
 */
export function writeNpy(path: string, data: Uint8Array | Float32Array, shape: readonly number[]): void {
  writeFileAtomic(path, encode(data, shape, `writeNpy: '${path}'`));
}
