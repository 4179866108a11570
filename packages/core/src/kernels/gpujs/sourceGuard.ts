import { createHash } from 'node:crypto';
import type { GpujsInternals, Prototype } from './gpujsInternals.js';

/**
 * The guard of the code generator fix: the replacements are written against gpu.js 2.24.1's
 * source, so they go in only when the installed gpu.js is that version AND each method they
 * replace or rely on has exactly the source text it had there (a SHA-256 of
 * `Function.prototype.toString()`). Anything else leaves gpu.js stock, correct and slower.
 */

/** The gpu.js a fix was written against: its version and the source hash of each method. */
export interface SourceExpectation {
  version: string;
  /** `'<Owner>#<method>'` (prototype) or `'<Owner>.<method>'` (static) → SHA-256 prefix. */
  hashes: Readonly<Record<string, string>>;
}

/** The guard's verdict; a refusal says why, naming the version or the first method that differs. */
export type GuardVerdict = { ok: true } | { ok: false; reason: string };

/** First 16 hex digits of the SHA-256 of `text`. */
export function sourceHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * gpu.js 2.24.1: the methods the fix replaces (walkFunction, emitVectorFunction,
 * stmtVariableDeclaration, vDeclareVarying, emitAssignment, vAssign, vGather, emitFlatLoad,
 * vCoerce) and those whose behaviour its proof of equal results relies on (the type system, index
 * and member emission, local bookkeeping, the SIMD driver, the opcode encodings it rewrites).
 */
export const GPUJS_2_24_1: SourceExpectation = {
  version: '2.24.1',
  hashes: {
    'WebAssemblyFunctionNode#walkFunction': 'e01e91accc27c633',
    'WebAssemblyFunctionNode#emitVectorFunction': 'e3c8243110537f79',
    'WebAssemblyFunctionNode#stmtVariableDeclaration': '3e014ddd7f8246dd',
    'WebAssemblyFunctionNode#vDeclareVarying': '7743a7e9441b3d02',
    'WebAssemblyFunctionNode#emitAssignment': 'f95164aa72624808',
    'WebAssemblyFunctionNode#vAssign': '252c690d9ef8e95b',
    'WebAssemblyFunctionNode#vGather': 'd997c99095d07855',
    'WebAssemblyFunctionNode#emitFlatLoad': 'be3f85321817070b',
    'WebAssemblyFunctionNode#vCoerce': '2ba84ce0dfc58c29',
    'WebAssemblyFunctionNode#toString': '09d60ac91bcecca7',
    'WebAssemblyFunctionNode#getType': '9a22cf9d036e416b',
    'WebAssemblyFunctionNode#setScalarLocal': '9a7edd188291f57b',
    'WebAssemblyFunctionNode#vSetVaryingScalar': 'ad908270bed6d7a3',
    'WebAssemblyFunctionNode#vSetLocal': '16bd49acc5f54498',
    'WebAssemblyFunctionNode#vstmtVariableDeclaration': 'cc24db595deb3c38',
    'WebAssemblyFunctionNode#vAnalyze': '846d4fb79fee041f',
    'WebAssemblyFunctionNode#exprBinary': '507c3257bb501281',
    'WebAssemblyFunctionNode#vexprBinary': '6542cf654b023916',
    'WebAssemblyFunctionNode#exprMember': 'a59250fe2cc6f2bb',
    'WebAssemblyFunctionNode#vexprMember': 'b81c46a55f7b3e50',
    'WebAssemblyFunctionNode#emitIndex': '3246d8f5b3cf9b14',
    'WebAssemblyFunctionNode#vEmitIndex': '697bf19a37c48407',
    'WebAssemblyFunctionNode#emitUpdate': '4d7c5c280077cf6b',
    'WebAssemblyFunctionNode#vUpdate': '4b4ab325830e8c5d',
    'FunctionNode#getType': '6cebdbf83e358272',
    'WebAssemblyKernel#_assembleModule': '44d1564968d582ab',
    'WebAssemblyKernel#_emitRunSimd': 'a10a7d968ed24634',
    'WebAssemblyKernel.dispatchSpans': '11659b256732a819',
    'WasmFunctionEmitter#f32Load': 'a32c4a48caeeb182',
    'WasmFunctionEmitter#v128Load': 'b3023104458376fa',
  },
};

/** The source text of `'<Owner>#<method>'` / `'<Owner>.<method>'` in the loaded gpu.js, if any. */
export function gpujsSource(gpujs: GpujsInternals, key: string): string | undefined {
  const match = /^(\w+)([#.])(\w+)$/.exec(key);
  if (!match) return undefined;
  const [, owner, kind, method] = match as unknown as [string, string, string, string];
  const owners: Record<string, Prototype | undefined> = {
    WebAssemblyFunctionNode: gpujs.functionNode,
    FunctionNode: gpujs.baseFunctionNode,
    WebAssemblyKernel: kind === '#' ? gpujs.kernel.prototype : gpujs.kernel,
    WasmFunctionEmitter: gpujs.emitter,
  };
  const target = owners[owner];
  if (!target || !Object.prototype.hasOwnProperty.call(target, method)) return undefined;
  const value = target[method];
  return typeof value === 'function' ? Function.prototype.toString.call(value) : undefined;
}

/**
 * Checks a gpu.js against what a fix expects: the exact version, then every method's source hash.
 * Pure: `sourceOf` supplies the source text, so a test can present a fake version or source.
 *
 * @example
 * checkSources(GPUJS_2_24_1, '2.25.0', () => undefined);
 * // { ok: false, reason: 'gpu.js 2.25.0 is not 2.24.1, the version the fix was written against' }
 */
export function checkSources(expected: SourceExpectation, version: string, sourceOf: (key: string) => string | undefined): GuardVerdict {
  if (version !== expected.version) {
    return { ok: false, reason: `gpu.js ${version} is not ${expected.version}, the version the fix was written against` };
  }
  for (const [key, hash] of Object.entries(expected.hashes)) {
    const source = sourceOf(key);
    if (source === undefined) return { ok: false, reason: `gpu.js ${version}: ${key} is missing` };
    const found = sourceHash(source);
    if (found !== hash) return { ok: false, reason: `gpu.js ${version}: the source of ${key} differs from the one the fix was written against (sha256 ${found}, expected ${hash})` };
  }
  return { ok: true };
}
