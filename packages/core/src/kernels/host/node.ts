import os from 'node:os';
import { applyCodegenFix } from '../gpujs/index.js';
import { KernelPool } from '../KernelPool.js';
import { sharedKernel } from '../sharedKernel.js';
import type { KernelHost } from './KernelHost.js';

/** The Node host of the kernel registry: `process.env`, a worker-thread pool, the codegen fix. */
export const kernelHost: KernelHost = {
  platform: 'node',
  env: (name) => process.env[name],
  defaultThreads: () => os.availableParallelism(),
  maxThreads: Infinity,
  maxWebasmKernels: Infinity,
  createPool: () => new KernelPool(),
  shareWebasm: sharedKernel,
  prepareGpujs: () => {
    applyCodegenFix();
  },
};
