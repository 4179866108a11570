import type { Ast, Method } from './gpujsInternals.js';
import { canEmitExactInteger, emitExactInteger, vEmitExactInteger, type FixedNode } from './exactInteger.js';

/**
 * Replacements for the methods of gpu.js's `WebAssemblyFunctionNode` that emit array subscripts
 * and comparisons. gpu.js types an integer literal once, on its analysis pass, from the float
 * context it met there (`2 * K` with a float `K` makes the `2` a Number for good), so even once the
 * locals are i32 (`integer-locals-i32`) a subscript such as `a[ao + 2 * K + k]` is computed in f32
 * and truncated. An exact integer expression (see `isExactInteger`) is computed in i32
 * instead: the same integer below 2^24, and a comparison of two such integers has the same truth.
 */

const I32_COMPARE: Record<string, string> = {
  '<': 'i32LtS',
  '>': 'i32GtS',
  '<=': 'i32LeS',
  '>=': 'i32GeS',
  '==': 'i32Eq',
  '===': 'i32Eq',
  '!=': 'i32Ne',
  '!==': 'i32Ne',
};

function call(original: Method, node: FixedNode, args: unknown[]): unknown {
  return Reflect.apply(original, node, args) as unknown;
}

function exact(node: FixedNode, ast: Ast | undefined, vector = false): boolean {
  return ast !== undefined && canEmitExactInteger(node, ast, vector);
}

/** `emitIndex(property)`: an exact integer subscript is emitted in i32 arithmetic. */
export function emitIndex(original: Method): Method {
  return function (this: FixedNode, property: Ast) {
    if (!exact(this, property)) return call(original, this, [property]);
    emitExactInteger(this, property);
    return undefined;
  } as Method;
}

/** `vEmitIndex(property)`: the same, lane-wise (i32x4), in the SIMD walk. */
export function vEmitIndex(original: Method): Method {
  return function (this: FixedNode, property: Ast) {
    if (!exact(this, property, true)) return call(original, this, [property]);
    vEmitExactInteger(this, property);
    return undefined;
  } as Method;
}

/** `exprBinary(ast)`: a comparison of two exact integer expressions is an i32 comparison. */
export function exprBinary(original: Method): Method {
  return function (this: FixedNode, ast: Ast) {
    const compare = I32_COMPARE[ast.operator ?? ''];
    if (!compare || !exact(this, ast.left) || !exact(this, ast.right)) return call(original, this, [ast]);
    emitExactInteger(this, ast.left!);
    emitExactInteger(this, ast.right!);
    (this.em as unknown as Record<string, () => unknown>)[compare]!.call(this.em);
    return 'bool';
  } as Method;
}
