/**
 * An axis-aligned box in COCO's `[x, y, w, h]` convention: top-left corner (x, y), width w and
 * height h, in pixels (floats allowed), so it covers [x, x + w] × [y, y + h]. Valid boxes have
 * finite coordinates and w, h ≥ 0 (w = 0 or h = 0 is a degenerate, empty box).
 *
 * @example
 * const box: Box = [10, 20, 32, 48];    // x = 10, y = 20, 32 wide, 48 high
 * const [x, y, w, h] = box;
 * const right = x + w;                  // 42
 */
export type Box = readonly [number, number, number, number];

/** Formats a value that should be a box for an error message: `[1, 2, 3, 4]`. */
export function formatBox(box: unknown): string {
  return Array.isArray(box) ? `[${box.map(String).join(', ')}]` : String(box);
}

/**
 * Throws a RangeError naming `op` and `name` unless `box` is a valid {@link Box}: four finite
 * numbers with w, h ≥ 0 (w, h > 0 when `positive`).
 *
 * @example
 * checkBox('iou', 'a', [0, 0, 10, 10]);   // passes
 * checkBox('iou', 'b', [0, 0, -1, 10]);   // RangeError: iou: b must be …, got [0, 0, -1, 10]
 * checkBox('encodeBox', 'window', [0, 0, 0, 10], true);   // RangeError (w must be > 0)
 */
export function checkBox(op: string, name: string, box: Box, positive = false): void {
  const b: unknown = box;
  const ok =
    Array.isArray(b) &&
    b.length === 4 &&
    b.every((v) => typeof v === 'number' && Number.isFinite(v)) &&
    (positive ? b[2] > 0 && b[3] > 0 : b[2] >= 0 && b[3] >= 0);
  if (!ok) {
    const size = positive ? 'w > 0, h > 0' : 'w ≥ 0, h ≥ 0';
    throw new RangeError(`${op}: ${name} must be a box [x, y, w, h] of finite numbers with ${size}, got ${formatBox(b)}`);
  }
}
