/**
 * A small reader of the WebAssembly modules gpu.js's webasm backend generates (the bytes its
 * module cache keeps), enough to look at the code of one function: the type, import, function,
 * export and code sections, and the instructions of a body with their immediates. Used by the
 * tests of the code generator fix and to inspect generated kernels; not a general wasm parser.
 */

/** One instruction: its opcode (`0xfd0b` style for prefixed ones), immediates, block depth. */
export interface Instruction {
  /** `0x20` for `local.get`; a prefixed opcode is `prefix << 8 | sub` (`0xfd00` is `v128.load`). */
  op: number;
  /** Immediates in order (memarg is `[align, offset]`; constants are their decoded value). */
  args: number[];
  /** Nesting depth of blocks/loops/ifs the instruction sits in (0 = function body). */
  depth: number;
}

/** A function defined by the module. */
export interface WasmFunction {
  /** Index in the function index space (imports first). */
  index: number;
  /** Value types of the declared locals, in order (parameters excluded). */
  locals: string[];
  /** Number of parameters (locals are numbered after them). */
  params: number;
  /** The decoded body. */
  code: Instruction[];
}

/** The defined functions of a module, and its exported names. */
export interface WasmCode {
  functions: WasmFunction[];
  exports: Map<string, number>;
  imports: number;
}

/** Well-known opcodes, for readable assertions. */
export const OP = {
  loop: 0x03,
  call: 0x10,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Const: 0x41,
  f32Const: 0x43,
  i32Add: 0x6a,
  f32Add: 0x92,
  end: 0x0b,
  i32TruncSatF32S: 0xfc00,
  i32x4TruncSatF32x4S: 0xfdf8,
  v128Load: 0xfd00,
  v128Load32Splat: 0xfd09,
  f32Load: 0x2a,
} as const;

const VAL_TYPES: Record<number, string> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128' };

class Reader {
  at = 0;
  constructor(private readonly bytes: Uint8Array) {}
  get done(): boolean {
    return this.at >= this.bytes.length;
  }
  byte(): number {
    if (this.at >= this.bytes.length) throw new Error(`wasm reader: unexpected end at byte ${this.at}`);
    return this.bytes[this.at++]!;
  }
  uleb(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) return result;
    }
  }
  sleb(): number {
    let result = 0;
    let shift = 0;
    let b: number;
    do {
      b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return b & 0x40 ? result - 2 ** shift : result;
  }
  take(n: number): Uint8Array {
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
}

/** SIMD (0xFD) sub-opcodes with a memarg; those with one lane byte; those with 16 bytes. */
function simdImmediates(sub: number, r: Reader): number[] {
  if (sub <= 0x0b || sub === 0x5c || sub === 0x5d) return [r.uleb(), r.uleb()];
  if (sub === 0x0c || sub === 0x0d) return Array.from(r.take(16));
  if (sub >= 0x15 && sub <= 0x22) return [r.byte()];
  if (sub >= 0x54 && sub <= 0x5b) return [r.uleb(), r.uleb(), r.byte()];
  return [];
}

function immediates(op: number, r: Reader): { op: number; args: number[] } {
  if (op === 0x02 || op === 0x03 || op === 0x04) return { op, args: [r.byte()] };
  if (op === 0x0c || op === 0x0d || op === 0x10 || (op >= 0x20 && op <= 0x24)) return { op, args: [r.uleb()] };
  if (op >= 0x28 && op <= 0x3e) return { op, args: [r.uleb(), r.uleb()] };
  if (op === 0x41 || op === 0x42) return { op, args: [r.sleb()] };
  if (op === 0x43) return { op, args: [new DataView(r.take(4).slice().buffer).getFloat32(0, true)] };
  if (op === 0x44) return { op, args: [new DataView(r.take(8).slice().buffer).getFloat64(0, true)] };
  if (op === 0xfc) return { op: 0xfc00 | r.uleb(), args: [] };
  if (op === 0xfd) {
    const sub = r.uleb();
    return { op: 0xfd00 | sub, args: simdImmediates(sub, r) };
  }
  return { op, args: [] };
}

/** Decodes a function body's instructions (after its local declarations). */
export function decodeBody(body: Uint8Array): Instruction[] {
  const r = new Reader(body);
  const code: Instruction[] = [];
  let depth = 0;
  while (!r.done) {
    const decoded = immediates(r.byte(), r);
    if (decoded.op === OP.end || decoded.op === 0x05) depth--;
    code.push({ ...decoded, depth: Math.max(depth, 0) });
    if (decoded.op === 0x02 || decoded.op === 0x03 || decoded.op === 0x04 || decoded.op === 0x05) depth++;
  }
  return code;
}

function readTypes(r: Reader): number[] {
  const params: number[] = [];
  const count = r.uleb();
  for (let i = 0; i < count; i++) {
    r.byte();
    const p = r.uleb();
    r.take(p);
    params.push(p);
    r.take(r.uleb());
  }
  return params;
}

/**
 * Reads the functions and exports of `bytes` (a module gpu.js generated).
 *
 * @example
 * const code = readWasm(kernel.kernel._active.bytes);
 * const simd = kernelSimd(code); // the body run_simd calls per quad
 */
export function readWasm(bytes: Uint8Array): WasmCode {
  const r = new Reader(bytes);
  r.take(8);
  let typeParams: number[] = [];
  let imports = 0;
  let functionTypes: number[] = [];
  const exports = new Map<string, number>();
  const functions: WasmFunction[] = [];
  while (!r.done) {
    const id = r.byte();
    const size = r.uleb();
    const section = new Reader(r.take(size));
    if (id === 1) typeParams = readTypes(section);
    else if (id === 2) imports = countFunctionImports(section);
    else if (id === 3) functionTypes = Array.from({ length: section.uleb() }, () => section.uleb());
    else if (id === 7) readExports(section, exports);
    else if (id === 10) readCode(section, imports, functionTypes.map((t) => typeParams[t] ?? 0), functions);
  }
  return { functions, exports, imports };
}

function countFunctionImports(r: Reader): number {
  let functions = 0;
  const count = r.uleb();
  for (let i = 0; i < count; i++) {
    r.take(r.uleb());
    r.take(r.uleb());
    const kind = r.byte();
    if (kind === 0x00) {
      r.uleb();
      functions++;
    } else if (kind === 0x02) {
      const flags = r.byte();
      r.uleb();
      if (flags & 1) r.uleb();
    } else {
      throw new Error(`wasm reader: import kind ${kind} not supported`);
    }
  }
  return functions;
}

function readExports(r: Reader, exports: Map<string, number>): void {
  const count = r.uleb();
  for (let i = 0; i < count; i++) {
    const name = new TextDecoder().decode(r.take(r.uleb()));
    const kind = r.byte();
    const index = r.uleb();
    if (kind === 0x00) exports.set(name, index);
  }
}

function readCode(r: Reader, imports: number, params: number[], out: WasmFunction[]): void {
  const count = r.uleb();
  for (let i = 0; i < count; i++) {
    const body = new Reader(r.take(r.uleb()));
    const locals: string[] = [];
    const runs = body.uleb();
    for (let j = 0; j < runs; j++) {
      const n = body.uleb();
      const type = VAL_TYPES[body.byte()] ?? 'unknown';
      for (let k = 0; k < n; k++) locals.push(type);
    }
    out.push({ index: imports + i, locals, params: params[i] ?? 0, code: decodeBody(body.take(Number.MAX_SAFE_INTEGER)) });
  }
}

/** The function the export `entry` (`run` or `run_simd`) calls per cell or quad: `kernel` / `kernel_simd`. */
export function calledBy(code: WasmCode, entry: string): WasmFunction {
  const index = code.exports.get(entry);
  const caller = code.functions.find((f) => f.index === index);
  if (!caller) throw new Error(`wasm reader: no exported function '${entry}'`);
  const target = caller.code.find((i) => i.op === OP.call)?.args[0];
  const callee = code.functions.find((f) => f.index === target);
  if (!callee) throw new Error(`wasm reader: '${entry}' calls no defined function`);
  return callee;
}

/** The instructions of the innermost-first loop: the first `loop` that contains no other loop. */
export function innermostLoop(fn: WasmFunction): Instruction[] {
  const code = fn.code;
  for (let i = 0; i < code.length; i++) {
    if (code[i]!.op !== OP.loop) continue;
    const depth = code[i]!.depth;
    let j = i + 1;
    while (j < code.length && !(code[j]!.op === OP.end && code[j]!.depth === depth)) j++;
    const body = code.slice(i + 1, j);
    if (!body.some((ins) => ins.op === OP.loop)) return body;
  }
  return [];
}

/** The value type of local `index` of `fn` (parameters first, as wasm numbers them). */
export function localType(fn: WasmFunction, index: number): string {
  return index < fn.params ? 'param' : fn.locals[index - fn.params] ?? 'unknown';
}
