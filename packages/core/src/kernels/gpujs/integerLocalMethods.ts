import type { Ast, Method } from './gpujsInternals.js';
import { emitExactInteger, integerContext, rampOf, vEmitExactInteger, type FixedNode } from './exactInteger.js';
import { integerLocals } from './integerLocals.js';

/**
 * Replacements for the methods of gpu.js's `WebAssemblyFunctionNode` that declare and assign
 * locals: a promoted local (see {@link integerLocals}) gets an i32 (scalar walk) or i32x4 (SIMD
 * walk) wasm local and integer arithmetic; every other declaration and assignment goes to the
 * original method unchanged. Each factory takes the original and returns its replacement.
 */

const SCALAR_OPS: Record<string, 'i32Add' | 'i32Sub' | 'i32Mul' | null> = { '=': null, '+=': 'i32Add', '-=': 'i32Sub', '*=': 'i32Mul' };
const VECTOR_OPS: Record<string, 'i32x4Add' | 'i32x4Sub' | 'i32x4Mul' | null> = { '=': null, '+=': 'i32x4Add', '-=': 'i32x4Sub', '*=': 'i32x4Mul' };

function call(original: Method, node: FixedNode, args: unknown[]): unknown {
  return Reflect.apply(original, node, args) as unknown;
}

function analyse(node: FixedNode): void {
  node.eoleInts = integerLocals(node.getJsAST(), integerContext(node));
}

/** `walkFunction(em)`: the analysis pass stays stock; a bytecode pass first finds the promoted locals. */
export function walkFunction(original: Method): Method {
  return function (this: FixedNode, ...args: unknown[]) {
    if (this._analysisPass) this.eoleInts = null;
    else analyse(this);
    return call(original, this, args);
  } as Method;
}

/** `emitVectorFunction(assembler)`: the SIMD walk finds the promoted locals and starts with no ramps. */
export function emitVectorFunction(original: Method): Method {
  return function (this: FixedNode, ...args: unknown[]) {
    analyse(this);
    this.eoleRamps = new Map();
    this.eoleLastLoad = null;
    try {
      return call(original, this, args);
    } finally {
      this.eoleRamps = null;
      this.eoleLastLoad = null;
    }
  } as Method;
}

function promoted(node: FixedNode, name: string | undefined): boolean {
  return name !== undefined && node.eoleInts?.names.has(name) === true;
}

/** `stmtVariableDeclaration(varDecNode)`: a promoted local becomes an i32 local set by i32 arithmetic. */
export function stmtVariableDeclaration(original: Method): Method {
  return function (this: FixedNode, varDecNode: Ast) {
    const declarations = (varDecNode.declarations ?? []) as Ast[];
    if (!declarations.some((d) => d.init && promoted(this, d.id?.name))) return call(original, this, [varDecNode]);
    for (const declaration of declarations) {
      const name = declaration.id?.name;
      if (!declaration.init || !promoted(this, name)) {
        call(original, this, [{ ...varDecNode, declarations: [declaration] }]);
        continue;
      }
      const init = declaration.init;
      const info = this.getDeclaration(declaration.id!);
      if (info) info.valueType = 'Integer';
      this.setScalarLocal(name!, 'i32', 'Integer', () => emitExactInteger(this, init));
      if (this.isThreadDependent(init)) this.taintedLocals.add(name!);
    }
    return undefined;
  } as Method;
}

/**
 * `vDeclareVarying(declaration, varDecNode)`: a promoted lane-varying local becomes an i32x4 local.
 * When it is declared outside every lane mask, with `let`/`const`, never reassigned, and its value
 * is a ramp (lane i = lane 0 + coef·i), lane 0 is also kept in an i32 shadow local, so an array
 * read through it can find its first lane without extracting it.
 */
export function vDeclareVarying(original: Method): Method {
  return function (this: FixedNode, declaration: Ast, varDecNode: Ast) {
    const name = declaration.id?.name;
    const init = declaration.init;
    if (!init || !promoted(this, name)) return call(original, this, [declaration, varDecNode]);
    const info = this.getDeclaration(declaration.id!);
    if (info) info.valueType = 'Integer';
    this.vSetVaryingScalar(name!, 'vi32', 'Integer', () => vEmitExactInteger(this, init));
    this.eoleRamps?.delete(name!);
    if (this.vMaskDepth !== 0 || !this.eoleInts!.fixed.has(name!) || !this.eoleRamps) return undefined;
    const ramp = rampOf(this, init);
    if (!ramp || ramp.coef === 0) return undefined;
    const shadow = this.em.addLocal('i32');
    ramp.emitBase();
    this.em.localSet(shadow);
    this.eoleRamps.set(name!, { coef: ramp.coef, shadow });
    return undefined;
  } as Method;
}

/** `emitAssignment(assNode)`: `=`, `+=`, `-=`, `*=` to a promoted i32 local in i32 arithmetic. */
export function emitAssignment(original: Method): Method {
  return function (this: FixedNode, assNode: Ast) {
    const name = assNode.left?.type === 'Identifier' ? assNode.left.name : undefined;
    const local = name === undefined ? undefined : this.locals.get(name);
    const op = SCALAR_OPS[assNode.operator ?? ''];
    if (!promoted(this, name) || !local || local.kind !== 'scalar' || local.wtype !== 'i32' || op === undefined) {
      return call(original, this, [assNode]);
    }
    if (op) this.em.localGet(local.index);
    emitExactInteger(this, assNode.right!);
    if (op) this.em[op]();
    this.em.localSet(local.index);
    if (this.isThreadDependent(assNode.right!) || (op !== null && this.taintedLocals.has(name!))) this.taintedLocals.add(name!);
    return undefined;
  } as Method;
}

/** `vAssign(assNode)`: the same for a promoted lane-varying local (i32x4, blended under a lane mask). */
export function vAssign(original: Method): Method {
  return function (this: FixedNode, assNode: Ast) {
    const name = assNode.left?.type === 'Identifier' ? assNode.left.name : undefined;
    const local = name === undefined ? undefined : this.locals.get(name);
    const op = VECTOR_OPS[assNode.operator ?? ''];
    if (!promoted(this, name) || !local || local.kind !== 'vscalar' || local.wtype !== 'vi32' || op === undefined) {
      return call(original, this, [assNode]);
    }
    if (op) this.em.localGet(local.index);
    vEmitExactInteger(this, assNode.right!);
    if (op) this.em[op]();
    this.vSetLocal(local.index);
    return undefined;
  } as Method;
}
