import test from 'ava';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, kernels, loadModule, saveModule, Sequential, Tensor } from '@eole/core';
import { close, tempDir, testModules } from '@eole/core/testing';
import { conv2d, convTranspose2d, SpatialConvolution, SpatialFullConvolution, SpatialZeroPadding, zeroPad2d } from '@eole/conv';
import { CONV_CONVOLUTION_CASES } from '@eole/conv/testing';

// ---- independent plain-JS oracles (float64, scatter form where that is the natural one) --------

interface Geometry {
  dW: number;
  dH: number;
  padW: number;
  padH: number;
}

/** Direct convolution by its definition: y[n,o,i,j] = b[o] + Σ x[n,c,i·dH−padH+a, j·dW−padW+e]·w[o,c,a,e]. */
function convOracle(x: Tensor, w: Tensor, b: Tensor | null, g: Geometry): { data: Float64Array; shape: number[] } {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [O, , kH, kW] = w.shape as [number, number, number, number];
  const OH = Math.floor((H + 2 * g.padH - kH) / g.dH) + 1;
  const OW = Math.floor((W + 2 * g.padW - kW) / g.dW) + 1;
  const y = new Float64Array(N * O * OH * OW);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let i = 0; i < OH; i++)
        for (let j = 0; j < OW; j++) {
          let s = b ? b.data[o]! : 0;
          for (let c = 0; c < C; c++)
            for (let a = 0; a < kH; a++)
              for (let e = 0; e < kW; e++) {
                const h = i * g.dH - g.padH + a;
                const v = j * g.dW - g.padW + e;
                if (h >= 0 && h < H && v >= 0 && v < W) s += x.data[((n * C + c) * H + h) * W + v]! * w.data[((o * C + c) * kH + a) * kW + e]!;
              }
          y[((n * O + o) * OH + i) * OW + j] = s;
        }
  return { data: y, shape: [N, O, OH, OW] };
}

/** Gradients of Σ conv(x)·gy by scattering every output gradient back over its window. */
function convGradOracle(x: Tensor, w: Tensor, gy: Tensor, g: Geometry): { gx: Float64Array; gw: Float64Array; gb: Float64Array } {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [O, , kH, kW] = w.shape as [number, number, number, number];
  const [, , OH, OW] = gy.shape as [number, number, number, number];
  const gx = new Float64Array(x.size);
  const gw = new Float64Array(w.size);
  const gb = new Float64Array(O);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let i = 0; i < OH; i++)
        for (let j = 0; j < OW; j++) {
          const d = gy.data[((n * O + o) * OH + i) * OW + j]!;
          gb[o] += d;
          for (let c = 0; c < C; c++)
            for (let a = 0; a < kH; a++)
              for (let e = 0; e < kW; e++) {
                const h = i * g.dH - g.padH + a;
                const v = j * g.dW - g.padW + e;
                if (h < 0 || h >= H || v < 0 || v >= W) continue;
                const xi = ((n * C + c) * H + h) * W + v;
                const wi = ((o * C + c) * kH + a) * kW + e;
                gx[xi] += d * w.data[wi]!;
                gw[wi] += d * x.data[xi]!;
              }
        }
  return { gx, gw, gb };
}

/** Transposed convolution by its definition: each input pixel adds w[c,o]·x[n,c,h,v] onto its output window. */
function fullConvOracle(x: Tensor, w: Tensor, b: Tensor | null, g: Geometry & { adjW: number; adjH: number }): { data: Float64Array; shape: number[] } {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [, O, kH, kW] = w.shape as [number, number, number, number];
  const OH = (H - 1) * g.dH - 2 * g.padH + kH + g.adjH;
  const OW = (W - 1) * g.dW - 2 * g.padW + kW + g.adjW;
  const y = new Float64Array(N * O * OH * OW);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++) for (let l = 0; l < OH * OW; l++) y[(n * O + o) * OH * OW + l] = b ? b.data[o]! : 0;
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let h = 0; h < H; h++)
        for (let v = 0; v < W; v++) {
          const xv = x.data[((n * C + c) * H + h) * W + v]!;
          for (let o = 0; o < O; o++)
            for (let a = 0; a < kH; a++)
              for (let e = 0; e < kW; e++) {
                const i = h * g.dH - g.padH + a;
                const j = v * g.dW - g.padW + e;
                if (i >= 0 && i < OH && j >= 0 && j < OW) y[((n * O + o) * OH + i) * OW + j] += xv * w.data[((c * O + o) * kH + a) * kW + e]!;
              }
        }
  return { data: y, shape: [N, O, OH, OW] };
}

/** Zero padding by its definition (negative pads crop). */
function padOracle(x: Tensor, l: number, r: number, t: number, b: number): { data: Float64Array; shape: number[] } {
  const H = x.shape[x.ndim - 2]!;
  const W = x.shape[x.ndim - 1]!;
  const P = x.size / (H * W);
  const OH = H + t + b;
  const OW = W + l + r;
  const y = new Float64Array(P * OH * OW);
  for (let p = 0; p < P; p++)
    for (let i = 0; i < OH; i++)
      for (let j = 0; j < OW; j++) {
        const h = i - t;
        const v = j - l;
        if (h >= 0 && h < H && v >= 0 && v < W) y[(p * OH + i) * OW + j] = x.data[(p * H + h) * W + v]!;
      }
  return { data: y, shape: [...x.shape.slice(0, -2), OH, OW] };
}

// ---- helpers ----------------------------------------------------------------------------------

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

const conv = (c: number, o: number, kW: number, kH: number, g: Geometry, seed = 1, bias = true): SpatialConvolution =>
  new SpatialConvolution(c, o, kW, kH, g.dW, g.dH, g.padW, g.padH, { rng: new Generator(seed), bias });

const full = (c: number, o: number, kW: number, kH: number, g: Geometry & { adjW: number; adjH: number }, seed = 1): SpatialFullConvolution =>
  new SpatialFullConvolution(c, o, kW, kH, g.dW, g.dH, g.padW, g.padH, g.adjW, g.adjH, { rng: new Generator(seed) });

// ---- SpatialConvolution -----------------------------------------------------------------------

const convCases: { name: string; N: number; C: number; O: number; H: number; W: number; kW: number; kH: number; g: Geometry }[] = [
  { name: 'stride 1, no padding', N: 3, C: 2, O: 4, H: 7, W: 6, kW: 3, kH: 3, g: { dW: 1, dH: 1, padW: 0, padH: 0 } },
  { name: 'stride 2', N: 3, C: 3, O: 5, H: 9, W: 10, kW: 3, kH: 3, g: { dW: 2, dH: 2, padW: 0, padH: 0 } },
  { name: 'padding 2 (LeNet conv1 style)', N: 3, C: 1, O: 6, H: 8, W: 8, kW: 5, kH: 5, g: { dW: 1, dH: 1, padW: 2, padH: 2 } },
  { name: 'non-square kernel, unequal strides and pads', N: 3, C: 2, O: 3, H: 9, W: 11, kW: 4, kH: 2, g: { dW: 3, dH: 1, padW: 1, padH: 2 } },
  { name: 'many planes (16 -> 7), 1x1 kernel', N: 3, C: 16, O: 7, H: 5, W: 5, kW: 1, kH: 1, g: { dW: 1, dH: 1, padW: 0, padH: 0 } },
  { name: 'many planes (6 -> 16), 5x5 (LeNet conv2)', N: 3, C: 6, O: 16, H: 9, W: 9, kW: 5, kH: 5, g: { dW: 1, dH: 1, padW: 0, padH: 0 } },
  { name: 'kernel as large as the input (LeNet-5 C5, a fully connected layer)', N: 3, C: 4, O: 6, H: 5, W: 5, kW: 5, kH: 5, g: { dW: 1, dH: 1, padW: 0, padH: 0 } },
  { name: 'stride larger than the kernel', N: 3, C: 2, O: 2, H: 10, W: 9, kW: 2, kH: 3, g: { dW: 4, dH: 3, padW: 1, padH: 0 } },
];

for (const c of convCases) {
  test(`SpatialConvolution forward matches the direct oracle: ${c.name}`, (t) => {
    const m = conv(c.C, c.O, c.kW, c.kH, c.g, 3);
    const x = Tensor.randn([c.N, c.C, c.H, c.W], new Generator(4));
    const y = m.forward(x);
    const want = convOracle(x, m.weight, m.bias, c.g);
    t.deepEqual([...y.shape], want.shape);
    close(t, y.data, want.data, 1e-5, 'forward');
  });
}

test('SpatialConvolution at LeNet-5 sizes (batch 32) matches the oracle, forward and every gradient', (t) => {
  for (const [C, O, H, pad] of [[1, 6, 28, 2], [6, 16, 14, 0], [16, 120, 5, 0]] as const) {
    const g = { dW: 1, dH: 1, padW: pad, padH: pad };
    const m = conv(C, O, 5, 5, g, 7);
    const x = Tensor.randn([32, C, H, H], new Generator(8)).requiresGrad_();
    const y = m.forward(x);
    close(t, y.data, convOracle(x, m.weight, m.bias, g).data, 1e-5, `${m} forward`);
    const gy = Tensor.randn([...y.shape], new Generator(9));
    m.zeroGradParameters();
    y.backward(gy);
    const want = convGradOracle(x, m.weight, gy, g);
    close(t, x.grad!.data, want.gx, 1e-5, `${m} gradInput`);
    close(t, m.weight.grad!.data, want.gw, 1e-5, `${m} gradWeight`);
    close(t, m.bias!.grad!.data, want.gb, 1e-5, `${m} gradBias`);
  }
});

test('SpatialConvolution takes one sample [C, H, W] and returns [O, OH, OW]', (t) => {
  const g = { dW: 2, dH: 1, padW: 1, padH: 0 };
  const m = conv(2, 3, 3, 2, g, 5);
  const x = Tensor.randn([2, 6, 7], new Generator(6));
  const y = m.forward(x);
  t.deepEqual([...y.shape], [3, 5, 4]);
  close(t, y.data, convOracle(x.reshape([1, 2, 6, 7]), m.weight, m.bias, g).data, 1e-5, 'single sample');
  t.deepEqual([...m.backward(x, Tensor.ones([3, 5, 4])).shape], [2, 6, 7], 'Torch7 backward returns gradInput of the input shape');
});

// Each row: a small module for the finite differences, a larger one (LeNet sizes) for the parity run.
testModules(test, CONV_CONVOLUTION_CASES);

test('SpatialConvolution init follows Torch7 reset: uniform in ±1/sqrt(kW·kH·nInputPlane), seeded', (t) => {
  const m = new SpatialConvolution(3, 8, 5, 3, 1, 1, 0, 0, { rng: new Generator(1) });
  t.deepEqual([...m.weight.shape], [8, 3, 3, 5]);
  t.deepEqual([...m.bias!.shape], [8]);
  const bound = 1 / Math.sqrt(5 * 3 * 3);
  const all = [...m.weight.data, ...m.bias!.data];
  t.true(all.every((v) => Math.abs(v) <= bound));
  t.true(Math.max(...all.map(Math.abs)) > 0.8 * bound, 'the values fill the range');
  const again = new SpatialConvolution(3, 8, 5, 3, 1, 1, 0, 0, { rng: new Generator(1) });
  t.deepEqual([...again.weight.data], [...m.weight.data], 'same seed, same weights');
  t.is(new SpatialConvolution(1, 1, 3, 3, 1, 1, 0, 0, { bias: false }).bias, null);
  t.deepEqual(new SpatialConvolution(1, 1, 3, 3).namedParameters().map(([n]) => n), ['weight', 'bias']);
});

test('SpatialConvolution padH defaults to padW, as in Torch7', (t) => {
  const m = new SpatialConvolution(1, 2, 5, 5, 1, 1, 2);
  t.is(m.padH, 2);
  t.deepEqual([...m.forward(Tensor.zeros([1, 1, 28, 28])).shape], [1, 2, 28, 28]);
});

test('SpatialConvolution toString is Torch7 style', (t) => {
  t.is(new SpatialConvolution(1, 6, 5, 5, 1, 1, 2, 2).toString(), 'nn.SpatialConvolution(1 -> 6, 5x5, 1,1, 2,2)');
  t.is(new SpatialConvolution(6, 16, 5, 5).toString(), 'nn.SpatialConvolution(6 -> 16, 5x5)');
  t.is(new SpatialConvolution(3, 8, 3, 3, 2, 2).toString(), 'nn.SpatialConvolution(3 -> 8, 3x3, 2,2)');
  t.is(new SpatialConvolution(3, 8, 3, 1, 1, 1, 0, 0, { bias: false }).toString(), 'nn.SpatialConvolution(3 -> 8, 3x1) without bias');
});

test('SpatialConvolution shape errors name the module, the expected and the actual shape', (t) => {
  const m = new SpatialConvolution(3, 4, 3, 3);
  const channels = t.throws(() => m.forward(Tensor.zeros([2, 4, 8, 8])));
  t.regex(channels!.message, /nn\.SpatialConvolution/);
  t.regex(channels!.message, /\[N, 3, H, W\]/);
  t.regex(channels!.message, /\[2, 4, 8, 8\]/);
  const rank = t.throws(() => m.forward(Tensor.zeros([3, 8])));
  t.regex(rank!.message, /nn\.SpatialConvolution.*\[N, 3, H, W\] or \[3, H, W\].*\[3, 8\]/);
  const small = t.throws(() => m.forward(Tensor.zeros([1, 3, 2, 8])));
  t.regex(small!.message, /nn\.SpatialConvolution.*\[1, 3, 2, 8\].*smaller than the 3x3 kernel/);
  t.throws(() => new SpatialConvolution(0, 4, 3, 3), { instanceOf: RangeError, message: /nInputPlane must be a positive integer, got 0/ });
  t.throws(() => new SpatialConvolution(1, 4, 3, 3, 0), { instanceOf: RangeError, message: /dW must be a positive integer/ });
  t.throws(() => conv2d(Tensor.zeros([1, 2, 5, 5]), Tensor.zeros([3, 2, 3, 3]), Tensor.zeros([2])), { message: /conv2d: bias must be \[3\]/ });
});

test('conv2d reads a zero-copy batch slice and sums more than 1000 terms per weight (past gpu.js\'s loop cap)', (t) => {
  const g = { dW: 1, dH: 1, padW: 0, padH: 0 };
  const big = Tensor.randn([1100, 1, 3, 3], new Generator(1));
  const w = Tensor.randn([2, 1, 3, 3], new Generator(2)).requiresGrad_();
  const b = Tensor.randn([2], new Generator(3)).requiresGrad_();
  for (const backend of ['cpu', 'webasm'] as const) {
    w.grad = null;
    b.grad = null;
    const y = kernels.withBackend(backend, () => conv2d(big, w, b));
    const gy = Tensor.randn([...y.shape], new Generator(4));
    kernels.withBackend(backend, () => y.backward(gy));
    const want = convGradOracle(big, w, gy, g);
    close(t, w.grad!.data, want.gw, 1e-5, `${backend}: gradWeight over 1100 samples`);
    close(t, b.grad!.data, want.gb, 1e-5, `${backend}: gradBias over 1100 samples`);
  }
  const slice = big.narrow(0, 5, 3);
  t.true(slice.data.byteOffset > 0, 'the slice is a view into the batch');
  close(t, conv2d(slice, w, b).data, convOracle(slice, w, b, g).data, 1e-5, 'forward of a slice');
});

test('conv2d without bias, used directly as an op, records one autograd node', (t) => {
  const x = Tensor.randn([2, 3, 6, 6], new Generator(1)).requiresGrad_();
  const w = Tensor.randn([4, 3, 3, 3], new Generator(2)).requiresGrad_();
  const y = conv2d(x, w, null, { padW: 1, padH: 1 });
  t.is(y.gradFn?.name, 'conv2d');
  t.deepEqual(y.gradFn?.parents, [x, w]);
  close(t, y.data, convOracle(x, w, null, { dW: 1, dH: 1, padW: 1, padH: 1 }).data, 1e-5, 'forward');
});

// ---- SpatialFullConvolution -------------------------------------------------------------------

const fullCases: { name: string; N: number; C: number; O: number; H: number; W: number; kW: number; kH: number; g: Geometry & { adjW: number; adjH: number } }[] = [
  { name: 'stride 1', N: 3, C: 2, O: 3, H: 4, W: 5, kW: 3, kH: 3, g: { dW: 1, dH: 1, padW: 0, padH: 0, adjW: 0, adjH: 0 } },
  { name: 'stride 2, padding 1 (DCGAN)', N: 3, C: 4, O: 2, H: 4, W: 4, kW: 4, kH: 4, g: { dW: 2, dH: 2, padW: 1, padH: 1, adjW: 0, adjH: 0 } },
  { name: 'stride 2 with adj 1', N: 3, C: 2, O: 5, H: 3, W: 5, kW: 3, kH: 3, g: { dW: 2, dH: 2, padW: 1, padH: 1, adjW: 1, adjH: 1 } },
  { name: 'non-square, unequal strides, padding larger than kernel − 1', N: 3, C: 3, O: 4, H: 5, W: 4, kW: 2, kH: 5, g: { dW: 3, dH: 1, padW: 1, padH: 2, adjW: 2, adjH: 0 } },
  { name: 'padding 3 on a 3x3 kernel', N: 3, C: 2, O: 2, H: 9, W: 8, kW: 3, kH: 3, g: { dW: 1, dH: 1, padW: 3, padH: 3, adjW: 0, adjH: 0 } },
];

for (const c of fullCases) {
  test(`SpatialFullConvolution forward matches the scatter oracle: ${c.name}`, (t) => {
    const m = full(c.C, c.O, c.kW, c.kH, c.g, 3);
    const x = Tensor.randn([c.N, c.C, c.H, c.W], new Generator(4));
    const y = m.forward(x);
    const want = fullConvOracle(x, m.weight, m.bias, c.g);
    t.deepEqual([...y.shape], want.shape);
    close(t, y.data, want.data, 1e-5, 'forward');
  });
}

test('SpatialFullConvolution is the adjoint of SpatialConvolution: <conv(x), y> = <x, fullconv(y)>', (t) => {
  const cases: [number, number, number, number, number, number, Geometry][] = [
    // C, O, H, W, kW, kH, geometry
    [2, 3, 7, 6, 3, 3, { dW: 1, dH: 1, padW: 0, padH: 0 }],
    [3, 2, 9, 10, 3, 3, { dW: 2, dH: 2, padW: 1, padH: 1 }],
    [1, 6, 12, 12, 5, 5, { dW: 1, dH: 1, padW: 2, padH: 2 }],
    [2, 4, 11, 8, 2, 4, { dW: 3, dH: 2, padW: 1, padH: 2 }],
  ];
  for (const [C, O, H, W, kW, kH, g] of cases) {
    const c = conv(C, O, kW, kH, g, 1, false);
    const x = Tensor.randn([2, C, H, W], new Generator(2));
    const cx = c.forward(x);
    // adj recovers the exact input size when the strided convolution dropped a remainder.
    const adjW = (W + 2 * g.padW - kW) % g.dW;
    const adjH = (H + 2 * g.padH - kH) % g.dH;
    const f = new SpatialFullConvolution(O, C, kW, kH, g.dW, g.dH, g.padW, g.padH, adjW, adjH, { bias: false });
    f.weight.data.set(c.weight.data);
    const y = Tensor.randn([...cx.shape], new Generator(3));
    const fy = f.forward(y);
    t.deepEqual([...fy.shape], [...x.shape]);
    const lhs = dot(cx.data, y.data);
    const rhs = dot(x.data, fy.data);
    t.true(Math.abs(lhs - rhs) <= 1e-4 * Math.max(1, Math.abs(lhs)), `${c}: <conv(x), y> = ${lhs}, <x, fullconv(y)> = ${rhs}`);
  }
});



test('SpatialFullConvolution init, toString and argument checks follow Torch7', (t) => {
  const m = new SpatialFullConvolution(64, 32, 4, 4, 2, 2, 1, 1, 0, 0, { rng: new Generator(1) });
  t.deepEqual([...m.weight.shape], [64, 32, 4, 4], 'weight [in, out, kH, kW]');
  t.deepEqual([...m.bias!.shape], [32]);
  const bound = 1 / Math.sqrt(4 * 4 * 64);
  t.true([...m.weight.data, ...m.bias!.data].every((v) => Math.abs(v) <= bound));
  t.deepEqual([...m.forward(Tensor.zeros([2, 64, 4, 4])).shape], [2, 32, 8, 8]);
  t.is(m.toString(), 'nn.SpatialFullConvolution(64 -> 32, 4x4, 2,2, 1,1)');
  t.is(new SpatialFullConvolution(3, 2, 3, 3).toString(), 'nn.SpatialFullConvolution(3 -> 2, 3x3)');
  t.is(new SpatialFullConvolution(3, 2, 3, 3, 2, 2, 1, 1, 1, 1).toString(), 'nn.SpatialFullConvolution(3 -> 2, 3x3, 2,2, 1,1, 1,1)');
  t.throws(() => new SpatialFullConvolution(3, 2, 3, 3, 2, 2, 0, 0, 2, 0), { instanceOf: RangeError, message: /adjW must be an integer in \[0, dW − 1 = 1\], got 2/ });
  const e = t.throws(() => m.forward(Tensor.zeros([2, 32, 4, 4])));
  t.regex(e!.message, /nn\.SpatialFullConvolution.*\[N, 64, H, W\].*\[2, 32, 4, 4\]/);
  const empty = t.throws(() => new SpatialFullConvolution(1, 1, 1, 1, 1, 1, 1, 1).forward(Tensor.zeros([1, 1, 2, 2])));
  t.regex(empty!.message, /nn\.SpatialFullConvolution.*\[1, 1, 2, 2\].*empty output 0x0/);
});

test('convTranspose2d of one sample [C, H, W] via the module', (t) => {
  const g = { dW: 2, dH: 2, padW: 0, padH: 0, adjW: 1, adjH: 0 };
  const m = full(2, 3, 2, 2, g, 5);
  const x = Tensor.randn([2, 3, 3], new Generator(6));
  const y = m.forward(x);
  t.deepEqual([...y.shape], [3, 6, 7]);
  close(t, y.data, fullConvOracle(x.reshape([1, 2, 3, 3]), m.weight, m.bias, g).data, 1e-5, 'single sample');
  const op = convTranspose2d(x.reshape([1, 2, 3, 3]), m.weight, m.bias, g);
  t.deepEqual([...op.data], [...y.data], 'the functional op gives the same values');
});

// ---- SpatialZeroPadding -----------------------------------------------------------------------

test('SpatialZeroPadding pads and crops like the oracle (4-D and 3-D inputs)', (t) => {
  const x = Tensor.randn([3, 2, 5, 6], new Generator(1));
  for (const [l, r, top, b] of [[2, 2, 2, 2], [1, 0, 3, 2], [-1, 2, 0, -2], [-2, -1, -1, -3]] as const) {
    const m = new SpatialZeroPadding(l, r, top, b);
    const y = m.forward(x);
    const want = padOracle(x, l, r, top, b);
    t.deepEqual([...y.shape], want.shape, m.toString());
    t.deepEqual([...y.data], [...want.data], m.toString());
    const y3 = m.forward(x.narrow(0, 1, 1).reshape([2, 5, 6]));
    t.deepEqual([...y3.shape], want.shape.slice(1));
  }
  t.deepEqual([...new SpatialZeroPadding(2).forward(Tensor.zeros([1, 1, 28, 28])).shape], [1, 1, 32, 32], 'the other pads default to padLeft');
});



test('SpatialZeroPadding backward crops the gradient', (t) => {
  const m = new SpatialZeroPadding(1, 1, 1, 1);
  const x = Tensor.randn([1, 1, 2, 2], new Generator(2));
  m.forward(x);
  const g = Tensor.arange(16).reshape([1, 1, 4, 4]);
  t.deepEqual([...m.backward(x, g).data], [5, 6, 9, 10], 'gradInput is the centre of gradOutput');
});

test('SpatialZeroPadding toString and errors', (t) => {
  t.is(new SpatialZeroPadding(2).toString(), 'nn.SpatialZeroPadding(l=2, r=2, t=2, b=2)');
  t.is(new SpatialZeroPadding(1, -1, 0, 3).toString(), 'nn.SpatialZeroPadding(l=1, r=-1, t=0, b=3)');
  const rank = t.throws(() => new SpatialZeroPadding(1).forward(Tensor.zeros([4, 4])));
  t.regex(rank!.message, /nn\.SpatialZeroPadding.*\[N, C, H, W\] or \[C, H, W\].*\[4, 4\]/);
  const empty = t.throws(() => new SpatialZeroPadding(-2, -2, 0, 0).forward(Tensor.zeros([1, 1, 3, 4])));
  t.regex(empty!.message, /nn\.SpatialZeroPadding.*\[1, 1, 3, 4\].*empty 3x0 plane/);
  t.throws(() => new SpatialZeroPadding(1.5), { instanceOf: RangeError });
  t.deepEqual([...zeroPad2d(Tensor.ones([2, 2]), { left: 1, right: 0, top: 0, bottom: 1 }).data], [0, 1, 1, 0, 1, 1, 0, 0, 0], 'the op pads any [..., H, W]');
});

// ---- state dicts ------------------------------------------------------------------------------

test('state dicts round-trip through saveModule/loadModule (safetensors in the temp folder)', (t) => {
  const dir = tempDir('conv');
  try {
    const make = (seed: number): Sequential =>
      new Sequential(
        new SpatialZeroPadding(1),
        new SpatialConvolution(2, 4, 3, 3, 1, 1, 0, 0, { rng: new Generator(seed) }),
        new SpatialFullConvolution(4, 3, 2, 2, 2, 2, 0, 0, 0, 0, { rng: new Generator(seed + 1) }),
        new SpatialConvolution(3, 2, 3, 1, 1, 1, 1, 0, { rng: new Generator(seed + 2), bias: false }),
      );
    const a = make(1);
    const b = make(100);
    t.deepEqual([...a.stateDict().keys()], ['1.weight', '1.bias', '2.weight', '2.bias', '3.weight']);
    const x = Tensor.randn([2, 2, 5, 5], new Generator(3));
    const ya = a.forward(x);
    t.notDeepEqual([...b.forward(x).data], [...ya.data], 'different seeds give different nets');
    const path = join(dir, 'conv.safetensors');
    saveModule(path, a, { note: 'conv' });
    t.deepEqual(loadModule(path, b), { note: 'conv' });
    for (const [name, tensor] of a.stateDict()) t.deepEqual([...b.stateDict().get(name)!.data], [...tensor.data], name);
    t.deepEqual([...b.forward(x).data], [...ya.data], 'the loaded net computes the same output');
    const wrong = new Sequential(new SpatialZeroPadding(1), new SpatialConvolution(2, 5, 3, 3));
    t.throws(() => loadModule(path, wrong), { message: /'1\.weight' has shape \[4, 2, 3, 3\] in the file, the module expects \[5, 2, 3, 3\]/ });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
