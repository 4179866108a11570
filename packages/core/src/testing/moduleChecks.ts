import type { ExecutionContext } from 'ava';
import { Generator, gradcheck, kernels, Tensor, type Module } from '../index.js';
import { forwardOf, inputFor, type ModuleCase } from './ModuleCase.js';
import { close } from './tolerance.js';
import { checkThreadArrays } from './checkThreads.js';

/** Output and gradients of one Torch7 forward/backward. */
interface TorchRun {
  output: Float32Array;
  input: Float32Array;
  params: Float32Array[];
  /** Names of the parameters that received no gradient. */
  missing: string[];
}

/** The fixed gradOutput of every check: standard normal from seed 99. */
const gradOutput = (shape: readonly number[]): Tensor => Tensor.randn(shape, new Generator(99));

/** Torch7 `backward(input, gradOutput)` after a fresh forward; parameter gradients start from null. */
function torchRun(c: ModuleCase, m: Module, x: Tensor): TorchRun {
  for (const p of m.parameters()) p.grad = null;
  const y = forwardOf(c, m, x);
  const gi = m.backward(x, gradOutput(y.shape));
  return {
    output: Float32Array.from(y.data),
    input: Float32Array.from(gi.data),
    params: m.parameters().map((p) => Float32Array.from(p.grad?.data ?? new Float32Array(p.size))),
    missing: m.namedParameters().flatMap(([name, p]) => (p.grad ? [] : [name])),
  };
}

/**
 * Finite-difference check of ∂output/∂input and ∂output/∂θ for every parameter θ (module from seed
 * 11, input from seed 21), and that the input and every parameter received a gradient.
 *
 * @example
 * checkModuleGradients(t, { make: (rng) => new Linear(5, 4, { rng }), shape: [3, 5] });
 */
export function checkModuleGradients(t: ExecutionContext, c: ModuleCase): void {
  const m = c.make(new Generator(11));
  const withInput = c.inputGrad ?? true;
  const x = inputFor(c, c.shape, 21);
  if (withInput) x.requiresGrad_();
  const named = m.namedParameters();
  const r = gradcheck((xi) => forwardOf(c, m, xi!), [x, ...named.map(([, p]) => p)], c.grad);
  t.true(r.ok, `gradcheck of ${m.typeName()}: worst ${JSON.stringify(r.worst)} (max error ${r.maxError}; input 0 is x, then ${named.map(([n]) => n).join(', ')})`);
  if (withInput) t.truthy(x.grad, 'the input received a gradient');
  for (const [name, p] of named) t.truthy(p.grad, `parameter ${name} received a gradient`);
}

/**
 * Torch7 `m.backward(x, g)` equals the autograd gradient of Σ m(x)·g, for the input and every
 * parameter, within 1e-6 of the reference's scale (module from seed 12, input from seed 22).
 *
 * @example
 * checkBackwardMatchesAutograd(t, { make: () => new Tanh(), shape: [3, 4] });
 */
export function checkBackwardMatchesAutograd(t: ExecutionContext, c: ModuleCase): void {
  const m = c.make(new Generator(12));
  const x = inputFor(c, c.shape, 22);
  const torch = torchRun(c, m, x);
  t.deepEqual([...m.gradInput!.shape], [...x.shape], 'gradInput has the input shape');

  for (const p of m.parameters()) p.grad = null;
  const withInput = c.inputGrad ?? true;
  const leaf = withInput ? x.detach().requiresGrad_() : x;
  const y = forwardOf(c, m, leaf);
  y.mul(gradOutput(y.shape)).sum().backward();
  if (withInput) close(t, torch.input, leaf.grad!.data, 1e-6, 'gradInput vs autograd');
  m.namedParameters().forEach(([name, p], i) => close(t, torch.params[i]!, p.grad?.data ?? [], 1e-6, `parameter ${name} grad vs autograd`));
}

/**
 * The gpu.js `cpu` and `webasm` backends agree on the output, gradInput and every parameter
 * gradient (module from seed 13, input from seed 23, on `parityShape`); the cpu run launched no
 * webasm kernel and the webasm run no cpu kernel, and the webasm run launched as many kernels as the
 * cpu run (or, with `launches: 'some'`, at least one); every parameter received a gradient.
 *
 * @example
 * checkModuleParity(t, { make: (rng) => new Linear(33, 17, { rng }), shape: [8, 33] });
 */
export function checkModuleParity(t: ExecutionContext, c: ModuleCase): void {
  const shape = c.parityShape ?? c.shape;
  const make = c.parityMake ?? c.make;
  const run = (backend: 'cpu' | 'webasm'): TorchRun => kernels.withBackend(backend, () => torchRun(c, make(new Generator(13)), inputFor(c, shape, 23)));
  const before = kernels.stats().calls;
  const a = run('cpu');
  const mid = kernels.stats().calls;
  const b = run('webasm');
  const after = kernels.stats().calls;
  t.is(mid.webasm, before.webasm, 'the cpu run made no webasm calls');
  t.is(after.cpu, mid.cpu, 'the webasm run made no cpu calls');
  if ((c.launches ?? 'same') === 'same') t.is(after.webasm - mid.webasm, mid.cpu - before.cpu, 'the webasm run launched as many kernels as the cpu run');
  else t.true(after.webasm > mid.webasm, 'the webasm run launched webasm kernels');
  t.deepEqual([...a.missing, ...b.missing], [], 'every parameter received a gradient');
  const tol = c.parityTol ?? 1e-5;
  close(t, b.output, a.output, tol, 'output webasm vs cpu');
  close(t, b.input, a.input, tol, 'gradInput webasm vs cpu');
  a.params.forEach((pa, i) => close(t, b.params[i]!, pa, tol, `parameter ${i} grad webasm vs cpu`));
}

/**
 * Output, gradInput and every parameter gradient of a Torch7 forward/backward (module from seed 13,
 * input from seed 23, on `parityShape`) are bit-identical with 1, 2 and 3 threads, on webasm (some
 * launch split over the pool) and on cpu.
 *
 * @example
 * checkModuleThreads(t, { make: (rng) => new Linear(33, 17, { rng }), shape: [8, 33] });
 */
export function checkModuleThreads(t: ExecutionContext, c: ModuleCase): void {
  const shape = c.parityShape ?? c.shape;
  const make = c.parityMake ?? c.make;
  checkThreadArrays(t, 'output, gradInput and parameter gradients', () => {
    const r = torchRun(c, make(new Generator(13)), inputFor(c, shape, 23));
    return [r.output, r.input, ...r.params];
  });
}
