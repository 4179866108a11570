import { kernels } from '@eole/core';
import type { PoolShape, PoolWindow } from '../geometry/poolGeometry.js';
import { coveringWindowsSource, poolConstants } from './poolWindows.js';

/**
 * Forward: for each output cell, the arg-max of its window as an offset inside the input plane
 * (h·iW + w); the first maximum wins ties. Padded positions are skipped (they act as −∞, as in
 * Torch7).
 */
const FORWARD = `function(x) {
  const i = this.thread.x;
  const plane = Math.floor(i / this.constants.oHW);
  const r = i - plane * this.constants.oHW;
  const oh = Math.floor(r / this.constants.oW);
  const ow = r - oh * this.constants.oW;
  const h0 = oh * this.constants.dH - this.constants.padH;
  const w0 = ow * this.constants.dW - this.constants.padW;
  const base = plane * this.constants.iHW;
  let best = 0;
  let arg = -1;
  for (let a = 0; a < this.constants.kH; a++) {
    const h = h0 + a;
    if (h >= 0 && h < this.constants.iH) {
      for (let b = 0; b < this.constants.kW; b++) {
        const w = w0 + b;
        if (w >= 0 && w < this.constants.iW) {
          const v = x[base + h * this.constants.iW + w];
          if (arg < 0 || v > best) {
            best = v;
            arg = h * this.constants.iW + w;
          }
        }
      }
    }
  }
  return arg;
}`;

/** Backward in gather form: each input pixel sums the gradients of the windows whose arg-max it is. */
const BACKWARD_GATHER = `function(g, idx) {
  let s = 0;
  ${coveringWindowsSource('if (idx[o] === r) { s += g[o]; }')}
  return s;
}`;

/**
 * Backward in scatter form, gi[plane, idx[o]] += g[o], written in place into the argument `gi`.
 * Only gpu.js `cpu` mode may run it: there the kernel is plain JavaScript and its array arguments
 * are the caller's arrays, so the writes land; no other backend can write outside its output cell.
 * Not core's `indexAdd`: its index is one float32 list shared by every plane, so the per-plane
 * arg-max offsets would have to become offsets into the whole batch, exact in float32 only below
 * 2^24 input values.
 */
const BACKWARD_SCATTER = `function(gi, g, idx) {
  for (let p = 0; p < this.constants.planes; p++) {
    for (let o = 0; o < this.constants.oHW; o++) {
      const k = p * this.constants.oHW + o;
      gi[p * this.constants.iHW + idx[k]] += g[k];
    }
  }
  return 0;
}`;

/**
 * Forward for windows that lie inside the input (no padding, no ceil-mode overhang), the window
 * unrolled: `thread.x` walks the output columns (padded to a multiple of 4; the extra columns read
 * real memory and are dropped), `thread.y` the rows, `thread.z` the planes, so every index is an
 * integer expression and there is no bounds test. The first maximum wins ties, as in {@link FORWARD}.
 */
function interiorSource(kH: number, kW: number): string {
  const k = (name: string): string => `this.constants.${name}`;
  const steps: string[] = [];
  for (let a = 0; a < kH; a++) {
    for (let b = 0; b < kW; b++) {
      if (a === 0 && b === 0) continue;
      const d = `${a} * ${k('iW')} + ${b}`;
      steps.push(`{ const v = x[base + ${d}]; arg = v > best ? off + ${d} : arg; best = v > best ? v : best; }`);
    }
  }
  return `function(x) {
  const off = this.thread.y * ${k('dH')} * ${k('iW')} + this.thread.x * ${k('dW')};
  const base = this.thread.z * ${k('iHW')} + off;
  let best = x[base];
  let arg = off;
  ${steps.join('\n  ')}
  return arg;
}`;
}

/**
 * The arg-max of every window of max pooling x [planes, iH, iW] (shape `s`, window `win`), as an
 * offset h·iW + w inside its input plane: [planes·oH·oW] values.
 *
 * Windows inside the input take {@link interiorSource}: LeNet-5's 2×2 poolings at batch 256 took
 * 4.1 ms (6×28×28 planes) and 1.6 ms (16×10×10) against 7.8 and 2.5 ms for the generic kernel, which
 * divides and tests bounds per window (one thread, load 1.2).
 */
export function maxPoolArgmax(x: Float32Array, s: PoolShape, win: PoolWindow): Float32Array {
  const cells = s.planes * s.oH * s.oW;
  const interior = win.padH === 0 && win.padW === 0 && (s.oH - 1) * win.dH + win.kH <= s.iH && (s.oW - 1) * win.dW + win.kW <= s.iW;
  if (!interior) {
    const forward = kernels.define('conv.maxPool2d.forward', FORWARD);
    return forward.run({ output: [cells], constants: poolConstants(s, win), args: [x], work: cells * win.kH * win.kW });
  }
  const oWp = Math.ceil(s.oW / 4) * 4;
  const k = kernels.define(`conv.maxPool2d.forward.k${win.kH}x${win.kW}`, () => interiorSource(win.kH, win.kW));
  const constants = { iW: s.iW, iHW: s.iH * s.iW, dH: win.dH, dW: win.dW };
  const launch = { output: [oWp, s.oH, s.planes], constants, args: [x], work: cells * win.kH * win.kW };
  if (oWp === s.oW) return k.run(launch);
  return k.read(launch, (padded) => {
    const out = new Float32Array(cells);
    for (let row = 0, o = 0; row < s.planes * s.oH; row++) {
      const src = row * oWp;
      for (let j = 0; j < s.oW; j++, o++) out[o] = padded[src + j]!;
    }
    return out;
  });
}

/**
 * The input gradient of max pooling: gi[plane, idx[o]] += g[o] for every window o. Under `auto`
 * dispatch (or a forced `cpu`) a scatter in gpu.js `cpu` mode; on any other forced backend a gather
 * over the (at most ⌈kH/dH⌉·⌈kW/dW⌉) windows covering each input pixel. Measured for LeNet shapes
 * (batch 32, 2×2 pooling of 6×28×28 and 16×10×10): the gather takes 1.2 ms and 0.4 ms on webasm
 * (3.0 ms and 0.6 ms on cpu), the cpu-mode scatter 0.32 ms and 0.17 ms.
 */
export function maxPoolBackward(g: Float32Array, indices: Float32Array, s: PoolShape, win: PoolWindow): Float32Array {
  const size = s.planes * s.iH * s.iW;
  const constants = poolConstants(s, win);
  if (kernels.backend === 'auto' || kernels.backend === 'cpu') {
    const gi = new Float32Array(size);
    const scatter = kernels.define('conv.maxPool2d.backwardScatter', BACKWARD_SCATTER);
    kernels.withBackend('cpu', () => scatter.run({ output: [1], constants: { planes: s.planes, oHW: constants.oHW, iHW: constants.iHW }, args: [gi, g, indices] }));
    return gi;
  }
  const gather = kernels.define('conv.maxPool2d.backwardGather', BACKWARD_GATHER);
  return gather.run({ output: [size], constants, args: [g, indices], work: size * constants.nWinH * constants.nWinW });
}
