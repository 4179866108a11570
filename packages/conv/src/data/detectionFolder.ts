import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readCocoAnnotations, validateCoco, writeCocoAnnotations, type CocoAnnotations, type CocoCategory } from './cocoAnnotations.js';
import type { CocoBox } from './cocoJson.js';
import { DIGIT_CATEGORIES } from './digitsInClutter.js';
import { readGrayPng, writeGrayPng, type GrayImage } from './grayPng.js';

/** An object in an image: its COCO box [x, y, w, h] and its category id. */
export interface DetectionBox {
  bbox: CocoBox;
  categoryId: number;
}

/** A gray image with its boxes and, for scene parsing, a label mask of the same size. */
export interface DetectionSample {
  width: number;
  height: number;
  /** `width · height` gray values, row-major. */
  image: Uint8Array;
  /** `width · height` labels (0 = background), row-major; absent for a detection-only set. */
  mask?: Uint8Array;
  boxes: DetectionBox[];
}

/** A sample read back by {@link readDetectionFolder}: with its image id and file name. */
export interface DetectionFolderSample extends DetectionSample {
  id: number;
  fileName: string;
}

/** What {@link readDetectionFolder} returns: the samples, in the order of `annotations.images`, and the annotation file. */
export interface DetectionFolder {
  samples: DetectionFolderSample[];
  annotations: CocoAnnotations;
}

/** Options of {@link writeDetectionFolder}. */
export interface WriteDetectionFolderOptions {
  /** The categories of `annotations.json` (default {@link DIGIT_CATEGORIES}: ids 1–10, names "0"–"9"). */
  categories?: readonly CocoCategory[];
}

/**
 * Writes a detection / scene-parsing set as a folder that COCO tools and {@link readDetectionFolder}
 * read: `images/000000.png …` (8-bit gray PNG), `masks/000000.png …` (the label masks, for the
 * samples that have one) and `annotations.json` (COCO: image ids 0, 1, … in sample order,
 * annotation ids from 1 as pycocotools expects, area = w·h, iscrowd 0). Every file is written
 * atomically, `annotations.json` last, so a folder with an annotation file is complete; everything
 * is checked before the first file is written. Files of an earlier, larger set in `dir` are left
 * in place (`annotations.json` says which images belong). Returns the annotations written. Errors start with
 * `writeDetectionFolder: '<dir>': `.
 *
 * @example
 * const coco = writeDetectionFolder('data/clutter-val', digitsInClutter({ count: 500, seed: 2 }));
 * coco.images.length; // 500
 * readDetectionFolder('data/clutter-val').samples[0].mask; // the first label mask
 */
export function writeDetectionFolder(dir: string, samples: Iterable<DetectionSample>, options: WriteDetectionFolderOptions = {}): CocoAnnotations {
  const prefix = `writeDetectionFolder: '${dir}'`;
  const fail = (message: string): never => {
    throw new Error(`${prefix}: ${message}`);
  };
  const list = [...samples];
  const digits = String(Math.max(1, list.length - 1)).length;
  const names = list.map((_, i) => `${String(i).padStart(Math.max(6, digits), '0')}.png`);
  const origin: string[] = [];
  const coco: CocoAnnotations = { images: [], annotations: [], categories: (options.categories ?? DIGIT_CATEGORIES).map((c) => ({ ...c })) };
  list.forEach((s, i) => {
    const at = `samples[${i}]`;
    if (s === null || typeof s !== 'object') fail(`${at} must be a sample { width, height, image, mask?, boxes }, got ${String(s)}`);
    const n = s.width * s.height;
    if (!(s.image instanceof Uint8Array) || s.image.length !== n) fail(`${at}.image must be a Uint8Array of ${s.width}x${s.height} = ${n} values, got ${describe(s.image)}`);
    if (s.mask !== undefined && (!(s.mask instanceof Uint8Array) || s.mask.length !== n)) fail(`${at}.mask must be a Uint8Array of ${s.width}x${s.height} = ${n} values, got ${describe(s.mask)}`);
    if (!Array.isArray(s.boxes)) fail(`${at}.boxes must be an array of { bbox, categoryId }, got ${String(s.boxes)}`);
    coco.images.push({ id: i, file_name: names[i]!, width: s.width, height: s.height });
    s.boxes.forEach((box, j) => {
      origin.push(`${at}.boxes[${j}]`);
      if (box === null || typeof box !== 'object') fail(`${at}.boxes[${j}] must be a box { bbox, categoryId }, got ${String(box)}`);
      const bbox = box.bbox;
      const area = Array.isArray(bbox) ? bbox[2] * bbox[3] : NaN;
      coco.annotations.push({ id: coco.annotations.length + 1, image_id: i, category_id: box.categoryId, bbox: Array.isArray(bbox) ? [...bbox] : bbox, area, iscrowd: 0 });
    });
  });
  const checked = validateCoco(coco, (m) => fail(inSampleTerms(m, origin)));
  mkdirSync(join(dir, 'images'), { recursive: true });
  if (list.some((s) => s.mask !== undefined)) mkdirSync(join(dir, 'masks'), { recursive: true });
  list.forEach((s, i) => {
    writeGrayPng(join(dir, 'images', names[i]!), { width: s.width, height: s.height, data: s.image });
    if (s.mask !== undefined) writeGrayPng(join(dir, 'masks', names[i]!), { width: s.width, height: s.height, data: s.mask });
  });
  writeCocoAnnotations(join(dir, 'annotations.json'), checked);
  return checked;
}

/**
 * Reads a folder laid out as {@link writeDetectionFolder} writes it — `annotations.json` (COCO,
 * checked as {@link readCocoAnnotations} does), `images/<file_name>` (8-bit gray PNG, see
 * {@link readGrayPng}) and, optionally per image, `masks/<file_name with a .png extension>` —
 * and checks that every image exists and has the size the annotations declare, and every mask
 * present the same size. Samples come in the order of `annotations.images`, each with its boxes in
 * file order. Errors start with `readDetectionFolder: '<dir>': ` and name the image.
 *
 * @example
 * const { samples, annotations } = readDetectionFolder('data/clutter-train');
 * samples[0].boxes; // [{ bbox: [x, y, w, h], categoryId }, ...]
 * annotations.categories.length; // 10
 */
export function readDetectionFolder(dir: string): DetectionFolder {
  const prefix = `readDetectionFolder: '${dir}'`;
  let annotations: CocoAnnotations;
  try {
    annotations = readCocoAnnotations(join(dir, 'annotations.json'));
  } catch (e) {
    throw new Error(`${prefix}: ${(e as Error).message}`, { cause: e });
  }
  const boxes = new Map<number, DetectionBox[]>(annotations.images.map((im) => [im.id, []]));
  for (const a of annotations.annotations) boxes.get(a.image_id)!.push({ bbox: a.bbox, categoryId: a.category_id });
  const samples = annotations.images.map((im, i): DetectionFolderSample => {
    const at = `images[${i}] ('${im.file_name}')`;
    const read = (path: string, what: string): GrayImage => {
      let png: GrayImage;
      try {
        png = readGrayPng(path);
      } catch (e) {
        throw new Error(`${prefix}: ${at}: ${(e as Error).message}`, { cause: e });
      }
      if (png.width !== im.width || png.height !== im.height) throw new Error(`${prefix}: ${at}: the ${what} '${path}' is ${png.width}x${png.height}, annotations.json declares ${im.width}x${im.height}`);
      return png;
    };
    const image = read(join(dir, 'images', im.file_name), 'image');
    const maskPath = join(dir, 'masks', im.file_name.replace(/\.[^./\\]*$/, '') + '.png');
    const sample: DetectionFolderSample = { id: im.id, fileName: im.file_name, width: im.width, height: im.height, image: image.data, boxes: boxes.get(im.id)! };
    if (existsSync(maskPath)) sample.mask = read(maskPath, 'mask').data;
    return sample;
  });
  return { samples, annotations };
}

/** A COCO check's message about the annotations built from the samples, in terms of the samples. */
function inSampleTerms(message: string, origin: readonly string[]): string {
  return message
    .replace(/^annotations\[(\d+)\]/, (_, k: string) => origin[Number(k)] ?? `annotations[${k}]`)
    .replace(/^images\[(\d+)\]/, 'samples[$1]')
    .replace('.category_id', '.categoryId');
}

function describe(v: unknown): string {
  if (v instanceof Uint8Array) return `a Uint8Array of ${v.length}`;
  return v === null || v === undefined ? String(v) : Object.prototype.toString.call(v);
}
