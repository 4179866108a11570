import type { KernelReturnType } from '@eole/core';

/** Planes computed per thread: 1 to 4, the value with the lowest modelled cost. */
export type PlaneBlock = 1 | 2 | 3 | 4;

/**
 * How many output planes one thread computes. One lane-varying read (a gather) costs about as much
 * as two multiply-adds, so a thread's cost is about B + 2 and a launch costs ⌈planes/B⌉·(B + 2).
 * That model ranks the measured timings right: 6 planes → B = 3 (2.8 ms, against 3.5 ms with B = 2
 * or 4), 16 planes → B = 4 (3.9 ms, against 4.6 ms with B = 3).
 */
export function planeBlock(planes: number): PlaneBlock {
  let best: PlaneBlock = 1;
  let bestCost = Infinity;
  for (const b of [4, 3, 2, 1] as const) {
    const cost = Math.ceil(planes / b) * (b + 2);
    if (cost < bestCost) {
      best = b;
      bestCost = cost;
    }
  }
  return best;
}

/** Source declaring the B running sums `s0..`, each initialised by `init(r)`. */
export const sumsDecl = (block: number, init: (r: number) => string): string =>
  Array.from({ length: block }, (_, r) => `let s${r} = ${init(r)};`).join(' ');
/** Source returning the B sums: `return s0;` or `return [s0, s1, …];`. */
export const sumsReturn = (block: number): string =>
  block === 1 ? 'return s0;' : `return [${Array.from({ length: block }, (_, r) => `s${r}`).join(', ')}];`;
/** Plane index of block row r, clamped to the last real plane (its sums are computed, then dropped). */
export const planeDecl = (block: number, first: string, count: string): string =>
  Array.from({ length: block }, (_, r) => (r === 0 ? `const p0 = ${first};` : `const p${r} = Math.min(${first} + ${r}, ${count} - 1);`)).join(' ');

/**
 * Moves a blocked result [outer, R, inner, B] (B planes per thread) to [outer, planes, inner],
 * dropping the padding planes of the last block. A layout copy, as core's matmul does after its
 * register-blocked kernel.
 */
export function unblockPlanes(blocked: Float32Array, outer: number, planes: number, block: number, inner: number): Float32Array {
  if (block === 1) return blocked;
  const R = Math.ceil(planes / block);
  const out = new Float32Array(outer * planes * inner);
  for (let n = 0; n < outer; n++) {
    for (let r = 0; r < R; r++) {
      const src = (n * R + r) * inner * block;
      for (let q = 0; q < block && block * r + q < planes; q++) {
        const dst = (n * planes + block * r + q) * inner;
        for (let j = 0; j < inner; j++) out[dst + j] = blocked[src + j * block + q]!;
      }
    }
  }
  return out;
}

/** The registry return type of a kernel computing `block` planes per thread: a number for 1. */
export function blockReturnType(block: PlaneBlock): KernelReturnType | undefined {
  return block === 1 ? undefined : (`Array(${block})` as KernelReturnType);
}
