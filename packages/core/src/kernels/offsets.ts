/**
 * Kernel source that turns `this.thread.x` into per-operand flat offsets for an `ndim`-D output
 * whose sizes are `this.constants.d0..`, with each operand's strides in `this.constants.<p>0..`.
 * Declares `o<p>` for every prefix.
 *
 * @example
 * const source = `function(a) {\n${offsetsSource(3, ['a'])}\nreturn a[oa]; }`; // a rank-3 permute
 */
export function offsetsSource(ndim: number, prefixes: readonly string[]): string {
  const lines = ['let r = this.thread.x;', 'let q = 0;', 'let c = 0;'];
  for (const p of prefixes) lines.push(`let o${p} = 0;`);
  for (let k = ndim - 1; k >= 0; k--) {
    lines.push(`q = Math.floor(r / this.constants.d${k});`, `c = r - q * this.constants.d${k};`, 'r = q;');
    for (const p of prefixes) lines.push(`o${p} = o${p} + c * this.constants.${p}${k};`);
  }
  return lines.join('\n');
}

/**
 * Constants `{d0.., <p>0..}` for {@link offsetsSource}.
 *
 * @example
 * offsetsConstants([2, 3], { a: [3, 1] }); // { d0: 2, d1: 3, a0: 3, a1: 1 }
 */
export function offsetsConstants(dims: readonly number[], strides: Record<string, readonly number[]>): Record<string, number> {
  const c: Record<string, number> = {};
  dims.forEach((d, k) => (c[`d${k}`] = d));
  for (const [p, s] of Object.entries(strides)) s.forEach((v, k) => (c[`${p}${k}`] = v));
  return c;
}
