import { Tensor } from '../tensor/Tensor.js';
import { previewValue } from '../tensor/describeValue.js';

/** Tensors and string metadata read from a safetensors file. */
export interface Safetensors {
  /** The tensors by name, in the file's order of offsets. */
  tensors: Map<string, Tensor>;
  /** The `__metadata__` map (empty when the file has none). */
  metadata: Record<string, string>;
}

/** Bytes per element of the dtypes {@link parseSafetensors} converts to float32. */
const DTYPE_BYTES = { F32: 4, F64: 8, F16: 2, BF16: 2 } as const;
type Dtype = keyof typeof DTYPE_BYTES;
const KNOWN_DTYPES = ['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64'];
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const METADATA_KEY = '__metadata__';
/** The largest header the reference implementation accepts (100 MB). */
const MAX_HEADER_LENGTH = 100_000_000;
/** A name from the file as it appears in an error message (quoted, cut at 100 characters). */
const quote = (name: string): string => `'${name.length <= 100 ? name : `${name.slice(0, 100)}…`}'`;

/**
 * Encodes named float32 tensors in the safetensors format (https://github.com/huggingface/safetensors),
 * which PyTorch (`safetensors.torch.load_file`) and other tools read:
 *
 *   [8 bytes: N, little-endian u64] [N bytes: JSON header] [tensor bytes]
 *   header = {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}
 *
 * Entries are sorted by name and laid out back to back, and the header is padded with spaces so the
 * data starts on an 8-byte boundary; the same tensors always give the same bytes.
 *
 * @example
 * const bytes = serializeSafetensors(net.stateDict(), { epoch: '3' });
 * const { tensors, metadata } = parseSafetensors(bytes);
 */
export function serializeSafetensors(dict: ReadonlyMap<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  if (!(dict instanceof Map)) throw new TypeError('serializeSafetensors: dict must be a Map<string, Tensor>');
  const names = [...dict.keys()].sort();
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header[METADATA_KEY] = checkMetadata('serializeSafetensors', metadata);
  let offset = 0;
  for (const name of names) {
    const t = dict.get(name);
    if (typeof name !== 'string' || name === '' || name === METADATA_KEY) throw new Error(`serializeSafetensors: invalid tensor name ${JSON.stringify(name)}`);
    if (!(t instanceof Tensor)) throw new TypeError(`serializeSafetensors: '${name}' must be a Tensor`);
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + t.size * 4] };
    offset += t.size * 4;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const name of names) {
    const data = dict.get(name)!.data;
    writeF32(out, at, data);
    at += data.length * 4;
  }
  return out;
}

/**
 * Decodes a safetensors file into float32 tensors, checking every part of it first and never
 * evaluating anything from it (the header is read with `JSON.parse`): the header length against the
 * file size, the JSON, each entry's dtype, shape and offsets (in bounds, of the size the shape
 * needs, neither overlapping nor leaving gaps), and the metadata. F32 loads exactly; F16 and BF16
 * widen exactly; F64 rounds to float32. Other dtypes are rejected. Errors say what is wrong.
 *
 * A hostile file gets a clear error in bounded time and memory: the header length is at most the
 * file's and the format's 100 MB limit, every shape entry must be a non-negative safe integer and
 * the byte size is computed so that it cannot overflow (huge dimensions beside a zero are an
 * error, never `NaN`), and values quoted in a message are cut to a bounded depth and length (a
 * shape nested 100,000 levels deep reads `[[[[[…]]]]]`).
 *
 * @example
 * const { tensors } = parseSafetensors(readFileSync('model.safetensors'));
 * tensors.get('0.weight')!.shape; // [1000, 784]
 */
export function parseSafetensors(bytes: Uint8Array): Safetensors {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('parseSafetensors: expected a Uint8Array');
  if (bytes.length < 8) fail(`file is truncated: ${bytes.length} bytes, shorter than the 8-byte header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) fail(`header length ${n} exceeds the ${bytes.length - 8} bytes that follow it (truncated or not a safetensors file)`);
  if (n > BigInt(MAX_HEADER_LENGTH)) fail(`header length ${n} exceeds the format's limit of ${MAX_HEADER_LENGTH} bytes`);
  const headerLength = Number(n);
  const dataStart = 8 + headerLength;
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header must be a JSON object');
  const entries = Object.entries(header as Record<string, unknown>);
  const metadata = parseMetadata(entries.find(([k]) => k === METADATA_KEY)?.[1]);
  const dataLength = bytes.length - dataStart;
  const specs = entries.filter(([k]) => k !== METADATA_KEY).map(([name, spec]) => parseEntry(name, spec, dataLength));
  specs.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let end = 0;
  for (const s of specs) {
    if (s.begin < end) fail(`tensor ${quote(s.name)} data_offsets [${s.begin}, ${s.end}] overlap the previous tensor, which ends at ${end}`);
    if (s.begin > end) fail(`tensor ${quote(s.name)} starts at ${s.begin}, leaving a gap after byte ${end} (data must be contiguous)`);
    end = s.end;
  }
  if (end !== dataLength) fail(`the tensors cover ${end} bytes of data but the file holds ${dataLength} after the header`);
  const tensors = new Map<string, Tensor>();
  for (const s of specs) tensors.set(s.name, new Tensor(decode(bytes.subarray(dataStart + s.begin, dataStart + s.end), s.dtype), s.shape));
  return { tensors, metadata };
}

function fail(message: string): never {
  throw new Error(`safetensors: ${message}`);
}

interface EntrySpec {
  name: string;
  dtype: Dtype;
  shape: number[];
  begin: number;
  end: number;
}

function parseEntry(name: string, spec: unknown, dataLength: number): EntrySpec {
  const tensor = `tensor ${quote(name)}`;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) fail(`${tensor}: entry must be an object with dtype, shape and data_offsets, got ${previewValue(spec)}`);
  const { dtype, shape, data_offsets: offsets } = spec as Record<string, unknown>;
  if (typeof dtype !== 'string') fail(`${tensor}: missing or invalid field 'dtype' (expected a string, got ${previewValue(dtype)})`);
  if (!(dtype in DTYPE_BYTES)) {
    const what = KNOWN_DTYPES.includes(dtype) ? `dtype '${dtype}' is not supported` : `unknown dtype ${quote(dtype)}`;
    fail(`${tensor}: ${what} (Eole loads F32, F16, BF16 and F64 as float32)`);
  }
  if (!Array.isArray(shape)) fail(`${tensor}: missing or invalid field 'shape' (expected an array of non-negative integers, got ${previewValue(shape)})`);
  const bad = (shape as unknown[]).findIndex((d) => !(Number.isSafeInteger(d) && (d as number) >= 0));
  if (bad >= 0) fail(`${tensor}: missing or invalid field 'shape' (shape[${bad}] is ${previewValue((shape as unknown[])[bad])}, not a non-negative integer, in ${previewValue(shape)})`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    fail(`${tensor}: missing or invalid field 'data_offsets' (expected [begin, end] of non-negative integers, got ${previewValue(offsets)})`);
  }
  const dims = shape as number[];
  const [begin, end] = offsets as [number, number];
  if (begin > end) fail(`${tensor}: data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLength) fail(`${tensor}: data_offsets [${begin}, ${end}] run past the end of the data (${dataLength} bytes; truncated file?)`);
  const width = DTYPE_BYTES[dtype as Dtype];
  const size = byteSize(dims, width);
  if (size === null) fail(`${tensor}: shape ${previewValue(dims)} of ${dtype} needs more than 2^53 bytes (its dimensions overflow)`);
  if (end - begin !== size) fail(`${tensor}: shape ${previewValue(dims)} of ${dtype} needs ${size} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`);
  return { name, dtype: dtype as Dtype, shape: dims, begin, end };
}

/**
 * Bytes of a tensor of `shape` with `width`-byte elements, or null when the product of its
 * non-zero dimensions (or the byte count) is past `Number.MAX_SAFE_INTEGER`, so that a shape of
 * huge dimensions and a zero never multiplies into `Infinity · 0 = NaN`.
 */
function byteSize(shape: readonly number[], width: number): number | null {
  let product = width;
  for (const d of shape) {
    if (d === 0) continue;
    if (product > Number.MAX_SAFE_INTEGER / d) return null;
    product *= d;
  }
  return shape.includes(0) ? 0 : product;
}

function parseMetadata(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`'${METADATA_KEY}' must be an object of strings, got ${previewValue(value)}`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string') fail(`'${METADATA_KEY}'.${k.length <= 100 ? k : `${k.slice(0, 100)}…`} must be a string, got ${typeof v}`);
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function checkMetadata(where: string, metadata: Record<string, string>): Record<string, string> {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw new TypeError(`${where}: metadata must be an object of strings`);
  for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw new TypeError(`${where}: metadata '${k}' must be a string, got ${typeof v}`);
  return metadata;
}

function writeF32(out: Uint8Array, at: number, data: Float32Array): void {
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset);
  for (let i = 0; i < data.length; i++) view.setFloat32(at + 4 * i, data[i]!, true);
}

/** Little-endian bytes of `dtype` to float32 (copied, so the result is aligned and owns its buffer). */
function decode(bytes: Uint8Array, dtype: Dtype): Float32Array {
  const count = bytes.length / DTYPE_BYTES[dtype];
  if (dtype === 'F32' && LITTLE_ENDIAN) return new Float32Array(new Uint8Array(bytes).buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    if (dtype === 'F32') out[i] = view.getFloat32(4 * i, true);
    else if (dtype === 'F64') out[i] = view.getFloat64(8 * i, true);
    else if (dtype === 'BF16') out[i] = bf16(view.getUint16(2 * i, true));
    else out[i] = f16(view.getUint16(2 * i, true));
  }
  return out;
}

const widen = new DataView(new ArrayBuffer(4));

function bf16(bits: number): number {
  widen.setUint32(0, bits << 16);
  return widen.getFloat32(0);
}

function f16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
