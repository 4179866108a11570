import { kernels } from '@eole/core';

/**
 * Nearest-neighbour upsampling by an integer `scale`: y[p, i, j] = x[p, ⌊i/s⌋, ⌊j/s⌋]. One thread
 * per output cell; the source row and column come from an integer division of the thread indices.
 */
const FORWARD = `function(x) {
  const j = this.thread.x; const i = this.thread.y; const p = this.thread.z;
  const a = Math.floor(i / this.constants.s); const b = Math.floor(j / this.constants.s);
  return x[(p * this.constants.H + a) * this.constants.W + b];
}`;

/** Its backward: gi[p, a, b] = Σ_{u, v < s} g[p, a·s + u, b·s + v] (the s×s block each input fed). */
const BACKWARD = `function(g) {
  const b = this.thread.x; const a = this.thread.y; const p = this.thread.z;
  const OW = this.constants.W * this.constants.s;
  const base = (p * this.constants.H * this.constants.s + a * this.constants.s) * OW + b * this.constants.s;
  let sum = 0;
  for (let u = 0; u < this.constants.s; u++) {
    for (let v = 0; v < this.constants.s; v++) {
      sum += g[base + u * OW + v];
    }
  }
  return sum;
}`;

/** x [planes, H, W] → [planes, H·s, W·s]. */
export function upsampleNearestRaw(x: Float32Array, planes: number, H: number, W: number, s: number): Float32Array {
  const k = kernels.define('conv.upsampleNearest.forward', FORWARD);
  return k.run({ output: [W * s, H * s, planes], constants: { H, W, s }, args: [x] });
}

/** g [planes, H·s, W·s] → [planes, H, W], the sum of each s×s block. */
export function upsampleNearestBackwardRaw(g: Float32Array, planes: number, H: number, W: number, s: number): Float32Array {
  const k = kernels.define('conv.upsampleNearest.backward', BACKWARD);
  return k.run({ output: [W, H, planes], constants: { H, W, s }, args: [g], work: planes * H * W * s * s });
}
