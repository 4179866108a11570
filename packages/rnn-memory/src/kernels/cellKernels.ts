import { kernels, type Kernel, type Launch } from '@eole/core';

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
