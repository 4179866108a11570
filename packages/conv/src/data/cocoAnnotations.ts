import { writeFileAtomic } from '@eole/core';
import { array, cocoBox, failWith, finite, integer, object, parseJson, readJsonText, show, type CocoBox, type Fail } from './cocoJson.js';

/** An image of a COCO annotation file; `file_name` is relative to the images folder. */
export interface CocoImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
}

/** One object of a COCO annotation file: its box in its image, and its category. */
export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  bbox: CocoBox;
  /** The object's area in pixels (COCO's mask area; w·h for a box-only dataset). */
  area: number;
  /** 1 for a crowd region (ignored by COCO's evaluation), else 0. */
  iscrowd: 0 | 1;
}

/** A category of a COCO annotation file. */
export interface CocoCategory {
  id: number;
  name: string;
}

/** The detection subset of a COCO annotation file (`instances_*.json`). */
export interface CocoAnnotations {
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: CocoCategory[];
}

/** How far a box may stick out of its image, in pixels (rounding in tools that write COCO). */
const BOX_TOLERANCE = 1;

/**
 * Parses the detection subset of a COCO annotation file (Lin et al. 2014, "Microsoft COCO: Common
 * Objects in Context"; the format of cocodataset.org and pycocotools):
 *
 *   { images: [{ id, file_name, width, height }],
 *     annotations: [{ id, image_id, category_id, bbox: [x, y, w, h], area, iscrowd }],
 *     categories: [{ id, name }] }
 *
 * Other fields (info, licenses, segmentation, ...) are ignored and left out of the result; a
 * missing `area` is w·h and a missing `iscrowd` 0. Everything else is checked, with an error that
 * names the place in the document (`annotations[3].bbox[2] must be a finite number >= 0, got -1`):
 * ids are unique integers >= 0; every annotation's image_id and category_id exist; a box lies in
 * its image up to 1 px; `file_name` is a relative path that cannot leave the images folder (no
 * `..` part, no leading `/` or `\`, no drive letter). Texts over 64 MiB are refused before
 * parsing. Errors start with `parseCocoAnnotations: <name>: `.
 *
 * @example
 * const coco = parseCocoAnnotations(readFileSync('annotations.json', 'utf8'), 'annotations.json');
 * coco.images[0].file_name; // '000000.png'
 * coco.annotations[0].bbox; // [x, y, w, h]
 */
export function parseCocoAnnotations(text: string, name = 'coco'): CocoAnnotations {
  const fail = failWith(`parseCocoAnnotations: ${name}`);
  return validateCoco(parseJson(text, fail), fail);
}

/**
 * Reads a COCO annotation file from disk (refused over 64 MiB before reading); see
 * {@link parseCocoAnnotations}. Errors start with `readCocoAnnotations: '<path>': `.
 *
 * @example
 * const coco = readCocoAnnotations('clutter/annotations.json');
 * coco.categories.map((c) => c.name); // ['0', '1', ..., '9']
 * coco.annotations.length; // boxes in all images
 */
export function readCocoAnnotations(path: string): CocoAnnotations {
  const prefix = `readCocoAnnotations: '${path}'`;
  return validateCoco(parseJson(readJsonText(path, prefix), failWith(prefix)), failWith(prefix));
}

/**
 * Writes `coco` as a COCO annotation file, atomically (a temporary file, then a rename), after the
 * checks of {@link parseCocoAnnotations} (so pycocotools and this package read it back). Only the
 * fields of {@link CocoAnnotations} are written. Errors start with `writeCocoAnnotations: '<path>': `.
 *
 * @example
 * const images = [{ id: 0, file_name: '000000.png', width: 128, height: 128 }];
 * const annotations = [{ id: 1, image_id: 0, category_id: 8, bbox: [10, 12, 30, 40], area: 1200, iscrowd: 0 }];
 * writeCocoAnnotations('out/annotations.json', { images, annotations, categories: [{ id: 8, name: '7' }] });
 */
export function writeCocoAnnotations(path: string, coco: CocoAnnotations): void {
  const clean = validateCoco(coco, failWith(`writeCocoAnnotations: '${path}'`));
  writeFileAtomic(path, Buffer.from(JSON.stringify(clean), 'utf8'));
}

/**
 * Checks a parsed COCO document as {@link parseCocoAnnotations} does and returns the subset, fields
 * in COCO's order; `fail` throws with the caller's prefix. Internal to this package's data readers.
 *
 * @example
 * const coco = validateCoco(JSON.parse(text), (m) => { throw new Error(`mine: ${m}`); });
 * coco.images.length; // images in the document
 * coco.annotations[0].iscrowd; // 0 when the document leaves it out
 */
export function validateCoco(doc: unknown, fail: Fail): CocoAnnotations {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) fail(`expected a JSON object { images, annotations, categories }, got ${show(doc)}`);
  const root = doc as Record<string, unknown>;
  const images = array(root.images, 'images', fail).map((v, i) => image(v, `images[${i}]`, fail));
  const categories = array(root.categories, 'categories', fail).map((v, i) => category(v, `categories[${i}]`, fail));
  const byId = new Map<number, CocoImage>();
  images.forEach((im, i) => {
    if (byId.has(im.id)) fail(`images[${i}].id ${im.id} is not unique`);
    byId.set(im.id, im);
  });
  const categoryIds = new Set<number>();
  categories.forEach((c, i) => {
    if (categoryIds.has(c.id)) fail(`categories[${i}].id ${c.id} is not unique`);
    categoryIds.add(c.id);
  });
  const annotationIds = new Set<number>();
  const annotations = array(root.annotations, 'annotations', fail).map((v, i) => {
    const at = `annotations[${i}]`;
    const a = annotation(v, at, fail);
    if (annotationIds.has(a.id)) fail(`${at}.id ${a.id} is not unique`);
    annotationIds.add(a.id);
    const im = byId.get(a.image_id);
    if (im === undefined) fail(`${at}.image_id ${a.image_id} names no image in images`);
    if (!categoryIds.has(a.category_id)) fail(`${at}.category_id ${a.category_id} names no category in categories`);
    const [x, y, w, h] = a.bbox;
    const t = BOX_TOLERANCE;
    if (x < -t || y < -t || x + w > im!.width + t || y + h > im!.height + t) fail(`${at}.bbox [${a.bbox.join(', ')}] leaves its image ${im!.id} (${im!.width}x${im!.height}) by more than ${t} px`);
    return a;
  });
  return { images, annotations, categories };
}

function image(v: unknown, at: string, fail: Fail): CocoImage {
  const o = object(v, at, fail);
  return { id: integer(o.id, `${at}.id`, fail), file_name: fileName(o.file_name, `${at}.file_name`, fail), width: integer(o.width, `${at}.width`, fail, 1), height: integer(o.height, `${at}.height`, fail, 1) };
}

function category(v: unknown, at: string, fail: Fail): CocoCategory {
  const o = object(v, at, fail);
  if (typeof o.name !== 'string') fail(`${at}.name must be a string, got ${show(o.name)}`);
  return { id: integer(o.id, `${at}.id`, fail), name: o.name as string };
}

function annotation(v: unknown, at: string, fail: Fail): CocoAnnotation {
  const o = object(v, at, fail);
  const id = integer(o.id, `${at}.id`, fail);
  const imageId = integer(o.image_id, `${at}.image_id`, fail);
  const categoryId = integer(o.category_id, `${at}.category_id`, fail);
  const bbox = cocoBox(o.bbox, `${at}.bbox`, fail);
  const area = o.area === undefined ? bbox[2] * bbox[3] : finite(o.area, `${at}.area`, fail, 0);
  if (o.iscrowd !== undefined && o.iscrowd !== 0 && o.iscrowd !== 1) fail(`${at}.iscrowd must be 0 or 1, got ${show(o.iscrowd)}`);
  return { id, image_id: imageId, category_id: categoryId, bbox, area, iscrowd: o.iscrowd === 1 ? 1 : 0 };
}

/** A relative path inside the images folder: no `..` part, not absolute, no NUL. */
function fileName(v: unknown, at: string, fail: Fail): string {
  if (typeof v !== 'string' || v === '') fail(`${at} must be a non-empty string, got ${show(v)}`);
  const s = v as string;
  const why =
    s.length > 1024 ? 'is longer than 1024 characters'
    : /^[/\\]/.test(s) ? 'is absolute (starts with / or \\)'
    : /^[A-Za-z]:/.test(s) ? 'starts with a drive letter'
    : s.includes('\0') ? 'holds a NUL character'
    : s.split(/[/\\]/).includes('..') ? "has a '..' part"
    : s.split(/[/\\]/).includes('') ? 'has an empty part (a trailing or doubled slash)'
    : null;
  if (why !== null) fail(`${at} ${show(s)} ${why}; it must be a plain relative name inside the images folder`);
  return s;
}
