import { GPU, type IKernelRunShortcut } from 'gpu.js';
import { assertBackendAvailable, isBackendChoice, type BackendChoice, type BackendName } from './Backend.js';

/** One argument of a kernel launch: a flat array, or a scalar that may change between calls. */
export type KernelArg = Float32Array | number;

/** How to launch a kernel once. */
export interface Launch {
  /** gpu.js output size, at most 3-D: `[x]`, `[x, y]` or `[x, y, z]`. */
  output: number[];
  /** Values baked into the compiled kernel (sizes, strides, loop bounds). */
  constants?: Record<string, number>;
  /** Kernel arguments in order. */
  args: KernelArg[];
  /** Multiply-adds the launch does; the dispatcher uses it to pick a backend. Defaults to the output size. */
  work?: number;
}

/** A kernel defined once through the registry and launched many times. */
export interface Kernel {
  readonly name: string;
  /** Runs the kernel and returns its output as one flat, row-major Float32Array. */
  run(launch: Launch): Float32Array;
}

/** Counters of what ran where, for the event stream and the benchmarks. */
export interface KernelStats {
  calls: Record<BackendName, number>;
  compiles: number;
}

const GPU_MODE: Record<BackendName, string> = { cpu: 'cpu', webasm: 'webasm', headlessgl: 'headlessgl', webgpu: 'webgpu' };
const MAX_CACHED = 4096;

/**
 * The one registry over gpu.js (DESIGN.md, layer 2). It owns one `GPU` instance per backend,
 * compiles each kernel once per backend and launch shape, and dispatches each call: gpu.js `cpu`
 * mode for small work (lowest call overhead), `webasm` for large work, or the backend forced by
 * `EOLE_BACKEND` / {@link KernelRegistry.setBackend}. Every package defines its kernels here, so all
 * share one context and one backend choice.
 *
 * @example
 * const scale = kernels.define('scale', 'function(a, s) { return a[this.thread.x] * s; }');
 * const y = scale.run({ output: [n], args: [x, 2] });
 */
export class KernelRegistry {
  /**
   * Work (multiply-adds) at or above which `auto` dispatch uses `webasm`. `npm run bench` measures
   * the crossover: about 1,024 cells for an elementwise op (a call costs ~2 µs on cpu, ~3 µs on
   * webasm), and webasm wins every matmul from 5×5×5 up.
   */
  threshold = 1024;
  private choice: BackendChoice = 'auto';
  private readonly gpus = new Map<BackendName, GPU>();
  private readonly compiled = new Map<string, IKernelRunShortcut>();
  private readonly names = new Set<string>();
  private counters: KernelStats = { calls: { cpu: 0, webasm: 0, headlessgl: 0, webgpu: 0 }, compiles: 0 };

  constructor(env: string | undefined = process.env['EOLE_BACKEND']) {
    if (env !== undefined && env !== '') {
      if (!isBackendChoice(env)) throw new Error(`EOLE_BACKEND: expected one of auto, cpu, webasm, headlessgl, webgpu, got '${env}'`);
      this.setBackend(env);
    }
  }

  /** Forces a backend for every kernel (`auto` restores size-based dispatch). */
  setBackend(choice: BackendChoice): void {
    if (!isBackendChoice(choice)) throw new Error(`setBackend: expected one of auto, cpu, webasm, headlessgl, webgpu, got '${String(choice)}'`);
    if (choice !== 'auto') assertBackendAvailable(choice);
    this.choice = choice;
  }

  /** The current choice (`auto` or a forced backend). */
  get backend(): BackendChoice {
    return this.choice;
  }

  /** Runs `fn` with `choice` forced, then restores the previous choice (used by parity tests). */
  withBackend<T>(choice: BackendChoice, fn: () => T): T {
    const previous = this.choice;
    this.setBackend(choice);
    try {
      return fn();
    } finally {
      this.choice = previous;
    }
  }

  /** The backend a launch of `work` multiply-adds goes to. */
  backendFor(work: number): BackendName {
    if (this.choice !== 'auto') return this.choice;
    return work >= this.threshold ? 'webasm' : 'cpu';
  }

  /** Defines a kernel from gpu.js kernel source (a function or its source text). Names are unique. */
  define(name: string, source: string | ((...args: never[]) => unknown), returnType?: 'Array(2)' | 'Array(3)' | 'Array(4)'): Kernel {
    if (this.names.has(name)) throw new Error(`kernel '${name}' is already defined`);
    this.names.add(name);
    const text = typeof source === 'string' ? source : source.toString();
    const components = returnType ? Number(returnType.slice(6, 7)) : 1;
    return {
      name,
      run: (launch) => this.launch(name, text, returnType, components, launch),
    };
  }

  /** What ran where since start (or since {@link KernelRegistry.resetStats}). */
  stats(): KernelStats {
    return { calls: { ...this.counters.calls }, compiles: this.counters.compiles };
  }

  resetStats(): void {
    this.counters = { calls: { cpu: 0, webasm: 0, headlessgl: 0, webgpu: 0 }, compiles: 0 };
  }

  private launch(name: string, source: string, returnType: string | undefined, components: number, launch: Launch): Float32Array {
    const cells = launch.output.reduce((a, b) => a * b, 1);
    if (launch.output.length < 1 || launch.output.length > 3) throw new Error(`kernel '${name}': output must be 1-D to 3-D, got [${launch.output.join(', ')}]`);
    if (cells === 0) return new Float32Array(0);
    const backend = this.backendFor(launch.work ?? cells);
    const kernel = this.kernelFor(name, source, returnType, backend, launch);
    this.counters.calls[backend]++;
    const result = kernel(...launch.args) as unknown;
    return readResult(result, cells * components);
  }

  private kernelFor(name: string, source: string, returnType: string | undefined, backend: BackendName, launch: Launch): IKernelRunShortcut {
    const argKey = launch.args.map((a) => (typeof a === 'number' ? 's' : a.length)).join(',');
    const key = `${name}|${backend}|${launch.output.join('x')}|${JSON.stringify(launch.constants ?? {})}|${argKey}`;
    let kernel = this.compiled.get(key);
    if (kernel) return kernel;
    if (this.compiled.size >= MAX_CACHED) this.evictOldest();
    kernel = this.gpu(backend).createKernel(source, {
      output: launch.output,
      constants: launch.constants ?? {},
      ...(returnType ? { returnType } : {}),
      tactic: 'precision',
    } as never);
    flattenOutput(kernel);
    this.counters.compiles++;
    this.compiled.set(key, kernel);
    return kernel;
  }

  private evictOldest(): void {
    const first = this.compiled.keys().next();
    if (!first.done) {
      this.compiled.get(first.value)?.destroy?.();
      this.compiled.delete(first.value);
    }
  }

  private gpu(backend: BackendName): GPU {
    let gpu = this.gpus.get(backend);
    if (!gpu) {
      assertBackendAvailable(backend);
      gpu = new GPU({ mode: GPU_MODE[backend] } as never);
      this.gpus.set(backend, gpu);
    }
    return gpu;
  }
}

/**
 * gpu.js webasm shapes an `Array(n)` result into one typed-array view per output cell (a 784×1000
 * output made 196,000 objects and tripled the time of a matmul). The registry reads every result
 * as one flat array anyway, so the webasm kernel hands its flat output buffer back unshaped.
 */
function flattenOutput(shortcut: IKernelRunShortcut): void {
  const kernel = (shortcut as unknown as { kernel?: { _shapeOutput?: unknown } }).kernel;
  if (kernel && typeof kernel._shapeOutput === 'function' && kernel.constructor.name === 'WebAssemblyKernel') {
    kernel._shapeOutput = (data: Float32Array) => data;
  }
}

/**
 * Reads a gpu.js result into one flat Float32Array: zero-copy when gpu.js laid the output out
 * contiguously (webasm, and 1-D outputs on cpu), a copy otherwise (cpu rows, GL textures).
 */
export function readResult(result: unknown, length: number): Float32Array {
  if (result instanceof Float32Array) return result.length === length ? result : result.subarray(0, length);
  const first = firstLeaf(result);
  if (first && first.buffer.byteLength >= first.byteOffset + length * 4 && first.byteOffset === 0) {
    const view = new Float32Array(first.buffer, 0, length);
    const last = lastLeaf(result);
    if (last && last.buffer === first.buffer && last.byteOffset + last.byteLength === length * 4) return view;
  }
  const out = new Float32Array(length);
  let offset = 0;
  const visit = (node: unknown): void => {
    if (node instanceof Float32Array) {
      out.set(node, offset);
      offset += node.length;
    } else if (Array.isArray(node)) {
      for (const child of node) visit(child);
    } else if (typeof node === 'number') {
      out[offset++] = node;
    } else if (node && typeof (node as { toArray?: unknown }).toArray === 'function') {
      visit((node as { toArray(): unknown }).toArray());
    }
  };
  visit(result);
  if (offset !== length) throw new Error(`kernel result has ${offset} values, expected ${length}`);
  return out;
}

function firstLeaf(node: unknown): Float32Array | null {
  while (Array.isArray(node)) node = node[0];
  return node instanceof Float32Array ? node : null;
}

function lastLeaf(node: unknown): Float32Array | null {
  while (Array.isArray(node)) node = node[node.length - 1];
  return node instanceof Float32Array ? node : null;
}

/** The process-wide registry every Eole package defines its kernels through. */
export const kernels = new KernelRegistry();
