import type { ArrayLayout, Assembler, Ast, Method } from './gpujsInternals.js';
import { rampOf, type FixedNode } from './exactInteger.js';

/**
 * Replacements for the array reads of gpu.js's SIMD walk (`kernel_simd`, lanes = 4 consecutive
 * `thread.x`). Each factory takes the original method and returns its replacement.
 */

/** The wasm SIMD opcode `v128.load32_splat` (0xFD 0x09, then a memarg). */
const LOAD32_SPLAT = [0xfd, 0x09];
/** `f32.load` (0x2A) with alignment exponent 2, as gpu.js's `f32Load(offset)` encodes it. */
const F32_LOAD = [0x2a, 0x02];

function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function call(original: Method, node: FixedNode, args: unknown[]): unknown {
  return Reflect.apply(original, node, args) as unknown;
}

/** The memory layout of array argument (`table` 'arrays') or constant ('constantArrays') `name`. */
function layoutOf(node: FixedNode, table: string, name: string): ArrayLayout | undefined {
  const tables = node.assembler?.layout as Partial<Record<string, Assembler['layout']['arrays']>> | undefined;
  return tables?.[table]?.[name];
}

/**
 * `vGather(table, name, x, y, z, mNode)`: a lane-varying read whose flat index is a ramp of
 * coefficient 1 (lane i reads `base + i`: `b[k][this.thread.x]`, `b[bo + k * N]` with
 * `bo = … + this.thread.x`) becomes one `v128.load` when `0 ≤ base ≤ length − 4`. Otherwise the
 * quad takes gpu.js's own path from the same 4 indices: clamp each into [0, length − 1], then 4
 * scalar loads. Every other read goes to the original (the 4-load gather).
 */
export function vGather(original: Method): Method {
  return function (this: FixedNode, ...args: unknown[]) {
    const [table, name, x, y, z] = args as [string, string, Ast, Ast | null, Ast | null];
    const layout = layoutOf(this, table, name);
    const vInfo = this.vInfo;
    if (!layout || !vInfo || (y && vInfo.exprVarying(y)) || (z && vInfo.exprVarying(z))) return call(original, this, args);
    const ramp = rampOf(this, x);
    if (!ramp || ramp.coef !== 1) return call(original, this, args);
    const em = this.em;
    const base = em.addLocal('i32');
    ramp.emitBase();
    if (y) {
      this.emitIndex(y);
      em.i32Const(layout.dims[0]).i32Mul().i32Add();
    }
    if (z) {
      this.emitIndex(z);
      em.i32Const(layout.dims[0] * layout.dims[1]).i32Mul().i32Add();
    }
    em.localSet(base);
    const vectorLoad = layout.flatLength >= 4;
    if (vectorLoad) {
      em.localGet(base).i32Const(layout.flatLength - 4).i32LeU();
      this.enterIf('v128');
      em.localGet(base).i32Const(2).i32Shl().v128Load(layout.offset, 2);
      em.else_();
    }
    const max = layout.flatLength - 1;
    em.localGet(base).i32x4Splat().v128ConstI32x4(0, 1, 2, 3).i32x4Add();
    this.vZero();
    em.i32x4MaxS().v128ConstI32x4(max, max, max, max).i32x4MinS();
    const index = em.addLocal('v128');
    em.localSet(index);
    em.localGet(index).i32x4ExtractLane(0).i32Const(2).i32Shl().f32Load(layout.offset).f32x4Splat();
    for (let lane = 1; lane < 4; lane++) {
      em.localGet(index).i32x4ExtractLane(lane).i32Const(2).i32Shl().f32Load(layout.offset).f32x4ReplaceLane(lane);
    }
    if (vectorLoad) this.exit();
    return 'vf32';
  } as Method;
}

/** `emitFlatLoad(table, name, …)`: remembers where the SIMD walk's uniform `f32.load` ends. */
export function emitFlatLoad(original: Method): Method {
  return function (this: FixedNode, ...args: unknown[]) {
    const result = call(original, this, args);
    const bytes = this.em.bytes;
    const [table, name] = args as [string, string];
    const layout = layoutOf(this, table, name);
    this.eoleLastLoad = this.vec && Array.isArray(bytes) && layout ? { bytes, end: bytes.length, offset: layout.offset } : null;
    return result;
  } as Method;
}

/**
 * `vCoerce(from, to)`: a uniform f32 that a lane-varying expression needs is splatted; when that
 * f32 is the `f32.load` emitted just before (nothing after it), `f32.load` + `f32x4.splat`
 * becomes one `v128.load32_splat` of the same address (the same 32 bits in every lane).
 */
export function vCoerce(original: Method): Method {
  return function (this: FixedNode, ...args: unknown[]) {
    const [from, to] = args as [string, string];
    const last = this.eoleLastLoad;
    const bytes = this.em.bytes;
    if (from === 'f32' && to === 'vf32' && this.vec && last && bytes === last.bytes && bytes.length === last.end) {
      const load = [...F32_LOAD, ...uleb(last.offset)];
      const start = last.end - load.length;
      if (start >= 0 && load.every((byte, i) => bytes[start + i] === byte)) {
        bytes.length = start;
        bytes.push(...LOAD32_SPLAT, 0x02, ...uleb(last.offset));
        this.eoleLastLoad = null;
        return 'vf32';
      }
    }
    return call(original, this, args);
  } as Method;
}
