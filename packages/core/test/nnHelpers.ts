import type { ExecutionContext } from 'ava';
import { Generator, gradcheck, kernels, Tensor, type GradcheckOptions, type Module } from '@eole/core';

/** max |a − b| / max |b|: the error relative to the scale of the reference tensor. */
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

/** Asserts two arrays agree to `tol` relative to the reference's largest magnitude. */
export function close(t: ExecutionContext, a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  const e = normRelErr(a, b);
  t.true(e <= tol, `${what}: relative error ${e} > ${tol}`);
}

/** Normal values nudged at least `gap` away from `at` (for kinks such as thresholds). */
export function awayFrom(shape: number[], rng: Generator, at = 0, gap = 0.1): Tensor {
  const x = Tensor.randn(shape, rng);
  for (let i = 0; i < x.size; i++) x.data[i] = at + x.data[i]! + (x.data[i]! >= 0 ? gap : -gap);
  return x;
}

/** How to exercise one module. */
export interface ModuleCase {
  /** A fresh module from a seed (used for its parameters' initialisation). */
  make: (rng: Generator) => Module;
  /** Input shape of the gradient checks. */
  shape: number[];
  /** Input shape of the cpu/webasm parity check (default: `shape`). */
  parityShape?: number[];
  /** The module of the parity check, sized for `parityShape` (default: `make`). */
  parityMake?: (rng: Generator) => Module;
  /** Custom input maker (default: standard normal). */
  input?: (shape: number[], rng: Generator) => Tensor;
  /** Called before every forward (Dropout re-seeds its generator here, so the mask is fixed). */
  beforeForward?: () => void;
  grad?: GradcheckOptions;
}

function inputFor(c: ModuleCase, shape: number[], seed: number): Tensor {
  const rng = new Generator(seed);
  return c.input ? c.input(shape, rng) : Tensor.randn(shape, rng);
}

function forward(c: ModuleCase, m: Module, x: Tensor): Tensor {
  c.beforeForward?.();
  return m.forward(x);
}

/** Finite-difference check of ∂output/∂input and ∂output/∂θ for every parameter θ. */
export function checkGradients(t: ExecutionContext, c: ModuleCase): void {
  const m = c.make(new Generator(11));
  const x = inputFor(c, c.shape, 21).requiresGrad_();
  const params = m.parameters();
  const r = gradcheck((xi, ..._ps) => forward(c, m, xi!), [x, ...params], c.grad);
  t.true(r.ok, `gradcheck of ${m.typeName()}: worst ${JSON.stringify(r.worst)} (input 0 is x, then ${m.namedParameters().map(([n]) => n).join(', ')})`);
  t.truthy(x.grad, 'the input received a gradient');
  for (const [name, p] of m.namedParameters()) t.truthy(p.grad, `parameter ${name} received a gradient`);
}

interface Grads {
  input: Float32Array;
  params: Float32Array[];
  output: Float32Array;
}

/** Torch7 backward(input, gradOutput) on a fresh forward; parameter grads start from zero. */
function torchBackward(c: ModuleCase, m: Module, x: Tensor, g: (shape: readonly number[]) => Tensor): Grads {
  for (const p of m.parameters()) p.grad = null;
  const y = forward(c, m, x);
  const gi = m.backward(x, g(y.shape));
  return {
    output: Float32Array.from(y.data),
    input: Float32Array.from(gi.data),
    params: m.parameters().map((p) => Float32Array.from(p.grad?.data ?? new Float32Array(p.size))),
  };
}

const gradOut = (shape: readonly number[]): Tensor => Tensor.randn(shape, new Generator(99));

/** `m.backward(x, g)` equals the autograd gradient of Σ m(x)·g (input and parameters). */
export function checkBackwardMatchesAutograd(t: ExecutionContext, c: ModuleCase): void {
  const m = c.make(new Generator(12));
  const x = inputFor(c, c.shape, 22);
  const torch = torchBackward(c, m, x, gradOut);
  t.deepEqual([...m.gradInput!.shape], [...x.shape], 'gradInput has the input shape');

  for (const p of m.parameters()) p.grad = null;
  const leaf = x.detach().requiresGrad_();
  const y = forward(c, m, leaf);
  y.mul(gradOut(y.shape)).sum().backward();
  close(t, torch.input, leaf.grad!.data, 1e-6, 'gradInput vs autograd');
  m.parameters().forEach((p, i) => close(t, torch.params[i]!, p.grad!.data, 1e-6, `parameter ${i} grad vs autograd`));
}

/** Output, gradInput and parameter gradients agree between gpu.js `cpu` and `webasm`. */
export function checkParity(t: ExecutionContext, c: ModuleCase, tol = 1e-5): void {
  const shape = c.parityShape ?? c.shape;
  const run = (backend: 'cpu' | 'webasm'): Grads =>
    kernels.withBackend(backend, () => torchBackward(c, (c.parityMake ?? c.make)(new Generator(13)), inputFor(c, shape, 23), gradOut));
  const before = kernels.stats().calls;
  const a = run('cpu');
  const mid = kernels.stats().calls;
  const b = run('webasm');
  const after = kernels.stats().calls;
  t.is(mid.webasm, before.webasm, 'the cpu run made no webasm calls');
  t.is(after.webasm - mid.webasm, mid.cpu - before.cpu, 'the webasm run launched as many kernels as the cpu run');
  t.is(after.cpu, mid.cpu, 'the webasm run made no cpu calls');
  close(t, b.output, a.output, tol, 'output webasm vs cpu');
  close(t, b.input, a.input, tol, 'gradInput webasm vs cpu');
  a.params.forEach((pa, i) => close(t, b.params[i]!, pa, tol, `parameter ${i} grad webasm vs cpu`));
}
