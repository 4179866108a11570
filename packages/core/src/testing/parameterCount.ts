import type { Module } from '../index.js';

/**
 * The number of trainable values of a module: Σ over its parameters of their sizes.
 *
 * @example
 * parameterCount(new Linear(784, 10)); // 7850
 */
export function parameterCount(m: Module): number {
  return m.parameters().reduce((s, p) => s + p.size, 0);
}
