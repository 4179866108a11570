import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { DigitSet } from '../lib/mnist.js';

/** Writes a set as an MNIST IDX pair (ubyte images, ubyte labels) in `dir`, gzipped or not. */
export function writeIdx(dir: string, set: DigitSet, gzip = false): void {
  const images = Buffer.alloc(16 + set.count * 784);
  images.writeUInt32BE(0x803, 0);
  images.writeUInt32BE(set.count, 4);
  images.writeUInt32BE(28, 8);
  images.writeUInt32BE(28, 12);
  for (let i = 0; i < set.count * 784; i++) images[16 + i] = Math.round(set.images[i]! * 255);
  const labels = Buffer.alloc(8 + set.count);
  labels.writeUInt32BE(0x801, 0);
  labels.writeUInt32BE(set.count, 4);
  for (let i = 0; i < set.count; i++) labels[8 + i] = set.labels[i]!;
  const suffix = gzip ? '.gz' : '';
  writeFileSync(join(dir, `t10k-images-idx3-ubyte${suffix}`), gzip ? gzipSync(images) : images);
  writeFileSync(join(dir, `t10k-labels-idx1-ubyte${suffix}`), gzip ? gzipSync(labels) : labels);
}
