import { gpujsVersion, loadGpujsInternals, type Method, type Prototype } from './gpujsInternals.js';
import * as integerExpressions from './integerExpressionMethods.js';
import * as integerLocals from './integerLocalMethods.js';
import * as vectorLoads from './vectorLoadMethods.js';
import { checkSources, gpujsSource, GPUJS_2_24_1 } from './sourceGuard.js';

/** Where the WebAssembly code generator fix stands in this process. */
export interface CodegenFixStatus {
  /** True when gpu.js's generator is patched (by this copy of @eole/core or another one). */
  applied: boolean;
  /** Why it is not applied (gpu.js then stays stock: correct, slower). */
  reason?: string;
  /** The gpu.js version found (`'unknown'` when its package.json could not be read). */
  gpujsVersion: string;
  /** The fixes in force (see {@link CODEGEN_FIXES}); empty when not applied. */
  fixes: string[];
}

/**
 * The three changes to gpu.js 2.24.1's webasm generator (docs/gpujs-codegen.md):
 * - `integer-locals-i32`: locals that only ever hold integers and are only read as integers (loop
 *   counters, index bases such as `const j = this.thread.x`) are i32 locals computed in i32,
 *   instead of f32 locals whose every use as an index pays an `i32.trunc_sat_f32_s`; subscripts
 *   and comparisons made of such integers are computed in i32 too;
 * - `contiguous-v128-load`: a lane-varying read whose index is `base + this.thread.x` (lane i reads
 *   `base + i`) is one `v128.load` when the 4 elements are in bounds, else gpu.js's clamped gather;
 * - `uniform-load32-splat`: a lane-uniform read that a vector expression splats is one
 *   `v128.load32_splat` instead of `f32.load` + `f32x4.splat`.
 * Outputs are bit-identical to stock gpu.js's while integer index values stay below 2^24 in
 * magnitude (the f32 locals of stock gpu.js round beyond that).
 */
export const CODEGEN_FIXES: readonly string[] = ['integer-locals-i32', 'contiguous-v128-load', 'uniform-load32-splat'];

const REPLACEMENTS: Readonly<Record<string, (original: Method) => Method>> = {
  walkFunction: integerLocals.walkFunction,
  emitVectorFunction: integerLocals.emitVectorFunction,
  stmtVariableDeclaration: integerLocals.stmtVariableDeclaration,
  vDeclareVarying: integerLocals.vDeclareVarying,
  emitAssignment: integerLocals.emitAssignment,
  vAssign: integerLocals.vAssign,
  emitIndex: integerExpressions.emitIndex,
  vEmitIndex: integerExpressions.vEmitIndex,
  exprBinary: integerExpressions.exprBinary,
  vGather: vectorLoads.vGather,
  emitFlatLoad: vectorLoads.emitFlatLoad,
  vCoerce: vectorLoads.vCoerce,
};

/** What an installed fix keeps on the generator's prototype, shared by every copy of @eole/core. */
interface Installed {
  originals: Map<string, Method>;
  replacements: Map<string, Method>;
  fixes: string[];
  stockDepth: number;
}

const INSTALLED = Symbol.for('@eole/core.wasmCodegenFix');

let last: CodegenFixStatus | null = null;

function installedOn(proto: Prototype): Installed | undefined {
  return Reflect.get(proto, INSTALLED) as Installed | undefined;
}

function setMethods(proto: Prototype, methods: Map<string, Method>): void {
  for (const [name, value] of methods) Object.defineProperty(proto, name, { value, writable: true, configurable: true, enumerable: false });
}

function install(proto: Prototype): Installed {
  const originals = new Map<string, Method>();
  const replacements = new Map<string, Method>();
  for (const [name, make] of Object.entries(REPLACEMENTS)) {
    const original = proto[name] as Method;
    originals.set(name, original);
    replacements.set(name, make(original));
  }
  const installed: Installed = { originals, replacements, fixes: [...CODEGEN_FIXES], stockDepth: 0 };
  Object.defineProperty(proto, INSTALLED, { value: installed, enumerable: false });
  setMethods(proto, replacements);
  return installed;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Patches gpu.js's WebAssembly code generator (see {@link CODEGEN_FIXES}) when, and only when,
 * gpu.js is exactly 2.24.1 and every method the fix replaces or relies on has the source text it
 * was written against (sha256 of `Function.prototype.toString`). Otherwise gpu.js stays stock and
 * the status says why. Never throws; idempotent; affects kernels compiled afterwards (gpu.js keeps
 * each kernel's compiled modules).
 *
 * @example
 * const status = applyCodegenFix();
 * if (!status.applied) console.warn(`webasm kernels run stock: ${status.reason}`);
 */
export function applyCodegenFix(): CodegenFixStatus {
  let version = 'unknown';
  try {
    const gpujs = loadGpujsInternals();
    version = gpujs.version;
    const installed = installedOn(gpujs.functionNode);
    if (installed) return (last = { applied: true, gpujsVersion: version, fixes: [...installed.fixes] });
    const verdict = checkSources(GPUJS_2_24_1, version, (key) => gpujsSource(gpujs, key));
    if (!verdict.ok) return (last = { applied: false, reason: verdict.reason, gpujsVersion: version, fixes: [] });
    return (last = { applied: true, gpujsVersion: version, fixes: [...install(gpujs.functionNode).fixes] });
  } catch (error) {
    const found = version === 'unknown' ? gpujsVersion() : version;
    return (last = { applied: false, reason: `gpu.js's WebAssembly backend could not be read: ${message(error)}`, gpujsVersion: found, fixes: [] });
  }
}

/**
 * Where the fix stands, without trying to apply it: applied (by this or another copy of
 * @eole/core), refused (with the reason {@link applyCodegenFix} gave), or not yet attempted.
 *
 * @example
 * codegenFixStatus(); // { applied: true, gpujsVersion: '2.24.1', fixes: ['integer-locals-i32', …] }
 */
export function codegenFixStatus(): CodegenFixStatus {
  try {
    const gpujs = loadGpujsInternals();
    const installed = installedOn(gpujs.functionNode);
    if (installed) return { applied: true, gpujsVersion: gpujs.version, fixes: [...installed.fixes] };
  } catch {
    // reported below as the last attempt's reason
  }
  if (last) return { ...last, fixes: [...last.fixes] };
  return { applied: false, reason: 'applyCodegenFix() has not been called', gpujsVersion: gpujsVersion(), fixes: [] };
}

/**
 * Runs `fn` with gpu.js's stock generator, then puts the fix back (nesting allowed). For tests
 * that compare fixed and stock output: gpu.js compiles a kernel at its first call and keeps the
 * module, so `fn` must create (and first call) fresh kernels, synchronously.
 *
 * @example
 * const stock = withStockCodegen(() => new GPU({ mode: 'webasm' }).createKernel(src, opts)(a));
 */
export function withStockCodegen<T>(fn: () => T): T {
  let proto: Prototype | undefined;
  try {
    proto = loadGpujsInternals().functionNode;
  } catch {
    return fn();
  }
  const installed = installedOn(proto);
  if (!installed) return fn();
  if (installed.stockDepth++ === 0) setMethods(proto, installed.originals);
  try {
    return fn();
  } finally {
    if (--installed.stockDepth === 0) setMethods(proto, installed.replacements);
  }
}
