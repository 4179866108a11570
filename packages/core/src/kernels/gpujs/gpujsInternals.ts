import { createRequire } from 'node:module';

/**
 * The internals of gpu.js's WebAssembly backend that the code generator fix reads and replaces,
 * typed as far as the fix uses them. gpu.js has no `exports` map, so its source files are
 * reachable by deep `require`; they resolve to the same module instances that `import 'gpu.js'`
 * loaded, so replacing a prototype method here changes every kernel the process builds.
 */

/** An ESTree node as acorn (gpu.js's parser) produces it; only the fields the fix reads. */
export interface Ast {
  type: string;
  name?: string;
  value?: unknown;
  operator?: string;
  computed?: boolean;
  kind?: string;
  left?: Ast;
  right?: Ast;
  argument?: Ast;
  object?: Ast;
  property?: Ast;
  id?: Ast;
  init?: Ast | null;
  [key: string]: unknown;
}

/** gpu.js's `WasmFunctionEmitter`: one chaining method per wasm opcode. */
export interface Emitter {
  /** The function body emitted so far (absent on the analysis pass's no-op emitter). */
  bytes?: number[];
  addLocal(type: 'i32' | 'f32' | 'v128'): number;
  localGet(index: number): Emitter;
  localSet(index: number): Emitter;
  globalGet(index: number): Emitter;
  i32Const(value: number): Emitter;
  i32Add(): Emitter;
  i32Sub(): Emitter;
  i32Mul(): Emitter;
  i32Shl(): Emitter;
  i32LeU(): Emitter;
  f32Load(offset?: number, align?: number): Emitter;
  f32x4Splat(): Emitter;
  f32x4ReplaceLane(lane: number): Emitter;
  i32x4Splat(): Emitter;
  i32x4Add(): Emitter;
  i32x4Sub(): Emitter;
  i32x4Mul(): Emitter;
  i32x4MaxS(): Emitter;
  i32x4MinS(): Emitter;
  i32x4ExtractLane(lane: number): Emitter;
  v128ConstI32x4(a: number, b: number, c: number, d: number): Emitter;
  v128Load(offset?: number, align?: number): Emitter;
  else_(): Emitter;
}

/** A wasm local of the function being emitted, as gpu.js records it by variable name. */
export interface Local {
  kind: 'scalar' | 'vscalar' | 'vec' | 'vvec';
  index: number;
  wtype: string;
  gtype: string;
}

/** Where an array argument or constant lives in the kernel's memory (bytes, row-major dims). */
export interface ArrayLayout {
  offset: number;
  dims: [number, number, number];
  flatLength: number;
}

/** The module being assembled: its builder, memory layout and shared global indices. */
export interface Assembler {
  layout: { arrays: Record<string, ArrayLayout>; constantArrays: Record<string, ArrayLayout> };
  globals: { threadX: number; threadY: number; threadZ: number };
}

/** The SIMD walk's lane-variance analysis (`vAnalyze`). */
export interface VarianceInfo {
  varying: Set<string>;
  exprVarying(ast: Ast): boolean;
}

/** gpu.js's `WebAssemblyFunctionNode`, as the replacement methods see `this`. */
export interface WasmNode {
  em: Emitter;
  locals: Map<string, Local>;
  vec: boolean;
  vMaskDepth: number;
  vInfo: VarianceInfo | null;
  assembler: Assembler | null;
  constants: Record<string, unknown> | null;
  output: number[];
  argumentNames: string[];
  readsThread: boolean;
  taintedLocals: Set<string>;
  _analysisPass: boolean;
  getJsAST(): Ast;
  getDeclaration(id: Ast): { valueType: string | null } | null;
  emitIndex(ast: Ast): void;
  isThreadDependent(ast: Ast): boolean;
  setScalarLocal(name: string, wtype: string, gtype: string, emitInit: () => void): void;
  vSetVaryingScalar(name: string, wtype: string, gtype: string, emitInit: () => void): void;
  vSetLocal(index: number): void;
  vZero(): unknown;
  enterIf(type?: string): void;
  exit(): void;
}

/** A method of a gpu.js prototype, stored or replaced without knowing its parameters. */
export type Method = (this: WasmNode, ...args: never[]) => unknown;

/** A prototype whose methods the fix reads and replaces. */
export type Prototype = Record<string, unknown>;

/** The pieces of gpu.js the fix touches. */
export interface GpujsInternals {
  /** `version` from gpu.js's package.json. */
  version: string;
  /** `WebAssemblyFunctionNode.prototype` (the code generator). */
  functionNode: Prototype;
  /** `FunctionNode.prototype` (the type system the generator inherits). */
  baseFunctionNode: Prototype;
  /** `WebAssemblyKernel` (module assembly and span dispatch). */
  kernel: Prototype & { prototype: Prototype };
  /** `WasmFunctionEmitter.prototype` (opcode encodings). */
  emitter: Prototype;
}

const WASM = 'gpu.js/src/backend/web-assembly/';

/** Reads gpu.js's version from its package.json, or `'unknown'`. */
export function gpujsVersion(): string {
  try {
    const pkg = createRequire(import.meta.url)('gpu.js/package.json') as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Loads the WebAssembly backend's internals; throws when a file or export is missing. */
export function loadGpujsInternals(): GpujsInternals {
  const require = createRequire(import.meta.url);
  const exported = (file: string, name: string): Prototype & { prototype: Prototype } => {
    const value = (require(WASM + file) as Record<string, unknown>)[name];
    if (typeof value !== 'function') throw new Error(`gpu.js: ${file} exports no ${name}`);
    return value as unknown as Prototype & { prototype: Prototype };
  };
  const node = exported('function-node.js', 'WebAssemblyFunctionNode');
  return {
    version: gpujsVersion(),
    functionNode: node.prototype,
    baseFunctionNode: Object.getPrototypeOf(node.prototype) as Prototype,
    kernel: exported('kernel.js', 'WebAssemblyKernel'),
    emitter: exported('wasm-builder.js', 'WasmFunctionEmitter').prototype,
  };
}
