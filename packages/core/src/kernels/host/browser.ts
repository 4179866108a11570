import type { KernelHost } from './KernelHost.js';

/**
 * The browser host of the kernel registry: a page has no environment variables and no worker
 * pool here (webasm launches run on the page's thread, as gpu.js runs them), and gpu.js's browser
 * build is used as it ships (the webasm code generator fix patches gpu.js's Node sources, which
 * the browser build does not expose; `cpu`, `webgl2` and `webgl` are unaffected by it).
 */
export const kernelHost: KernelHost = {
  platform: 'browser',
  env: () => undefined,
  defaultThreads: () => 1,
  maxThreads: 1,
  maxWebasmKernels: 64,
  createPool: () => {
    throw new Error('kernel thread pool: the browser build runs kernels on one thread');
  },
  shareWebasm: () => {},
  prepareGpujs: () => {},
};
