import { GPU, type IKernelRunShortcut } from 'gpu.js';
import { kernelHost } from '#kernel-host';
import type { KernelPool } from './KernelPool.js';
import { glRenderer } from './glRenderer.js';
import { PoolChoice } from './PoolChoice.js';
import type { SharedLaunch } from './sharedKernel.js';
import { assertBackendAvailable, BACKENDS, isBackendChoice, type BackendChoice, type BackendName } from './Backend.js';

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

/** The component count of a kernel that returns a small array per output cell. */
export type KernelReturnType = 'Array(2)' | 'Array(3)' | 'Array(4)';

/**
 * Kernel source for {@link KernelRegistry.define}: gpu.js kernel source text, or a thunk that builds
 * it (run only the first time the name is defined, so a source assembled from structural
 * parameters costs nothing on later calls).
 */
export type KernelSource = string | (() => string);

/**
 * The naming rule of every registry kernel, `<package>.<op>.<pass>`, with optional variant segments
 * after the pass: the package is lowercase with dashes (`core`, `conv`, `rnn-memory`, `speech`,
 * `metric`, `gan`, or a plug-in's name); every later segment is camelCase letters and digits
 * starting with a lowercase letter (`core.matmul.nn`, `conv.correlate.rows.k5.b3`). The pass may be
 * omitted (`<package>.<op>`) for an op whose single kernel serves every pass; core always names it.
 */
export const KERNEL_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*(?:\.[a-z][a-zA-Z0-9]*)+$/;

interface Definition {
  readonly text: string;
  /** The source calls a Math function webasm imports from JS (see {@link callsJsMath}). */
  readonly jsMath: boolean;
  readonly returnType: KernelReturnType | undefined;
  readonly kernel: Kernel;
}

/** A kernel defined once through the registry and launched many times. */
export interface Kernel {
  readonly name: string;
  /** Runs the kernel and returns its output as one flat, row-major Float32Array. */
  run(launch: Launch): Float32Array;
  /**
   * Runs the kernel and hands its output to `use` without copying it out of the kernel's memory
   * where the backend allows (webasm): the view is valid only inside `use`, which must copy what it
   * keeps (a re-layout such as matmul's unblocking reads it once and writes its own array).
   */
  read<T>(launch: Launch, use: (output: Float32Array) => T): T;
}

/** One kernel's share of a profiled region (see {@link KernelRegistry.profile}). */
export interface KernelProfileRow {
  /** Kernel name, `<package>.<op>.<pass>`. */
  name: string;
  backend: BackendName;
  calls: number;
  /** Wall time inside the launches (copy in, run, copy out), milliseconds. */
  ms: number;
  /** Output cells over all calls. */
  cells: number;
}

/** Counters of what ran where, for the event stream and the benchmarks. */
export interface KernelStats {
  calls: Record<BackendName, number>;
  compiles: number;
  /** Launches split over the thread pool (a subset of the webasm calls). */
  pooled: number;
}

const GPU_MODE: Record<BackendName, string> = { cpu: 'cpu', webasm: 'webasm', headlessgl: 'headlessgl', webgpu: 'webgpu', webgl2: 'webgl2', webgl: 'webgl' };
const CHOICES = ['auto', ...BACKENDS].join(', ');
const MAX_CACHED = 4096;

/**
 * The one registry over gpu.js (DESIGN.md, layer 2). It owns one `GPU` instance per backend,
 * compiles each kernel once per backend and launch shape, and dispatches each call: gpu.js `cpu`
 * mode for small work (lowest call overhead), `webasm` for large work, or the backend forced by
 * `EOLE_BACKEND` / {@link KernelRegistry.setBackend}. Every package defines its kernels here, so all
 * share one context and one backend choice.
 *
 * @example
 * const scale = kernels.define('my-plugin.scale.forward', 'function(a, s) { return a[this.thread.x] * s; }');
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
  private threadCount = kernelHost.defaultThreads();
  private pool: KernelPool | null = null;
  private splitAlways = false;
  private readonly poolChoice = new PoolChoice();
  /** The launch in flight, read by the shared-memory runner of webasm kernels. */
  private readonly current: SharedLaunch = { name: '', work: 0, view: false };
  private profiling: Map<string, KernelProfileRow> | null = null;
  private readonly gpus = new Map<BackendName, GPU>();
  private readonly compiled = new Map<string, IKernelRunShortcut>();
  /** Keys of the compiled webasm kernels, least recently used first (kept where the host bounds them). */
  private readonly webasmKeys = new Set<string>();
  private readonly definitions = new Map<string, Definition>();
  private counters: KernelStats = zeroStats();

  constructor(env: string | undefined = kernelHost.env('EOLE_BACKEND'), threadsEnv: string | undefined = kernelHost.env('EOLE_THREADS')) {
    if (env !== undefined && env !== '') {
      if (!isBackendChoice(env)) throw new Error(`EOLE_BACKEND: expected one of ${CHOICES}, got '${env}'`);
      this.setBackend(env);
    }
    if (threadsEnv !== undefined && threadsEnv !== '') {
      const n = Number(threadsEnv);
      if (!Number.isInteger(n) || n < 1) throw new Error(`EOLE_THREADS: expected an integer ≥ 1 (1 turns the thread pool off), got '${threadsEnv}'`);
      this.threadCount = Math.min(n, kernelHost.maxThreads);
    }
  }

  /**
   * Threads that run large webasm launches: the main thread plus `n − 1` pool workers (`1` turns the
   * pool off). Defaults to `EOLE_THREADS`, else the machine's core count. Results are bit-identical for
   * any `n`: a launch is split only along its output cells.
   */
  setThreads(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`setThreads: n must be an integer ≥ 1, got ${String(n)}`);
    if (n > kernelHost.maxThreads) throw new RangeError(`setThreads: the ${kernelHost.platform} build runs kernels on at most ${kernelHost.maxThreads} thread(s), got n = ${n}`);
    this.threadCount = n;
    // Fewer threads leave the extra workers asleep (they cost nothing idle); more start new ones.
    if (this.pool && this.pool.workerCount < n - 1) this.pool.resize(n - 1);
  }

  /**
   * Runs `fn` with `n` threads, then restores the previous count. `split: 'always'` sends every
   * webasm launch of 8 cells or more to the pool, skipping the measured choice (the determinism tests
   * use it so that small test shapes are split too); it waits until the workers are up.
   */
  withThreads<T>(n: number, fn: () => T, split: 'measure' | 'always' = 'measure'): T {
    const previous = this.threadCount;
    const previousSplit = this.splitAlways;
    this.setThreads(n);
    this.splitAlways = split === 'always';
    if (this.splitAlways) this.threadPool()?.waitReady();
    try {
      return fn();
    } finally {
      this.splitAlways = previousSplit;
      this.setThreads(previous);
    }
  }

  /** Threads large launches use (see {@link KernelRegistry.setThreads}). */
  get threads(): number {
    return this.threadCount;
  }

  /** Ends the thread pool's workers (a later large launch starts them again). */
  close(): void {
    this.pool?.close();
    this.pool = null;
  }

  /**
   * The thread pool, started on first use with `threads − 1` workers; null while `threads` is 1.
   * Tests use it to wait for the workers or to inject a fault.
   */
  threadPool(): KernelPool | null {
    if (this.threadCount <= 1) return null;
    if (!this.pool) {
      this.pool = kernelHost.createPool();
      this.pool.resize(this.threadCount - 1);
    }
    return this.pool;
  }

  /**
   * Runs `fn` and returns, beside its result, the time each kernel took in it (slowest first): a
   * profile of one training step says which launches to fuse or speed up.
   *
   * @example
   * const { kernels: rows } = kernels.profile(() => step()); // [{ name: 'conv.correlate.rows.k5.b4', ms: 1.9, ... }, ...]
   */
  profile<T>(fn: () => T): { result: T; kernels: KernelProfileRow[]; launches: number; ms: number } {
    const outer = this.profiling;
    const rows = new Map<string, KernelProfileRow>();
    this.profiling = rows;
    const t0 = performance.now();
    try {
      const result = fn();
      const ms = performance.now() - t0;
      const list = [...rows.values()].sort((a, b) => b.ms - a.ms);
      return { result, kernels: list, launches: list.reduce((n, r) => n + r.calls, 0), ms };
    } finally {
      this.profiling = outer;
      if (outer) for (const [k, r] of rows) addProfile(outer, k, r);
    }
  }

  /**
   * Forces a backend for every kernel (`auto` restores size-based dispatch); a backend that cannot
   * run here is refused with an error saying what it needs. In a page (the browser build), `webgl2`
   * or `webgl` runs the same registered kernels on WebGL, and `cpu` is the fallback.
   *
   * @example
   * kernels.setBackend(backendAvailable('webgl2') ? 'webgl2' : 'cpu');
   */
  setBackend(choice: BackendChoice): void {
    if (!isBackendChoice(choice)) throw new Error(`setBackend: expected one of ${CHOICES}, got '${String(choice)}'`);
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

  /**
   * What `backend`'s kernels run on, for reports: the WebGL renderer and version of the context
   * gpu.js draws into (`webgl2`, `webgl`, `headlessgl`: e.g. SwiftShader, Chromium's software
   * WebGL, on a machine without a GPU), or null for backends without a GL context and before the
   * backend has compiled a kernel.
   *
   * @example
   * kernels.setBackend('webgl2'); x.matmul(y); kernels.renderer('webgl2'); // 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device ...)) (WebGL 2.0 ...)'
   */
  renderer(backend: BackendName): string | null {
    return glRenderer((this.gpus.get(backend) as { context?: unknown } | undefined)?.context);
  }

  /**
   * The backend a launch of `work` multiply-adds goes to. Under `auto`, a kernel whose source calls
   * `Math.exp`, `Math.log`, `Math.tanh`, `Math.pow` or another function webasm has no opcode for
   * (`jsMath`, see {@link callsJsMath}) runs on `cpu` at every size: webasm calls out to JavaScript
   * once per lane for each of them, and measured on this machine's 2 cores the cpu mode was 1.1 to
   * 10 times faster (exp, log, tanh, sigmoid on 4k to 400k cells; the log-sum-exp of a 4×11×96×96
   * log-softmax 12.9 ms against 31.0).
   */
  backendFor(work: number, jsMath = false): BackendName {
    if (this.choice !== 'auto') return this.choice;
    return work >= this.threshold && !jsMath ? 'webasm' : 'cpu';
  }

  /**
   * Defines the kernel `name` from gpu.js kernel source, idempotently: the one way every package
   * defines a kernel, so no caller keeps its own "define once" memo. Defining a name again returns
   * the same {@link Kernel} when the source text and return type are identical, and throws an error
   * naming the kernel when they differ. With a thunk, the name must determine the source (encode
   * the structural parameters in a variant segment, e.g. `core.permute.rank3`): the thunk runs only
   * the first time and later calls check the return type alone.
   *
   * Names follow {@link KERNEL_NAME}, `<package>.<op>.<pass>` (e.g. `core.matmul.nn`,
   * `conv.maxPool2d.forward`); a name that does not is rejected with an error naming it.
   *
   * Sources keep to the subset every backend runs: flat `Float32Array` arguments, sizes in
   * `this.constants`, a number or (with `returnType`) a small array returned per output cell.
   *
   * @example
   * const twice = kernels.define('my-plugin.twice.forward', 'function(a) { return 2 * a[this.thread.x]; }');
   * const permute = kernels.define(`core.permute.rank${n}`, () => permuteSource(n)); // built once
   * twice === kernels.define('my-plugin.twice.forward', 'function(a) { return 2 * a[this.thread.x]; }'); // true
   */
  define(name: string, source: KernelSource, returnType?: KernelReturnType): Kernel {
    const known = this.definitions.get(name);
    if (known) return sameDefinition(name, known, source, returnType);
    if (!KERNEL_NAME.test(name)) {
      throw new Error(`kernel '${name}': names follow <package>.<op>.<pass> (lowercase package with dashes, camelCase segments), e.g. 'core.matmul.nn'`);
    }
    const text = typeof source === 'string' ? source : source();
    if (typeof text !== 'string' || text.length === 0) throw new Error(`kernel '${name}': source must be non-empty gpu.js kernel source text`);
    const components = returnType ? Number(returnType.slice(6, 7)) : 1;
    const jsMath = callsJsMath(text);
    const kernel: Kernel = {
      name,
      run: (launch) => this.launch(name, text, returnType, components, launch, false, jsMath),
      read: (launch, use) => use(this.launch(name, text, returnType, components, launch, true, jsMath)),
    };
    this.definitions.set(name, { text, jsMath, returnType, kernel });
    return kernel;
  }

  /** The names of the kernels defined so far, in definition order. */
  names(): string[] {
    return [...this.definitions.keys()];
  }

  /** What ran where since start (or since {@link KernelRegistry.resetStats}). */
  stats(): KernelStats {
    return { calls: { ...this.counters.calls }, compiles: this.counters.compiles, pooled: this.counters.pooled };
  }

  /** Zeroes the call and compile counters of {@link KernelRegistry.stats}. */
  resetStats(): void {
    this.counters = zeroStats();
  }

  private launch(name: string, source: string, returnType: string | undefined, components: number, launch: Launch, view: boolean, jsMath: boolean): Float32Array {
    const cells = launch.output.reduce((a, b) => a * b, 1);
    if (launch.output.length < 1 || launch.output.length > 3) throw new Error(`kernel '${name}': output must be 1-D to 3-D, got [${launch.output.join(', ')}]`);
    if (cells === 0) return new Float32Array(0);
    const backend = this.backendFor(launch.work ?? cells, jsMath);
    const kernel = this.kernelFor(name, source, returnType, backend, launch);
    this.counters.calls[backend]++;
    // One record rewritten per launch (this is the hot path: no allocation).
    this.current.name = name;
    this.current.work = launch.work ?? cells;
    this.current.view = view;
    if (!this.profiling) return readResult(kernel(...launch.args) as unknown, cells * components);
    const t0 = performance.now();
    const out = readResult(kernel(...launch.args) as unknown, cells * components);
    addProfile(this.profiling, `${name}|${backend}`, { name, backend, calls: 1, ms: performance.now() - t0, cells });
    return out;
  }

  private kernelFor(name: string, source: string, returnType: string | undefined, backend: BackendName, launch: Launch): IKernelRunShortcut {
    const argKey = launch.args.map((a) => (typeof a === 'number' ? 's' : a.length)).join(',');
    const key = `${name}|${backend}|${launch.output.join('x')}|${JSON.stringify(launch.constants ?? {})}|${argKey}`;
    const bounded = backend === 'webasm' && kernelHost.maxWebasmKernels < Infinity;
    let kernel = this.compiled.get(key);
    if (kernel) {
      if (bounded) {
        this.webasmKeys.delete(key);
        this.webasmKeys.add(key);
      }
      return kernel;
    }
    if (this.compiled.size >= MAX_CACHED) this.evict(this.compiled.keys().next().value);
    if (bounded && this.webasmKeys.size >= kernelHost.maxWebasmKernels) this.evict(this.webasmKeys.values().next().value);
    kernel = this.gpu(backend).createKernel(source, {
      output: launch.output,
      constants: launch.constants ?? {},
      constantTypes: integerConstantTypes(launch.constants),
      ...(returnType ? { returnType } : {}),
      tactic: 'precision',
    } as never);
    flattenOutput(kernel);
    if (backend === 'webasm') {
      kernelHost.shareWebasm(kernel, {
        launch: () => this.current,
        pool: () => this.threadPool(),
        threads: () => this.threadCount,
        always: () => this.splitAlways,
        choice: this.poolChoice,
        pooled: () => this.counters.pooled++,
      });
    }
    this.counters.compiles++;
    this.compiled.set(key, kernel);
    if (bounded) this.webasmKeys.add(key);
    return kernel;
  }

  /** Destroys a compiled kernel (gpu.js releases its modules, memories and textures) and forgets it. */
  private evict(key: string | undefined): void {
    if (key === undefined) return;
    this.compiled.get(key)?.destroy?.();
    this.compiled.delete(key);
    this.webasmKeys.delete(key);
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

function addProfile(rows: Map<string, KernelProfileRow>, key: string, r: KernelProfileRow): void {
  const known = rows.get(key);
  if (!known) rows.set(key, { ...r });
  else {
    known.calls += r.calls;
    known.ms += r.ms;
    known.cells += r.cells;
  }
}

/** Math functions gpu.js's webasm backend imports from JavaScript (no wasm opcode): each call leaves wasm. */
const JS_MATH = /\bMath\.(?:sin|cos|tan|asin|acos|atan|atan2|sinh|cosh|tanh|asinh|acosh|atanh|exp|expm1|log|log2|log10|log1p|cbrt|pow|sign)\s*\(/;

/**
 * Whether a kernel source calls a Math function that gpu.js's webasm backend imports from
 * JavaScript (`exp`, `log`, `tanh`, `pow`, the trigonometric functions, …): such a kernel runs on
 * `cpu` under `auto` dispatch (see {@link KernelRegistry.backendFor}). `Math.sqrt`, `abs`, `floor`,
 * `ceil`, `min`, `max` compile to wasm opcodes and do not count.
 *
 * @example
 * callsJsMath('function(a) { return Math.exp(a[this.thread.x]); }'); // true
 */
export function callsJsMath(source: string): boolean {
  return JS_MATH.test(source);
}

/**
 * gpu.js `constantTypes` marking every integer-valued constant below 2³¹ in magnitude as `Integer`:
 * webasm then keeps index arithmetic on sizes and strides in i32 instead of f32 (with the code
 * generator fix, the difference between ~2.5 and ~10 GFLOP/s in a 512³ matmul on one core). `/`
 * stays float division and `%` is unchanged for Integer operands; values that are not integers stay
 * `Float` (webasm would round them).
 */
export function integerConstantTypes(constants: Record<string, number> | undefined): Record<string, 'Integer' | 'Float'> {
  const types: Record<string, 'Integer' | 'Float'> = {};
  for (const [name, v] of Object.entries(constants ?? {})) types[name] = Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? 'Integer' : 'Float';
  return types;
}

/** The kernel already defined as `name`, after checking that `source` and `returnType` match it. */
function sameDefinition(name: string, known: Definition, source: KernelSource, returnType: KernelReturnType | undefined): Kernel {
  if (known.returnType !== returnType) {
    throw new Error(`kernel '${name}' is already defined with return type ${known.returnType ?? 'number'}, not ${returnType ?? 'number'}`);
  }
  if (typeof source === 'string' && known.text !== source) {
    throw new Error(`kernel '${name}' is already defined with a different source; give the new kernel its own name`);
  }
  return known.kernel;
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

// Node: gpu.js 2.24.1's webasm code generator, fixed before any kernel compiles (docs/gpujs-codegen.md).
kernelHost.prepareGpujs();

function zeroStats(): KernelStats {
  return { calls: { cpu: 0, webasm: 0, headlessgl: 0, webgpu: 0, webgl2: 0, webgl: 0 }, compiles: 0, pooled: 0 };
}

/** The process-wide registry every Eole package defines its kernels through. */
export const kernels = new KernelRegistry();
