import { describeValue, formatShape, ShapeError, Tensor } from '@eole/core';

/** Throws a TypeError naming `op` and `name` unless `v` is a Tensor. */
export function assertTensor(op: string, name: string, v: unknown): asserts v is Tensor {
  if (!(v instanceof Tensor)) throw new TypeError(`${op}: ${name} must be a Tensor, got ${describeValue(v)}`);
}

/**
 * Checks that `input` stacks `branches` tensors of shape [N, D] along dimension 0 ([branches, N, D])
 * and returns them as [N, D] views. Errors name `op`, the argument, the expected and the actual shape.
 */
export function branchesOf(op: string, input: Tensor, branches: number, name = 'input'): Tensor[] {
  assertTensor(op, name, input);
  if (input.ndim !== 3 || input.shape[0] !== branches) {
    const letters = branches === 2 ? 'x1 and x2' : 'anchor, positive and negative';
    throw new ShapeError(op, `${name} must be [${branches}, N, D] (${letters} stacked on dimension 0), got ${formatShape(input.shape)}`);
  }
  const [, n, d] = input.shape as [number, number, number];
  return input.split(1, 0).map((b) => b.reshape([n, d]));
}

/** Checks a number option: finite (or Infinity when `allowInfinity`) and above `min` (exclusive). */
export function checkNumber(op: string, name: string, v: unknown, options: { min?: number; inclusive?: boolean; allowInfinity?: boolean } = {}): number {
  const ok = typeof v === 'number' && !Number.isNaN(v) && (Number.isFinite(v) || (options.allowInfinity === true && v === Infinity));
  if (!ok) throw new TypeError(`${op}: ${name} must be a ${options.allowInfinity ? 'number' : 'finite number'}, got ${String(v)}`);
  if (options.min !== undefined && (options.inclusive ? v < options.min : v <= options.min)) {
    throw new RangeError(`${op}: ${name} must be ${options.inclusive ? '>=' : '>'} ${options.min}, got ${v}`);
  }
  return v;
}

/** Checks that `v` is a positive integer. */
export function checkCount(op: string, name: string, v: unknown, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new RangeError(`${op}: ${name} must be an integer >= ${min}, got ${String(v)}`);
  return v;
}
