import { readFileSync, statSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { writeFileAtomic } from '@eole/core';

/** An 8-bit grayscale image: `height` rows of `width` bytes, row-major, 0 = black. */
export interface GrayImage {
  width: number;
  height: number;
  /** `width · height` values, row-major. */
  data: Uint8Array;
}

/** The largest side a PNG read here may have: 16384 pixels (a 256 MiB gray image). */
export const MAX_PNG_SIDE = 16384;
/** The largest PNG file read here: 512 MiB. */
const MAX_PNG_FILE_BYTES = 512 * 2 ** 20;
const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Deflate's largest ratio: a 258-byte match in 2 bits. Compressed data that claims more is corrupt. */
const MAX_DEFLATE_RATIO = 1032;
const COLOUR_TYPES: Record<number, string> = { 0: 'grayscale', 2: 'RGB', 3: 'palette', 4: 'grayscale with alpha', 6: 'RGBA' };
/** Adam7 passes: x start, y start, x step, y step. */
const ADAM7: readonly (readonly [number, number, number, number])[] = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];

/**
 * Decodes an 8-bit grayscale PNG (colour type 0, bit depth 8; interlaced or not) — the format of
 * label masks and gray images written by PIL (`Image.fromarray(uint8).save`), OpenCV and
 * {@link writeGrayPng}. Nothing else is converted: a label mask must come back exactly, so RGB,
 * palette, alpha and 16-bit files are refused with the colour type and bit depth found.
 *
 * Hostile files get a clear error in bounded time and memory: the chunk layout, every chunk's CRC,
 * the IHDR fields and the sides (at most {@link MAX_PNG_SIDE}) are checked before any pixel is
 * allocated, an image larger than its compressed data could hold (deflate packs at most 1032:1)
 * is refused as truncated before inflating, and image data that inflates to more or fewer bytes
 * than the header declares (or fails zlib's checksum) is refused. Bytes after IEND are ignored. Errors start
 * with `parseGrayPng: <name>: `.
 *
 * @example
 * const { width, height, data } = parseGrayPng(readFileSync('masks/000000.png'), '000000.png');
 * width * height === data.length; // true
 * data[0]; // the label of the top-left pixel
 */
export function parseGrayPng(bytes: Uint8Array, name = 'png'): GrayImage {
  return decode(bytes, `parseGrayPng: ${name}`);
}

/**
 * Reads an 8-bit grayscale PNG from disk; see {@link parseGrayPng}. Errors start with
 * `readGrayPng: '<path>': `.
 *
 * @example
 * const mask = readGrayPng('scenes/masks/000000.png');
 * mask.width; // 128
 * mask.data.length; // 16384
 */
export function readGrayPng(path: string): GrayImage {
  const prefix = `readGrayPng: '${path}'`;
  let bytes: Uint8Array;
  try {
    const size = statSync(path).size;
    if (size > MAX_PNG_FILE_BYTES) throw new Error(`${prefix}: the file holds ${size} bytes, more than the ${MAX_PNG_FILE_BYTES} read here`);
    bytes = readFileSync(path);
  } catch (e) {
    if ((e as Error).message.startsWith(prefix)) throw e;
    throw new Error(`${prefix}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
  return decode(bytes, prefix);
}

/**
 * The bytes of an 8-bit grayscale PNG (colour type 0, not interlaced) holding `image`, which
 * {@link parseGrayPng}, PIL and OpenCV read back exactly.
 *
 * @example
 * const bytes = encodeGrayPng({ width: 2, height: 1, data: Uint8Array.of(0, 255) });
 * parseGrayPng(bytes).data; // Uint8Array [0, 255]
 * bytes.subarray(1, 4); // 'PNG'
 */
export function encodeGrayPng(image: GrayImage): Uint8Array {
  return encode(image, 'encodeGrayPng');
}

/**
 * Writes `image` as an 8-bit grayscale PNG (see {@link encodeGrayPng}) atomically: a temporary
 * file in the same folder, then a rename, so a reader never sees half a file. Errors start with
 * `writeGrayPng: '<path>': `.
 *
 * @example
 * const mask = { width: 128, height: 128, data: new Uint8Array(128 * 128) };
 * writeGrayPng('out/masks/000000.png', mask);
 * readGrayPng('out/masks/000000.png').data; // the same bytes
 */
export function writeGrayPng(path: string, image: GrayImage): void {
  writeFileAtomic(path, encode(image, `writeGrayPng: '${path}'`));
}

function encode(image: GrayImage, prefix: string): Uint8Array {
  const fail = (message: string): never => {
    throw new RangeError(`${prefix}: ${message}`);
  };
  if (image === null || typeof image !== 'object') fail(`expected an image { width, height, data }, got ${String(image)}`);
  const { width, height, data } = image;
  if (!Number.isInteger(width) || width < 1 || width > MAX_PNG_SIDE) fail(`width must be an integer in [1, ${MAX_PNG_SIDE}], got ${String(width)}`);
  if (!Number.isInteger(height) || height < 1 || height > MAX_PNG_SIDE) fail(`height must be an integer in [1, ${MAX_PNG_SIDE}], got ${String(height)}`);
  if (!(data instanceof Uint8Array)) fail(`data must be a Uint8Array, got ${Object.prototype.toString.call(data)}`);
  if (data.length !== width * height) fail(`data holds ${data.length} values, a ${width}x${height} image needs ${width * height}`);
  const png = new PNG({ width: 1, height: 1 });
  png.width = width;
  png.height = height;
  png.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const bytes = PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

interface Header {
  width: number;
  height: number;
  interlaced: boolean;
  /** Bytes up to the end of IEND (what pngjs gets). */
  end: number;
  /** The concatenated IDAT payloads' length. */
  idatBytes: number;
  idatChunks: Uint8Array[];
}

function decode(bytes: Uint8Array, prefix: string): GrayImage {
  const fail = (message: string, cause?: unknown): never => {
    throw new Error(`${prefix}: ${message}`, cause === undefined ? undefined : { cause });
  };
  if (!(bytes instanceof Uint8Array)) fail(`expected the bytes of a PNG file as a Uint8Array, got ${Object.prototype.toString.call(bytes)}`);
  const header = scan(bytes, fail);
  const { width, height } = header;
  const raw = rawSize(width, height, header.interlaced);
  if (raw > MAX_DEFLATE_RATIO * header.idatBytes + 1024) fail(`truncated or corrupt: its IDAT chunks hold ${header.idatBytes} compressed bytes, too few for a ${width}x${height} image (${raw} bytes once inflated; deflate packs at most ${MAX_DEFLATE_RATIO}:1)`);
  // pngjs inflates interlaced data without a size bound, and fills short data with zeros: the
  // size is checked here first (with zlib's checksum), bounded by the size the header declares.
  let inflated = 0;
  try {
    inflated = inflateSync(concat(header.idatChunks), { maxOutputLength: raw }).length;
  } catch (e) {
    fail(`corrupt image data: ${(e as Error).message}`, e);
  }
  if (inflated !== raw) fail(`truncated or corrupt: the image data inflates to ${inflated} bytes, a ${width}x${height}${header.interlaced ? ' interlaced' : ''} image needs ${raw}`);
  let rgba: Buffer;
  try {
    const input = Buffer.from(bytes.buffer, bytes.byteOffset, header.end);
    rgba = PNG.sync.read(input, { checkCRC: true }).data;
  } catch (e) {
    return fail(`corrupt PNG: ${(e as Error).message}`, e);
  }
  if (rgba.length !== 4 * width * height) fail(`corrupt PNG: decoded ${rgba.length / 4} pixels, a ${width}x${height} image has ${width * height}`);
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = rgba[4 * i]!;
  return { width, height, data };
}

/** Walks the chunks: signature, CRCs, IHDR first and valid for 8-bit gray, IDATs, IEND. */
function scan(bytes: Uint8Array, fail: (message: string) => never): Header {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) fail(`not a PNG file: expected the signature 89 50 4e 47 0d 0a 1a 0a, got ${hex(bytes.subarray(0, 8))}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  let ihdr: Omit<Header, 'end' | 'idatBytes' | 'idatChunks'> | null = null;
  const idatChunks: Uint8Array[] = [];
  let idatBytes = 0;
  for (let index = 0; ; index++) {
    if (at + 12 > bytes.length) fail(`truncated: ${at === bytes.length ? 'the file ends' : `only ${bytes.length - at} bytes are left`} at offset ${at}, before the IEND chunk`);
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (!/^[A-Za-z]{4}$/.test(type)) fail(`corrupt: chunk ${index} at offset ${at} has the type bytes ${hex(bytes.subarray(at + 4, at + 8))}, not four letters`);
    if (length > bytes.length - at - 12) fail(`truncated: chunk '${type}' at offset ${at} declares ${length} data bytes, only ${bytes.length - at - 12} are left`);
    const stored = view.getUint32(at + 8 + length);
    const computed = crc32(bytes, at + 4, at + 8 + length);
    if (stored !== computed) fail(`corrupt: chunk '${type}' at offset ${at} has the CRC ${stored.toString(16).padStart(8, '0')}, its bytes give ${computed.toString(16).padStart(8, '0')}`);
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (index === 0 && type !== 'IHDR') fail(`corrupt: the first chunk must be IHDR, got '${type}'`);
    if (index > 0 && type === 'IHDR') fail(`corrupt: a second IHDR chunk at offset ${at}`);
    if (type === 'IHDR') ihdr = readIhdr(body, fail);
    else if (type === 'IDAT') {
      idatChunks.push(body);
      idatBytes += length;
    } else if (type === 'IEND') {
      if (idatChunks.length === 0) fail('corrupt: no IDAT chunk before IEND');
      return { ...ihdr!, end: at + 12 + length, idatBytes, idatChunks };
    } else if (type === 'PLTE' || (type.charCodeAt(0) & 0x20) === 0) fail(`chunk '${type}' at offset ${at} is critical and not part of an 8-bit grayscale PNG`);
    at += 12 + length;
  }
}

function readIhdr(body: Uint8Array, fail: (message: string) => never): Omit<Header, 'end' | 'idatBytes' | 'idatChunks'> {
  if (body.length !== 13) fail(`corrupt: IHDR holds ${body.length} bytes, expected 13`);
  const view = new DataView(body.buffer, body.byteOffset, 13);
  const width = view.getUint32(0);
  const height = view.getUint32(4);
  const [depth, colour, compression, filter, interlace] = [body[8]!, body[9]!, body[10]!, body[11]!, body[12]!];
  if (colour !== 0 || depth !== 8) fail(`expected an 8-bit grayscale PNG (colour type 0, bit depth 8), found colour type ${colour} (${COLOUR_TYPES[colour] ?? 'invalid'}), bit depth ${depth}`);
  if (width < 1 || width > MAX_PNG_SIDE || height < 1 || height > MAX_PNG_SIDE) fail(`IHDR declares a ${width}x${height} image; each side must be in [1, ${MAX_PNG_SIDE}]`);
  if (compression !== 0) fail(`IHDR declares compression method ${compression}, expected 0 (deflate)`);
  if (filter !== 0) fail(`IHDR declares filter method ${filter}, expected 0`);
  if (interlace > 1) fail(`IHDR declares interlace method ${interlace}, expected 0 (none) or 1 (Adam7)`);
  return { width, height, interlaced: interlace === 1 };
}

/** Bytes of the filtered scanlines (one filter byte per row) once inflated. */
function rawSize(width: number, height: number, interlaced: boolean): number {
  if (!interlaced) return height * (width + 1);
  let total = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    const w = Math.ceil((width - x0) / dx);
    const h = Math.ceil((height - y0) / dy);
    if (w > 0 && h > 0) total += h * (w + 1);
  }
  return total;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

let crcTable: Uint32Array | null = null;

/** CRC-32 (ISO 3309, as PNG uses it) of `bytes[start, end)`. */
function crc32(bytes: Uint8Array, start: number, end: number): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const hex = (b: Uint8Array): string => (b.length === 0 ? 'no bytes' : Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' '));
