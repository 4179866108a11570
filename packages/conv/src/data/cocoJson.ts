import { readFileSync, statSync } from 'node:fs';

/** A box as COCO writes it: left, top, width, height, in pixels (x to the right, y down). */
export type CocoBox = [x: number, y: number, w: number, h: number];

/** The largest COCO JSON text read here: 64 MiB (the instances file of COCO val2017 is 25 MB). */
export const MAX_COCO_JSON_BYTES = 64 * 2 ** 20;

/** Throws an error that already carries the reader's prefix. */
export type Fail = (message: string) => never;

/** A failing function for messages that start with `prefix: `. */
export function failWith(prefix: string): Fail {
  return (message: string): never => {
    throw new Error(`${prefix}: ${message}`);
  };
}

/** The JSON value of `text` (refused over {@link MAX_COCO_JSON_BYTES} before parsing). */
export function parseJson(text: string, fail: Fail): unknown {
  if (typeof text !== 'string') fail(`expected the JSON text as a string, got ${typeof text}`);
  if (text.length > MAX_COCO_JSON_BYTES) fail(`the text holds ${text.length} characters, more than the ${MAX_COCO_JSON_BYTES} read here`);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    return fail(`not valid JSON: ${(e as Error).message}`);
  }
}

/** The text of a JSON file, its size checked before it is read. */
export function readJsonText(path: string, prefix: string): string {
  try {
    const size = statSync(path).size;
    if (size > MAX_COCO_JSON_BYTES) throw new Error(`${prefix}: the file holds ${size} bytes, more than the ${MAX_COCO_JSON_BYTES} read here`);
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as Error).message.startsWith(prefix)) throw e;
    throw new Error(`${prefix}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
}

/** A short description of a JSON value for an error message. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing (the field is missing)';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    return `an object with keys [${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', …' : ''}]`;
  }
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 60)}… (${text.length} chars)` : text;
}

/** `v` as a plain object, or `fail` naming `at`. */
export function object(v: unknown, at: string, fail: Fail): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(`${at} must be an object, got ${show(v)}`);
  return v as Record<string, unknown>;
}

/** `v` as an array, or `fail` naming `at`. */
export function array(v: unknown, at: string, fail: Fail): unknown[] {
  if (!Array.isArray(v)) fail(`${at} must be an array, got ${show(v)}`);
  return v as unknown[];
}

/** `v` as an integer in [min, 2⁵³), or `fail` naming `at`. */
export function integer(v: unknown, at: string, fail: Fail, min = 0): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) fail(`${at} must be an integer >= ${min}, got ${show(v)}`);
  return v as number;
}

/** `v` as a finite number (at least `min` when given), or `fail` naming `at`. */
export function finite(v: unknown, at: string, fail: Fail, min?: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (min !== undefined && v < min)) fail(`${at} must be a finite number${min === undefined ? '' : ` >= ${min}`}, got ${show(v)}`);
  return v as number;
}

/** `v` as a COCO box: four finite numbers, width and height at least 0. */
export function cocoBox(v: unknown, at: string, fail: Fail): CocoBox {
  const b = array(v, at, fail);
  if (b.length !== 4) fail(`${at} must be [x, y, w, h] (4 numbers), got ${show(v)}`);
  return [finite(b[0], `${at}[0]`, fail), finite(b[1], `${at}[1]`, fail), finite(b[2], `${at}[2]`, fail, 0), finite(b[3], `${at}[3]`, fail, 0)];
}
