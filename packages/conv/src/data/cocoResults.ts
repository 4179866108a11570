import { writeFileAtomic } from '@eole/core';
import { array, cocoBox, failWith, finite, integer, object, parseJson, readJsonText, show, type CocoBox, type Fail } from './cocoJson.js';

/** One detection in COCO's results format: a scored box of a category in an image. */
export interface CocoDetection {
  image_id: number;
  category_id: number;
  bbox: CocoBox;
  /** The detector's confidence; higher ranks first in COCO's evaluation. */
  score: number;
}

/**
 * Parses a detection results file in COCO's results format (what `COCO.loadRes` of pycocotools and
 * the cocodataset.org evaluation server take): a JSON array `[{ image_id, category_id, bbox: [x,
 * y, w, h], score }]`. Ids are integers >= 0, the box four finite numbers with w, h >= 0, the
 * score a finite number; other fields are ignored. Whether the ids exist is for the evaluation
 * against the annotations to say. Texts over 64 MiB are refused before parsing. Errors start with
 * `parseCocoResults: <name>: ` and name the place (`[12].score must be a finite number, got "NaN"`).
 *
 * @example
 * const dets = parseCocoResults(readFileSync('detections.json', 'utf8'), 'detections.json');
 * dets[0].score; // 0.97
 * dets.filter((d) => d.image_id === 3).length; // detections in image 3
 */
export function parseCocoResults(text: string, name = 'results'): CocoDetection[] {
  const fail = failWith(`parseCocoResults: ${name}`);
  return validateResults(parseJson(text, fail), fail);
}

/**
 * Reads a COCO results file from disk (refused over 64 MiB before reading); see
 * {@link parseCocoResults}. Errors start with `readCocoResults: '<path>': `.
 *
 * @example
 * const dets = readCocoResults('out/detections.json');
 * dets.length; // all detections of all images
 * dets[0].bbox; // [x, y, w, h]
 */
export function readCocoResults(path: string): CocoDetection[] {
  const prefix = `readCocoResults: '${path}'`;
  return validateResults(parseJson(readJsonText(path, prefix), failWith(prefix)), failWith(prefix));
}

/**
 * Writes detections in COCO's results format, atomically (a temporary file, then a rename), after
 * the checks of {@link parseCocoResults}. Errors start with `writeCocoResults: '<path>': `.
 *
 * @example
 * const dets = [{ image_id: 0, category_id: 8, bbox: [10, 12, 30, 40] as CocoBox, score: 0.97 }];
 * writeCocoResults('out/detections.json', dets);
 * readCocoResults('out/detections.json'); // the same detections
 */
export function writeCocoResults(path: string, detections: readonly CocoDetection[]): void {
  const clean = validateResults(detections, failWith(`writeCocoResults: '${path}'`));
  writeFileAtomic(path, Buffer.from(JSON.stringify(clean), 'utf8'));
}

function validateResults(doc: unknown, fail: Fail): CocoDetection[] {
  if (!Array.isArray(doc)) fail(`expected a JSON array of detections [{ image_id, category_id, bbox, score }], got ${show(doc)}`);
  return (doc as unknown[]).map((v, i) => {
    const at = `[${i}]`;
    const o = object(v, at, fail);
    return { image_id: integer(o.image_id, `${at}.image_id`, fail), category_id: integer(o.category_id, `${at}.category_id`, fail), bbox: cocoBox(o.bbox, `${at}.bbox`, fail), score: finite(o.score, `${at}.score`, fail) };
  });
}
