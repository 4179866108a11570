import { formatShape, ShapeError, type Generator, type Tensor } from '@eole/core';

/** Options every recurrent cell and layer takes. */
export interface RecurrentCellOptions {
  /** Add the biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** Generator of the initial weights (default: the global one). */
  rng?: Generator;
}

/** Throws unless `value` is a positive integer. */
export function checkSize(owner: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${owner}: ${name} must be a positive integer, got ${String(value)}`);
}

/** PyTorch's initialisation of recurrent weights and biases: uniform in ±1/√H. */
export function initBound(hiddenSize: number): number {
  return 1 / Math.sqrt(hiddenSize);
}

/** Checks a cell input [N, inputSize] and returns N. */
export function cellInputRows(owner: string, x: Tensor, inputSize: number): number {
  if (x.ndim !== 2 || x.shape[1] !== inputSize) throw new ShapeError(owner, `input must be [N, ${inputSize}], got ${formatShape(x.shape)}`);
  return x.shape[0]!;
}

/** Checks a state tensor [N, H]. */
export function checkCellState(owner: string, name: string, t: Tensor, N: number, H: number): void {
  if (t.ndim !== 2 || t.shape[0] !== N || t.shape[1] !== H) {
    throw new ShapeError(owner, `${name} must be [N, H] = [${N}, ${H}] for an input of ${N} rows, got ${formatShape(t.shape)}`);
  }
}
