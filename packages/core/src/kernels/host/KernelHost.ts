import type { IKernelRunShortcut } from 'gpu.js';
import type { KernelPool } from '../KernelPool.js';
import type { SharedHooks } from '../sharedKernel.js';

/**
 * What the kernel registry needs from the platform it runs on. The package's `#kernel-host` import
 * resolves to the Node host (`node.ts`: environment variables, a worker-thread pool for large
 * webasm launches, gpu.js's webasm code generator fix) or, under the `browser` condition, to the
 * browser host (`browser.ts`: no environment, one thread, gpu.js's browser build as it ships), so
 * no Node-only module is on the browser build's import path.
 */
export interface KernelHost {
  /** Which host this is. */
  readonly platform: 'node' | 'browser';
  /** The value of an environment variable; a browser has no environment (always undefined). */
  env(name: string): string | undefined;
  /** Threads large webasm launches use by default (the core count in Node; 1 in a browser). */
  defaultThreads(): number;
  /** The most threads this host can run kernels on (Infinity in Node; 1 in a browser: no worker pool). */
  readonly maxThreads: number;
  /**
   * The most webasm kernels kept compiled at once (least recently used destroyed first). Each
   * holds its own `WebAssembly.Memory`, and V8 reserves address space for every one: Chromium
   * refused the 125th here. Infinity in Node, where the registry's overall cache bounds them.
   */
  readonly maxWebasmKernels: number;
  /** Starts an empty pool of kernel worker threads (only called when {@link maxThreads} > 1). */
  createPool(): KernelPool;
  /** Lets a freshly compiled webasm kernel run on shared memory under the pool (Node only). */
  shareWebasm(kernel: IKernelRunShortcut, hooks: SharedHooks): void;
  /** Prepares gpu.js before the first kernel compiles (Node: applies the webasm code generator fix). */
  prepareGpujs(): void;
}
