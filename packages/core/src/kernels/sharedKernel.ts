import { createRequire } from 'node:module';
import type { IKernelRunShortcut } from 'gpu.js';
import { runSpan, type KernelPool, type SharedEntry } from './KernelPool.js';
import { PoolChoice } from './PoolChoice.js';

const gpujsUtils = (createRequire(import.meta.url)('gpu.js') as { utils: { flattenTo(value: unknown, target: Float32Array): void } }).utils;

/** The launch the registry is running: its kernel name and work (multiply-adds). */
export interface SharedLaunch {
  name: string;
  work: number;
  /** Hand back a view of the output in the module's memory instead of a copy (`Kernel.read`). */
  view: boolean;
}

/** What {@link sharedKernel} needs from the registry, read at every launch. */
export interface SharedHooks {
  launch(): SharedLaunch;
  pool(): KernelPool | null;
  threads(): number;
  /** Split every launch of 8 cells or more, skipping the measured choice. */
  always(): boolean;
  choice: PoolChoice;
  /** Counts a launch that went to the pool. */
  pooled(): void;
}

/** The parts of gpu.js 2.24.1's WebAssemblyKernel this file relies on. */
interface WasmKernel {
  _active: (SharedEntry & { layout: Layout; cells: number; f32: Float32Array; i32: Int32Array }) | null;
  threadDim: number[];
  output: number[];
  componentCount: number;
  usesRandom: boolean;
  randomSeed: number | null;
  _threadable(): boolean;
  _runThreaded(args: ArrayLike<unknown>): unknown;
  _releaseEntry(entry: SharedEntry): void;
  _shapeOutput(data: Float32Array, output: number[], components: number): unknown;
}

interface Layout {
  arrays: Record<string, { index: number; offset: number; flatLength: number }>;
  scalars: Record<string, { index: number; offset: number; type: string }>;
  outputOffset: number;
}

/**
 * Makes a gpu.js webasm kernel run on shared memory under the registry's thread pool: gpu.js then
 * compiles each size into a module over a shared `WebAssembly.Memory` (its `_threadable` hook), and
 * its threaded path (`_runThreaded`, reached from the ordinary synchronous `run()`) is replaced by
 * this one: copy the arguments in exactly as the single-thread path does, run the cells on the main
 * thread or split over the pool (as {@link PoolChoice} measured faster), copy the output out.
 * Every cell runs the same compiled code either way, so results are bit-identical for any split.
 */
export function sharedKernel(shortcut: IKernelRunShortcut, hooks: SharedHooks): void {
  const kernel = (shortcut as unknown as { kernel?: WasmKernel }).kernel;
  if (!kernel || typeof SharedArrayBuffer === 'undefined' || typeof kernel._runThreaded !== 'function') return;
  kernel._threadable = () => true;
  const release = kernel._releaseEntry.bind(kernel);
  kernel._releaseEntry = (entry) => {
    hooks.pool()?.release(entry.id);
    hooks.choice.forget(entry.id);
    release(entry);
  };
  kernel._runThreaded = (args) => {
    const entry = kernel._active!;
    const { layout, cells } = entry;
    for (const name in layout.arrays) {
      const record = layout.arrays[name]!;
      gpujsUtils.flattenTo(args[record.index], entry.f32.subarray(record.offset / 4, record.offset / 4 + record.flatLength));
    }
    for (const name in layout.scalars) {
      const record = layout.scalars[name]!;
      const value = args[record.index];
      if (record.type === 'Integer') entry.i32[record.offset / 4] = Number(value) | 0;
      else if (record.type === 'Boolean') entry.i32[record.offset / 4] = value ? 1 : 0;
      else entry.f32[record.offset / 4] = Number(value);
    }
    const seed = kernel.usesRandom ? (kernel.randomSeed !== null ? kernel.randomSeed >>> 0 : (Math.random() * 0x100000000) >>> 0) | 0 : 0;
    const sizeX = kernel.threadDim[0]!;
    const { name, work, view } = hooks.launch();
    const threads = hooks.threads();
    const always = hooks.always();
    const pool = threads > 1 && cells >= 8 && (always || work >= PoolChoice.minWork) ? hooks.pool() : null;
    // The choice times the output's copy too: cells a worker wrote sit in its core's cache, and
    // reading them back can cost as much as the split saved (measured on LeNet-5's layers).
    const base = layout.outputOffset / 4;
    const t0 = performance.now();
    const pooled = pool !== null && (always || hooks.choice.usePool(entry.id, pool.size > 0));
    if (pooled) pool.run(name, entry, cells, sizeX, seed, threads);
    else runSpan(entry, 0, cells, seed, sizeX);
    const data = view ? entry.f32.subarray(base, base + cells * kernel.componentCount) : entry.f32.slice(base, base + cells * kernel.componentCount);
    if (pool && !always) hooks.choice.record(entry.id, pooled, performance.now() - t0);
    if (pooled) hooks.pooled();
    return kernel._shapeOutput(data, Array.from(kernel.output), kernel.componentCount);
  };
}
