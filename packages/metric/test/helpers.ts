import type { ExecutionContext } from 'ava';
import { Generator, gradcheck, kernels, Linear, Sequential, Tanh, Tensor, type GradcheckOptions, type Module } from '@eole/core';

/** max |a − b| / max(1, |b|). */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return Number.isNaN(m) ? Infinity : m;
}

/** A small net for the Siamese tests: Linear(dIn → 5), Tanh, Linear(5 → dOut). */
export function smallNet(dIn: number, dOut: number, seed = 1): Sequential {
  const rng = new Generator(seed);
  return new Sequential(new Linear(dIn, 5, { rng }), new Tanh(), new Linear(5, dOut, { rng }));
}

/** Finite-difference check of `fn` with respect to `inputs` (those that require grad); asserts ok. */
export function checkGrad(t: ExecutionContext, what: string, fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], options?: GradcheckOptions): void {
  const r = gradcheck(fn, inputs, options);
  t.true(r.ok, `gradcheck of ${what}: worst ${JSON.stringify(r.worst)} (max error ${r.maxError})`);
}

/** Output and gradients (input, then parameters) of `run` under a forced backend. */
export function underBackend(backend: 'cpu' | 'webasm', run: () => { output: Tensor; inputs: Tensor[] }): Float32Array[] {
  return kernels.withBackend(backend, () => {
    const { output, inputs } = run();
    inputs.forEach((x) => (x.grad = null));
    const w = Tensor.randn(output.shape, new Generator(5));
    if (output.requiresGrad) output.mul(w).sum().backward();
    return [Float32Array.from(output.data), ...inputs.map((x) => Float32Array.from(x.grad?.data ?? []))];
  });
}

/** Asserts that the gpu.js `cpu` and `webasm` backends agree on the output and every gradient of `run`. */
export function checkParity(t: ExecutionContext, what: string, run: () => { output: Tensor; inputs: Tensor[] }, tol = 1e-5): void {
  const a = underBackend('cpu', run);
  const b = underBackend('webasm', run);
  a.forEach((x, i) => {
    const err = maxRelErr(x, b[i]!);
    t.true(err < tol, `${what}: cpu/webasm ${i === 0 ? 'outputs' : `gradients of input ${i - 1}`} differ by ${err}`);
  });
}

/** Parameters of a module, as gradcheck inputs. */
export function paramsOf(m: Module): Tensor[] {
  return m.parameters();
}
