import type { ExecutionContext } from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, gradcheck, kernels, loadModule, noGrad, saveModule, Tensor, type GradcheckOptions, type Module } from '@eole/core';

/** max |a − b| / max |b|: the error relative to the scale of the reference. */
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
  t.true(e <= tol, `${what}: relative error ${e} > ${tol} (sizes ${a.length}, ${b.length})`);
}

/** Values in a random order spaced `gap` apart (distinct maxima for finite differences). */
export function distinct(shape: number[], rng: Generator, gap = 0.05): Tensor {
  const x = Tensor.zeros(shape);
  const perm = rng.permutation(x.size);
  for (let i = 0; i < x.size; i++) x.data[i] = (perm[i]! - x.size / 2) * gap;
  return x;
}

/** Index of the first difference of two arrays (−1 when equal, the shorter length when sizes differ). */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (!Object.is(a[i], b[i]) && a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** Asserts exact equality, reporting the first difference (ava's diff of a large array is very slow). */
export function same(t: ExecutionContext, a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  const i = firstDifference(a, b);
  t.true(i < 0, `${what}: sizes ${a.length}, ${b.length}; first difference at ${i}: ${a[i]} vs ${b[i]}`);
}

/** Finite-difference check of the module's gradient w.r.t. its input and every parameter. */
export function checkModuleGrad(t: ExecutionContext, m: Module, x: Tensor, opts: GradcheckOptions = {}): void {
  const input = x.detach().requiresGrad_();
  const params = m.parameters();
  const r = gradcheck((xi) => m.forward(xi!), [input, ...params], opts);
  t.true(r.ok, `gradcheck of ${m.toString()}: worst ${JSON.stringify(r.worst)} (input 0 is x, then ${m.namedParameters().map(([n]) => n).join(', ')})`);
  t.truthy(input.grad, 'the input received a gradient');
  for (const [name, p] of m.namedParameters()) t.truthy(p.grad, `parameter ${name} received a gradient`);
}

interface Run {
  output: Float32Array;
  gradInput: Float32Array;
  params: Float32Array[];
}

/** Forward and Torch7 backward with a fixed random gradOutput; parameter gradients start at zero. */
export function runModule(m: Module, x: Tensor, before?: () => void): Run {
  for (const p of m.parameters()) p.grad = null;
  before?.();
  const y = m.forward(x);
  const gi = m.backward(x, Tensor.randn(y.shape, new Generator(99)));
  return {
    output: Float32Array.from(y.data),
    gradInput: Float32Array.from(gi.data),
    params: m.parameters().map((p) => Float32Array.from(p.grad?.data ?? new Float32Array(p.size))),
  };
}

/** Output, gradInput and parameter gradients agree between gpu.js `cpu` and `webasm`. */
export function checkParity(t: ExecutionContext, make: () => Module, x: Tensor, tol = 1e-5, before?: () => void): void {
  const before0 = kernels.stats().calls;
  const a = kernels.withBackend('cpu', () => runModule(make(), x, before));
  const mid = kernels.stats().calls;
  const b = kernels.withBackend('webasm', () => runModule(make(), x, before));
  const after = kernels.stats().calls;
  t.is(mid.webasm, before0.webasm, 'the cpu run made no webasm calls');
  t.true(after.webasm > mid.webasm, 'the webasm run launched webasm kernels');
  t.is(after.cpu, mid.cpu, 'the webasm run made no cpu calls');
  close(t, b.output, a.output, tol, 'output webasm vs cpu');
  close(t, b.gradInput, a.gradInput, tol, 'gradInput webasm vs cpu');
  a.params.forEach((pa, i) => close(t, b.params[i]!, pa, tol, `parameter ${i} grad webasm vs cpu`));
}

const dir = mkdtempSync(join(tmpdir(), 'eole-conv-test-'));
let files = 0;

/**
 * Saves `trained` with saveModule, loads it into `fresh` with loadModule, and checks the state
 * dicts and the evaluate-mode outputs on `x` agree.
 */
export function checkRoundTrip(t: ExecutionContext, trained: Module, fresh: Module, x: Tensor): void {
  const path = join(dir, `module-${files++}.safetensors`);
  saveModule(path, trained);
  loadModule(path, fresh);
  const a = trained.stateDict();
  const b = fresh.stateDict();
  t.deepEqual([...b.keys()], [...a.keys()], 'same state dict names');
  for (const [name, ta] of a) same(t, b.get(name)!.data, ta.data, `${name} restored`);
  trained.evaluate();
  fresh.evaluate();
  same(t, noGrad(() => fresh.forward(x)).data, noGrad(() => trained.forward(x)).data, 'same evaluate-mode output');
}
