import { readFileSync } from 'node:fs';
import { constants, gunzipSync, type ZlibOptions } from 'node:zlib';
import { Tensor } from '../tensor/Tensor.js';
import { writeFileAtomic } from './writeFileAtomic.js';

/** The contents of an IDX file. */
export interface IdxData {
  /** The magic number, e.g. 0x00000803 for MNIST images (ubyte, 3 dimensions). */
  magic: number;
  /** Sizes of the dimensions, outermost first. */
  dims: number[];
  /** The values, row-major: bytes as they are for type 0x08 (ubyte), float32 for every other type. */
  data: Uint8Array | Float32Array;
}

/** IDX type byte → [name, bytes per value]. */
const TYPES: Record<number, [string, number]> = {
  0x08: ['ubyte', 1],
  0x09: ['sbyte', 1],
  0x0b: ['short', 2],
  0x0c: ['int', 4],
  0x0d: ['float', 4],
  0x0e: ['double', 8],
};

/** Gzipped input inflated to read the header: the header is at most 1,024 bytes, so 16 KiB of
 * compressed data (gzip's file name and comment included) hold it, and inflate to at most 17 MB. */
const GZIP_HEADER_PREFIX = 16 * 1024;
/** Deflate's largest compression ratio (a stream of one repeated byte): about 1032 to 1. */
const MAX_DEFLATE_RATIO = 1032;

/**
 * The product of `dims`, or null when the product of the non-zero ones is past
 * `Number.MAX_SAFE_INTEGER` (so huge dimensions and a zero never make `Infinity · 0 = NaN`).
 */
function elementCount(dims: readonly number[]): number | null {
  let n = 1;
  for (const d of dims) {
    if (d === 0) continue;
    if (n > Number.MAX_SAFE_INTEGER / d) return null;
    n *= d;
  }
  return dims.includes(0) ? 0 : n;
}

const hex = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/**
 * Decodes an IDX file (the format of LeCun, Cortes & Burges' MNIST distribution,
 * http://yann.lecun.com/exdb/mnist/): a big-endian magic number 0x0000TTNN (TT the value type, NN the
 * number of dimensions), NN big-endian u32 sizes, then the values, big-endian, row-major. Gzipped
 * bytes (starting 1f 8b, as the files are distributed) are inflated first. Types: 0x08 ubyte (kept
 * as a Uint8Array), 0x09 sbyte, 0x0B short, 0x0C int, 0x0D float, 0x0E double (converted to float32;
 * ints beyond 2²⁴ and doubles round). Errors name `source` and what is wrong.
 *
 * Hostile files get a clear error in bounded time and memory: dimensions whose product (of the
 * non-zero ones) passes 2⁵³ are rejected, the data must be exactly what the dimensions need (no
 * trailing bytes), and a gzip stream is never inflated past the size its header declares (plus one
 * byte), so a small file cannot inflate into gigabytes.
 *
 * @example
 * const { dims, data } = parseIdx(readFileSync('t10k-labels-idx1-ubyte'));
 * dims; // [10000]
 */
export function parseIdx(input: Uint8Array, source = 'IDX data'): IdxData {
  const fail = (message: string): never => {
    throw new Error(`${source}: ${message}`);
  };
  const gzipped = input.length >= 2 && input[0] === 0x1f && input[1] === 0x8b;
  const inflate = (bytes: Uint8Array, options: ZlibOptions): Uint8Array => {
    try {
      return gunzipSync(bytes, options);
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw e;
      return fail(`looks gzipped (starts 1f 8b) but does not inflate: ${(e as Error).message}`);
    }
  };
  // A gzipped file is inflated twice: a bounded prefix for the header, then the whole stream, but
  // never past what the header needs (plus one byte to detect trailing data), so a gzip bomb
  // cannot inflate beyond the size the file declares.
  let bytes = gzipped ? inflate(input.subarray(0, GZIP_HEADER_PREFIX), { finishFlush: constants.Z_SYNC_FLUSH }) : input;
  if (bytes.length < 4) fail(`truncated: ${bytes.length} bytes, shorter than the 4-byte magic number`);
  let view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const typeByte = bytes[2]!;
  const ndim = bytes[3]!;
  const type = TYPES[typeByte];
  if (bytes[0] !== 0 || bytes[1] !== 0 || !type || ndim === 0) {
    fail(`bad magic number ${hex(magic)}: expected 0x0000TTNN with type TT in 08, 09, 0b, 0c, 0d, 0e and NN >= 1 dimensions (not an IDX file?)`);
  }
  const [typeName, width] = type!;
  const headerLength = 4 + 4 * ndim;
  if (bytes.length < headerLength) fail(`truncated: the header of ${ndim} dimensions needs ${headerLength} bytes, got ${bytes.length}`);
  const dims: number[] = [];
  for (let k = 0; k < ndim; k++) dims.push(view.getUint32(4 + 4 * k, false));
  const count = elementCount(dims);
  if (count === null || count * width > Number.MAX_SAFE_INTEGER - headerLength) return fail(`dims [${dims.join(', ')}] of ${typeName} overflow: their product is past 2^53 values`);
  const expected = count * width;
  if (gzipped) {
    if (headerLength + expected > MAX_DEFLATE_RATIO * input.length + 1024) fail(`truncated: dims [${dims.join(', ')}] of ${typeName} need ${expected} bytes of data, more than ${input.length} gzipped bytes can hold`);
    try {
      bytes = inflate(input, { maxOutputLength: headerLength + expected + 1 });
    } catch (e) {
      if ((e as { code?: string }).code !== 'ERR_BUFFER_TOO_LARGE') throw e;
      fail(`inflates past the ${headerLength + expected} bytes that its header (dims [${dims.join(', ')}] of ${typeName}) declares: trailing data, or a gzip bomb`);
    }
    view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  const actual = bytes.length - headerLength;
  if (actual < expected) fail(`truncated: dims [${dims.join(', ')}] of ${typeName} need ${expected} bytes of data, got ${actual}`);
  if (actual > expected) fail(`${actual - expected} unexpected bytes after the ${expected} bytes of data that dims [${dims.join(', ')}] of ${typeName} need`);
  if (typeByte === 0x08) return { magic, dims, data: new Uint8Array(bytes.subarray(headerLength, headerLength + expected)) };
  const data = new Float32Array(count);
  for (let i = 0, at = headerLength; i < count; i++, at += width) {
    switch (typeByte) {
      case 0x09: data[i] = view.getInt8(at); break;
      case 0x0b: data[i] = view.getInt16(at, false); break;
      case 0x0c: data[i] = view.getInt32(at, false); break;
      case 0x0d: data[i] = view.getFloat32(at, false); break;
      default: data[i] = view.getFloat64(at, false);
    }
  }
  return { magic, dims, data };
}

/**
 * Reads an IDX file (plain or gzipped) from disk; see {@link parseIdx}.
 *
 * @example
 * const { dims, data } = readIdx('data/train-images-idx3-ubyte.gz');
 * dims; // [60000, 28, 28]
 */
export function readIdx(path: string): IdxData {
  return parseIdx(readFileSync(path), `'${path}'`);
}

/**
 * Reads an MNIST pair in the IDX format: images (magic 0x00000803, ubyte [n, rows, cols]) and
 * labels (magic 0x00000801, ubyte [n]), plain or gzipped. Returns images as a float32 Tensor
 * [n, rows·cols] scaled to [0, 1] (pixel / 255) and labels as a Tensor [n] of class indices.
 * LeCun, Bottou, Bengio & Haffner, "Gradient-based learning applied to document recognition" (1998).
 *
 * @example
 * const { images, labels } = readMnistIdx('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz');
 * images.shape; // [10000, 784]
 */
export function readMnistIdx(imagesPath: string, labelsPath: string): { images: Tensor; labels: Tensor } {
  const img = readIdx(imagesPath);
  if (img.magic !== 0x00000803) throw new Error(`'${imagesPath}': expected MNIST images with magic 0x00000803 (ubyte, 3 dimensions), got ${hex(img.magic)}`);
  const lab = readIdx(labelsPath);
  if (lab.magic !== 0x00000801) throw new Error(`'${labelsPath}': expected MNIST labels with magic 0x00000801 (ubyte, 1 dimension), got ${hex(lab.magic)}`);
  const [n, rows, cols] = img.dims as [number, number, number];
  if (lab.dims[0] !== n) throw new Error(`readMnistIdx: '${imagesPath}' holds ${n} images but '${labelsPath}' holds ${lab.dims[0]} labels`);
  const pixels = new Float32Array(img.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = img.data[i]! / 255;
  return { images: new Tensor(pixels, [n, rows * cols]), labels: Tensor.from(lab.data, [n]) };
}

/**
 * The bytes of an IDX file of unsigned bytes (type 0x08), the format of the MNIST files
 * (LeCun & Cortes): magic `0x0000 08 <ndim>`, each dimension as a big-endian uint32, then the
 * values row-major. {@link parseIdx} reads it back.
 *
 * @example
 * serializeIdx([2, 28, 28], pixels); // what `t10k-images-idx3-ubyte` holds for two digits
 * serializeIdx([2], Uint8Array.from([3, 7])); // a labels file
 */
export function serializeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  if (!Array.isArray(dims) || dims.length < 1 || dims.length > 255) throw new RangeError(`serializeIdx: dims must list 1 to 255 dimensions, got ${JSON.stringify(dims)}`);
  dims.forEach((d, i) => {
    if (!Number.isInteger(d) || d < 0 || d > 0xffffffff) throw new RangeError(`serializeIdx: dims[${i}] must be an integer in [0, 2^32), got ${d}`);
  });
  if (!(data instanceof Uint8Array)) throw new TypeError('serializeIdx: data must be a Uint8Array of the byte values');
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new RangeError(`serializeIdx: data has ${data.length} values, dims [${dims.join(', ')}] need ${count}`);
  const out = new Uint8Array(4 + 4 * dims.length + count);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x0800 | dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/**
 * Writes an IDX file of unsigned bytes atomically (a temporary file, then a rename): see
 * {@link serializeIdx}.
 *
 * @example
 * writeIdx('out/samples-images-idx3-ubyte', [n, 28, 28], bytes);
 * writeIdx('out/samples-labels-idx1-ubyte', [n], labels);
 */
export function writeIdx(path: string, dims: readonly number[], data: Uint8Array): void {
  writeFileAtomic(path, serializeIdx(dims, data));
}
