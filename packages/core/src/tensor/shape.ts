/** A tensor shape: sizes of each dimension, outermost first (row-major). */
export type Shape = readonly number[];

/** An error about shapes that names the op and the shapes involved. */
export class ShapeError extends Error {
  constructor(op: string, message: string) {
    super(`${op}: ${message}`);
    this.name = 'ShapeError';
  }
}

/** Number of elements of a shape (1 for a scalar `[]`). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a contiguous shape. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/**
 * Formats a shape for an error message or a description, as core's own messages do: `[2, 3]`
 * (`[]` for a scalar). Packages use it so that every message writes shapes alike.
 *
 * @example
 * throw new ShapeError('myOp', `input must be [N, 4], got ${formatShape(x.shape)}`); // "myOp: input must be [N, 4], got [2, 3]"
 */
export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Core's short internal name of {@link formatShape}. */
export const fmt = formatShape;

/** Checks a shape is a list of non-negative integers. */
export function checkShape(op: string, shape: Shape): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(op, `shape must hold non-negative integers, got ${fmt(shape)}`);
  }
}

/** NumPy broadcasting of two shapes; throws a {@link ShapeError} naming `op` and both shapes. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(op, `shapes ${fmt(a)} and ${fmt(b)} cannot be broadcast together (dimension ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides of `shape` read as if broadcast to `target` (0 on broadcast dimensions). */
export function broadcastStrides(shape: Shape, target: Shape): number[] {
  const own = stridesOf(shape);
  const offset = target.length - shape.length;
  return target.map((_, i) => {
    const j = i - offset;
    return j < 0 || shape[j] === 1 ? 0 : own[j]!;
  });
}

/** Normalises a possibly negative axis against `ndim`, with an error naming `op`. */
export function normAxis(op: string, axis: number, ndim: number): number {
  const a = axis < 0 ? axis + ndim : axis;
  if (!Number.isInteger(a) || a < 0 || a >= ndim) throw new ShapeError(op, `axis ${axis} is out of range for a ${ndim}-D tensor`);
  return a;
}

/** Splits a shape around `axis` into [outer, n, inner] sizes. */
export function around(shape: Shape, axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis]!, sizeOf(shape.slice(axis + 1))];
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
