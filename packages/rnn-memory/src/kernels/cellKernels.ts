import { kernels, ShapeError, type Kernel, type Launch, type Tensor } from '@eole/core';

/**
 * Runs a gate kernel of a recurrent cell. Gate math is mostly `exp` and `tanh`, which gpu.js
 * `webasm` calls out to JavaScript one SIMD lane at a time, so under `auto` dispatch these kernels
 * run in gpu.js `cpu` mode at every size (measured for the LSTM cell at N = 32, H = 128: 0.9 ms on
 * cpu against 1.1 ms on webasm). A forced backend (`EOLE_BACKEND`, `withBackend`) is obeyed.
 */
export function runGateKernel(kernel: Kernel, launch: Launch): Float32Array {
  if (kernels.backend === 'auto') return kernels.withBackend('cpu', () => kernel.run(launch));
  return kernel.run(launch);
}

/** Throws unless `t` has exactly `shape`, naming the op, the argument and both shapes. */
export function expectShape(op: string, name: string, t: Tensor, shape: readonly number[]): void {
  if (t.ndim !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new ShapeError(op, `${name} must have shape [${shape.join(', ')}], got [${t.shape.join(', ')}]`);
  }
}

/** Throws unless `t` is [N, width] for some N, and returns N. */
export function rowsOf(op: string, name: string, t: Tensor, width: number, what: string): number {
  if (t.ndim !== 2 || t.shape[1] !== width) throw new ShapeError(op, `${name} must be [N, ${what}] = [N, ${width}], got [${t.shape.join(', ')}]`);
  return t.shape[0]!;
}
