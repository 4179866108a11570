import { formatShape, ShapeError, type Tensor } from '@eole/core';

/** Throws unless `t` has exactly `shape`, naming the op, the argument and both shapes. */
export function expectShape(op: string, name: string, t: Tensor, shape: readonly number[]): void {
  if (t.ndim !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new ShapeError(op, `${name} must have shape ${formatShape(shape)}, got ${formatShape(t.shape)}`);
  }
}
