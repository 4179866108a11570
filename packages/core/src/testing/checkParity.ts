import type { ExecutionContext } from 'ava';
import { Generator, kernels, Tensor, type BackendName } from '../portable.js';
import { maxRelErr } from './tolerance.js';

/** What a parity run returns: the output, and the tensors whose gradients are compared. */
export interface ParityRun {
  /** The output of the computation under test. */
  output: Tensor;
  /** Leaves whose gradients of Σ output·W (W fixed, random) are compared; `grad` is reset first. */
  inputs: Tensor[];
}

/**
 * Runs `run` under one gpu.js backend and returns the output, then the gradient of every input of
 * Σ output·W for a fixed random W (an empty array for an input that received none).
 *
 * @example
 * const [y, gx] = underBackend('webasm', () => ({ output: net.forward(x), inputs: [x] }));
 */
export function underBackend(backend: BackendName, run: () => ParityRun): Float32Array[] {
  return kernels.withBackend(backend, () => {
    const { output, inputs } = run();
    inputs.forEach((x) => (x.grad = null));
    const w = Tensor.randn(output.shape, new Generator(5));
    if (output.requiresGrad) output.mul(w).sum().backward();
    return [Float32Array.from(output.data), ...inputs.map((x) => Float32Array.from(x.grad?.data ?? []))];
  });
}

/**
 * Asserts that the gpu.js `cpu` and `webasm` backends agree on the output and every gradient of
 * `run` ({@link maxRelErr} < tol; `run` is called once per backend).
 *
 * @example
 * checkParity(t, 'CosineDistance', () => ({ output: new CosineDistance().forward(x), inputs: [x] }));
 */
export function checkParity(t: ExecutionContext, what: string, run: () => ParityRun, tol = 1e-5): void {
  const a = underBackend('cpu', run);
  const b = underBackend('webasm', run);
  a.forEach((x, i) => {
    const err = maxRelErr(x, b[i]!);
    t.true(err < tol, `${what}: cpu/webasm ${i === 0 ? 'outputs' : `gradients of input ${i - 1}`} differ by ${err}`);
  });
}
