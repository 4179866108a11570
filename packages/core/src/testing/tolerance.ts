import type { ExecutionContext } from 'ava';

/**
 * The largest element-wise error relative to the reference, with a floor of 1:
 * maxᵢ |aᵢ − bᵢ| / max(1, |bᵢ|). Absolute for small values, relative for large ones; `Infinity`
 * when the lengths differ or a value is NaN.
 *
 * @example
 * maxRelErr([1, 200], [1, 199.9]); // 0.1 / 199.9 ≈ 5e-4
 * maxRelErr([1e-3], [0]); // 1e-3 (absolute below 1)
 */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return Number.isNaN(m) ? Infinity : m;
}

/**
 * The largest error relative to the scale of the reference tensor: maxᵢ |aᵢ − bᵢ| / maxᵢ |bᵢ|.
 * `Infinity` when the lengths differ or a value is NaN.
 *
 * @example
 * normRelErr([1, 101], [1, 100]); // 1 / 100 = 0.01
 */
export function normRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let scale = 0;
  let err = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]!));
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
  }
  const r = err / Math.max(scale, 1e-30);
  return Number.isNaN(r) ? Infinity : r;
}

/**
 * The largest absolute element-wise difference: maxᵢ |aᵢ − bᵢ|. `Infinity` when the lengths
 * differ or a value is NaN.
 *
 * @example
 * maxAbsErr([1, 2], [1, 2.5]); // 0.5
 */
export function maxAbsErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return Number.isNaN(m) ? Infinity : m;
}

/**
 * Asserts that `a` agrees with the reference `b` to `tol` relative to the reference's largest
 * magnitude ({@link normRelErr} ≤ tol).
 *
 * @example
 * test('tanh', (t) => close(t, run(new Tanh()), v.map(Math.tanh), 1e-6, 'tanh'));
 */
export function close(t: ExecutionContext, a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  const e = normRelErr(a, b);
  t.true(e <= tol, `${what}: relative error ${e} > ${tol} (sizes ${a.length}, ${b.length})`);
}

/**
 * Index of the first difference of two arrays: −1 when they are equal element by element, the
 * shorter length when only the sizes differ. NaN equals NaN here.
 *
 * @example
 * firstDifference([1, 2, 3], [1, 5, 3]); // 1
 */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (!Object.is(a[i], b[i]) && a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/**
 * Asserts exact equality of two arrays, reporting the sizes and the first difference (ava's diff
 * of a large array is very slow).
 *
 * @example
 * same(t, loaded.forward(x).data, saved.forward(x).data, 'same output after loading');
 */
export function same(t: ExecutionContext, a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  const i = firstDifference(a, b);
  t.true(i < 0, `${what}: sizes ${a.length}, ${b.length}; first difference at ${i}: ${a[i]} vs ${b[i]}`);
}
