import type { Tensor } from '../index.js';

/**
 * The rows of a 2-D tensor [n, m] as n plain arrays of m numbers (copies), for comparisons with
 * an oracle written over rows.
 *
 * @example
 * rowsOf(Tensor.from([1, 2, 3, 4, 5, 6], [2, 3])); // [[1, 2, 3], [4, 5, 6]]
 */
export function rowsOf(x: Tensor): number[][] {
  const [n, m] = x.shape as [number, number];
  return Array.from({ length: n }, (_, i) => Array.from(x.data.subarray(i * m, (i + 1) * m)));
}
