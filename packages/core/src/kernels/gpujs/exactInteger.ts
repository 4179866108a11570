import type { Ast, WasmNode } from './gpujsInternals.js';
import { isExactInteger, staticInteger, thisMember, type IntegerContext, type IntegerLocals } from './integerLocals.js';

/**
 * i32 emission of exact integer expressions (see {@link IntegerLocals}) inside gpu.js's generator,
 * for the scalar walk (`kernel`) and the SIMD walk (`kernel_simd`, 4 lanes = 4 consecutive
 * `thread.x`), and the ramp form of a lane-varying index.
 */

/** The fix's per-node state, kept on gpu.js's function node between the calls of one walk. */
export interface FixState {
  /** The promoted locals of the walk in progress (null on the analysis pass). */
  eoleInts?: IntegerLocals | null;
  /** Promoted SIMD locals known to hold `lane0 + coef·lane`, with lane 0 in an i32 shadow local. */
  eoleRamps?: Map<string, { coef: number; shadow: number }> | null;
  /** The f32.load just emitted by a uniform read, for the load32_splat rewrite. */
  eoleLastLoad?: { bytes: number[]; end: number; offset: number } | null;
}

export type FixedNode = WasmNode & FixState;

const I32_MAX = 2147483647;
const AXES = ['x', 'y', 'z'];

/** The integer facts of `node`'s kernel: its constants and output sizes. */
export function integerContext(node: WasmNode): IntegerContext {
  return {
    argumentNames: node.argumentNames,
    constant(name) {
      const value = node.constants?.[name];
      return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= I32_MAX ? value : undefined;
    },
    outputSize(axis) {
      const i = AXES.indexOf(axis);
      const size = i < 0 ? undefined : node.output?.[i];
      return typeof size === 'number' ? size : undefined;
    },
  };
}

function threadGlobal(node: WasmNode, axis: string): number {
  const globals = node.assembler!.globals;
  node.readsThread = true;
  return axis === 'x' ? globals.threadX : axis === 'y' ? globals.threadY : globals.threadZ;
}

function internal(what: string, ast: Ast): Error {
  return new Error(`@eole/core codegen fix (internal): ${what} at ${ast.type}`);
}

/**
 * True when `ast` is an exact integer expression over promoted locals that the emitters below can
 * emit right now: scalar (`vector` false) needs every local to be an i32 local and, in the SIMD
 * walk, no `this.thread.x`; lane-wise (`vector` true) also accepts the i32x4 locals.
 */
export function canEmitExactInteger(node: FixedNode, ast: Ast, vector: boolean): boolean {
  const ints = node.eoleInts;
  if (!ints || !isExactInteger(ast, ints.names, integerContext(node), ints.known)) return false;
  const ok = (e: Ast): boolean => {
    if (e.type === 'Identifier') {
      if (!ints.names.has(e.name!)) return ok(ints.known.get(e.name!)!);
      const local = node.locals.get(e.name!);
      return local?.kind === 'scalar' ? local.wtype === 'i32' : vector && local?.kind === 'vscalar' && local.wtype === 'vi32';
    }
    if (e.type === 'BinaryExpression') return ok(e.left!) && ok(e.right!);
    return vector || !node.vec || thisMember(e, 'thread') !== 'x';
  };
  return ok(ast);
}

/**
 * The value of an exact integer expression known at compile time (literals, integer constants,
 * output sizes, fixed locals initialised from those), folded with i32 wrap-around as wasm computes.
 */
export function foldInteger(node: FixedNode, ast: Ast): number | undefined {
  const value = staticInteger(ast, integerContext(node));
  if (value !== undefined) return value;
  if (ast.type === 'Identifier') {
    const init = node.eoleInts?.known.get(ast.name!);
    return init ? foldInteger(node, init) : undefined;
  }
  if (ast.type !== 'BinaryExpression') return undefined;
  const left = foldInteger(node, ast.left!);
  const right = left === undefined ? undefined : foldInteger(node, ast.right!);
  if (left === undefined || right === undefined) return undefined;
  if (ast.operator === '+') return (left + right) | 0;
  if (ast.operator === '-') return (left - right) | 0;
  return ast.operator === '*' ? Math.imul(left, right) : undefined;
}

/** Emits `ast` (an exact integer expression over uniform values) as one i32. */
export function emitExactInteger(node: FixedNode, ast: Ast): void {
  const em = node.em;
  const value = foldInteger(node, ast);
  if (value !== undefined) {
    em.i32Const(value);
    return;
  }
  const axis = thisMember(ast, 'thread');
  if (axis !== undefined) {
    em.globalGet(threadGlobal(node, axis));
    return;
  }
  if (ast.type === 'Identifier') {
    const init = node.eoleInts?.names.has(ast.name!) ? undefined : node.eoleInts?.known.get(ast.name!);
    if (init) return emitExactInteger(node, init);
    const local = node.locals.get(ast.name!);
    if (!local || local.kind !== 'scalar' || local.wtype !== 'i32') throw internal(`'${ast.name!}' is not an i32 local`, ast);
    em.localGet(local.index);
    return;
  }
  if (ast.type === 'BinaryExpression') {
    emitExactInteger(node, ast.left!);
    emitExactInteger(node, ast.right!);
    if (ast.operator === '+') em.i32Add();
    else if (ast.operator === '-') em.i32Sub();
    else em.i32Mul();
    return;
  }
  throw internal('not an exact integer expression', ast);
}

/** Emits `ast` (an exact integer expression) as an i32x4 of the quad's 4 lanes. */
export function vEmitExactInteger(node: FixedNode, ast: Ast): void {
  const em = node.em;
  if (!node.vInfo!.exprVarying(ast)) {
    emitExactInteger(node, ast);
    em.i32x4Splat();
    return;
  }
  if (thisMember(ast, 'thread') === 'x') {
    em.globalGet(threadGlobal(node, 'x')).i32x4Splat().v128ConstI32x4(0, 1, 2, 3).i32x4Add();
    return;
  }
  if (ast.type === 'Identifier') {
    const init = node.eoleInts?.names.has(ast.name!) ? undefined : node.eoleInts?.known.get(ast.name!);
    if (init) return vEmitExactInteger(node, init);
    const local = node.locals.get(ast.name!);
    if (!local || local.kind !== 'vscalar' || local.wtype !== 'vi32') throw internal(`'${ast.name!}' is not an i32x4 local`, ast);
    em.localGet(local.index);
    return;
  }
  if (ast.type === 'BinaryExpression') {
    vEmitExactInteger(node, ast.left!);
    vEmitExactInteger(node, ast.right!);
    if (ast.operator === '+') em.i32x4Add();
    else if (ast.operator === '-') em.i32x4Sub();
    else em.i32x4Mul();
    return;
  }
  throw internal('not an exact integer expression', ast);
}

/**
 * A lane-varying index in ramp form: lane i holds `base + coef·i` (i = 0..3), and `emitBase`
 * emits `base` (lane 0) as one i32. Null when the index is not an exact integer ramp.
 */
export interface Ramp {
  coef: number;
  emitBase(): void;
}

/**
 * The ramp form of `ast` in the SIMD walk, or null. Uniform parts must be exact integer
 * expressions (so their f32 and i32 values agree); varying parts are `this.thread.x` and promoted
 * locals recorded with a ramp, combined by `+`, `-`, and `*` by a compile-time integer.
 *
 * @example
 * // b[bo + k * N] with bo = z * sb + this.thread.x: coef 1, base = bo₀ + k·N
 */
export function rampOf(node: FixedNode, ast: Ast): Ramp | null {
  const ints = node.eoleInts;
  if (!ints) return null;
  const em = node.em;
  if (!node.vInfo!.exprVarying(ast)) {
    return canEmitExactInteger(node, ast, false) ? { coef: 0, emitBase: () => emitExactInteger(node, ast) } : null;
  }
  if (thisMember(ast, 'thread') === 'x') return { coef: 1, emitBase: () => em.globalGet(threadGlobal(node, 'x')) };
  if (ast.type === 'Identifier') {
    const ramp = node.eoleRamps?.get(ast.name!);
    if (ramp) return { coef: ramp.coef, emitBase: () => em.localGet(ramp.shadow) };
    const init = ints.known.get(ast.name!);
    return init ? rampOf(node, init) : null;
  }
  if (ast.type !== 'BinaryExpression') return null;
  if (ast.operator === '*') return scaledRamp(node, ast.left!, ast.right!) ?? scaledRamp(node, ast.right!, ast.left!);
  if (ast.operator !== '+' && ast.operator !== '-') return null;
  const left = rampOf(node, ast.left!);
  const right = left && rampOf(node, ast.right!);
  if (!left || !right) return null;
  const sign = ast.operator === '+' ? 1 : -1;
  return {
    coef: left.coef + sign * right.coef,
    emitBase: () => {
      left.emitBase();
      right.emitBase();
      if (sign > 0) em.i32Add();
      else em.i32Sub();
    },
  };
}

function scaledRamp(node: FixedNode, varying: Ast, factor: Ast): Ramp | null {
  const scale = foldInteger(node, factor);
  const ramp = scale === undefined ? null : rampOf(node, varying);
  if (!ramp || scale === undefined) return null;
  return {
    coef: ramp.coef * scale,
    emitBase: () => {
      ramp.emitBase();
      node.em.i32Const(scale).i32Mul();
    },
  };
}
