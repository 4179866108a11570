import type { ExecutionContext } from 'ava';
import { Generator, gradcheck, kernels, noGrad, Tensor, type GradcheckOptions } from '@eole/core';

/** A plain-JS oracle: maps input arrays (with shapes) to the expected flat output. */
export type Oracle = (...inputs: { data: Float32Array; shape: readonly number[] }[]) => ArrayLike<number>;

export interface OpCase {
  /** Input shapes (random normal values unless `make` is given). */
  shapes: number[][];
  /** Custom input maker (e.g. positive values for log). */
  make?: (shape: number[], rng: Generator, i: number) => Tensor;
  /** Independent expected values; skipped when absent. */
  oracle?: Oracle;
  /** Expected output shape. */
  shape?: number[];
  /** Indices of inputs that do not take a gradient (indices, targets). */
  noGrad?: number[];
  grad?: GradcheckOptions;
  /** Relative tolerance of the cpu/webasm parity check. */
  parityTol?: number;
}

/**
 * tinygrad's helper_test_op for Eole: for one op, checks the forward values against an
 * independent oracle, the output shape, the gradient against finite differences, and that the
 * gpu.js `cpu` and `webasm` backends agree on the output and the gradients.
 */
export function checkOp(t: ExecutionContext, op: (...xs: Tensor[]) => Tensor, c: OpCase): void {
  const rng = new Generator(123);
  const inputs = c.shapes.map((s, i) => (c.make ? c.make(s, rng, i) : Tensor.randn(s, rng)));
  inputs.forEach((x, i) => {
    if (!c.noGrad?.includes(i)) x.requiresGrad_();
  });
  const out = noGrad(() => op(...inputs));
  if (c.shape) t.deepEqual([...out.shape], c.shape, 'output shape');
  if (c.oracle) {
    const expected = c.oracle(...inputs.map((x) => ({ data: x.data, shape: x.shape })));
    t.is(out.size, expected.length, 'output size');
    const err = maxRelErr(out.data, expected);
    t.true(err < 1e-4, `forward differs from the oracle by ${err}`);
  }
  const g = gradcheck(op, inputs, c.grad);
  t.true(g.ok, `gradcheck failed: ${JSON.stringify(g.worst)} (max error ${g.maxError})`);
  const run = (backend: 'cpu' | 'webasm') =>
    kernels.withBackend(backend, () => {
      inputs.forEach((x) => (x.grad = null));
      const y = op(...inputs);
      const w = Tensor.randn(y.shape, new Generator(5));
      if (y.requiresGrad) y.mul(w).sum().backward();
      return { y: Float32Array.from(y.data), grads: inputs.map((x) => (x.grad ? Float32Array.from(x.grad.data) : null)) };
    });
  const a = run('cpu');
  const b = run('webasm');
  const tol = c.parityTol ?? 1e-5;
  t.true(maxRelErr(a.y, b.y) < tol, `cpu/webasm outputs differ by ${maxRelErr(a.y, b.y)}`);
  a.grads.forEach((ga, i) => {
    const gb = b.grads[i];
    if (ga && gb) t.true(maxRelErr(ga, gb) < tol, `cpu/webasm gradients of input ${i} differ by ${maxRelErr(ga, gb)}`);
  });
}

/** max |a − b| / max(1, |b|). */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return Number.isNaN(m) ? Infinity : m;
}

/** Positive values in [0.5, 2]. */
export const positive = (shape: number[], rng: Generator): Tensor => Tensor.uniform(shape, rng, 0.5, 2);

/** Values kept away from 0 (for kinks of relu/abs). */
export const awayFromZero = (shape: number[], rng: Generator): Tensor => {
  const x = Tensor.randn(shape, rng);
  for (let i = 0; i < x.size; i++) x.data[i] = x.data[i]! + (x.data[i]! >= 0 ? 0.1 : -0.1);
  return x;
};
