import test from 'ava';
import { GPU } from 'gpu.js';
import { createRequire } from 'node:module';
import { applyCodegenFix, CODEGEN_FIXES, codegenFixStatus, withStockCodegen } from '../src/kernels/gpujs/wasmCodegenFix.js';
import { checkSources, gpujsSource, GPUJS_2_24_1 } from '../src/kernels/gpujs/sourceGuard.js';
import { loadGpujsInternals } from '../src/kernels/gpujs/gpujsInternals.js';
import { integerLocals } from '../src/kernels/gpujs/integerLocals.js';
import { calledBy, innermostLoop, localType, OP, readWasm, type Instruction, type WasmFunction } from '../src/kernels/gpujs/wasmCode.js';

const gpujsUtils = (createRequire(import.meta.url)('gpu.js') as { utils: { flattenTo(value: unknown, target: Float32Array): void } }).utils;

const status = applyCodegenFix();

/** A deterministic input with negatives, zeros, and (optionally) NaN, ±Infinity and -0. */
function input(n: number, seed: number, special = false): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = Math.round(((s / 2 ** 32) * 8 - 4) * 64) / 64;
  }
  if (special && n >= 8) [out[1], out[3], out[5], out[7]] = [NaN, Infinity, -Infinity, -0];
  return out;
}

function flat(result: unknown): Float32Array {
  const parts: Float32Array[] = [];
  const visit = (node: unknown): void => {
    if (node instanceof Float32Array) parts.push(node);
    else if (Array.isArray(node)) node.forEach(visit);
    else if (typeof node === 'number') parts.push(Float32Array.of(node));
  };
  visit(result);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function bytes(a: Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function nested(data: Float32Array, shape: number[]): unknown {
  if (shape.length === 1) return data;
  const [n, ...rest] = shape as [number, ...number[]];
  const size = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, (_, i) => nested(data.subarray(i * size, (i + 1) * size), rest));
}

interface Case {
  name: string;
  source: string;
  output: number[];
  args: unknown[];
  constants?: Record<string, unknown>;
  returnType?: string;
  /** Helper functions, as source text (gpu.js parses them). */
  functions?: string[];
  constantTypes?: Record<string, string>;
}

type Shortcut = ((...args: unknown[]) => unknown) & { kernel: { _active: { bytes: Uint8Array } } };

function compile(c: Case): Shortcut {
  const settings: Record<string, unknown> = { output: c.output, constants: c.constants ?? {}, tactic: 'precision' };
  if (c.returnType) settings['returnType'] = c.returnType;
  if (c.constantTypes) settings['constantTypes'] = c.constantTypes;
  const gpu = new GPU({ mode: 'webasm' } as never);
  for (const fn of c.functions ?? []) gpu.addFunction(fn as never);
  return gpu.createKernel(c.source, settings as never) as unknown as Shortcut;
}

const MATMUL_NN = `function(a, b) {
  const j = this.thread.x; const r = this.thread.y * 4; const z = this.thread.z;
  const K = this.constants.K; const N = this.constants.N;
  const ao = z * this.constants.sa + r * K; const bo = z * this.constants.sb + j;
  let s0 = 0; let s1 = 0; let s2 = 0; let s3 = 0;
  for (let k = 0; k < this.constants.K; k++) {
    const bv = b[bo + k * N];
    s0 += a[ao + k] * bv;
    s1 += a[ao + K + k] * bv;
    s2 += a[ao + 2 * K + k] * bv;
    s3 += a[ao + 3 * K + k] * bv;
  }
  return [s0, s1, s2, s3];
}`;

function matmulCase(batch: number, M: number, K: number, N: number): Case {
  const R = Math.ceil(M / 4);
  return {
    name: `matmul 4 rows per thread, batch ${batch}, ${M}x${K}x${N}`,
    source: MATMUL_NN,
    output: [N, R, batch],
    args: [input(batch * M * K + 3 * K, 1), input(batch * K * N, 2)],
    constants: { K, N, sa: M * K, sb: K * N },
    returnType: 'Array(4)',
  };
}

/** The loop of {@link MATMUL_NN} unrolled by 4, with a remainder loop (as core's matmul has it). */
function unrolledMatmul(): string {
  const step = (k: string, name: string): string =>
    `const ${name} = b[bo + (${k}) * N]; s0 += a[ao + ${k}] * ${name}; s1 += a[ao + K + ${k}] * ${name}; s2 += a[ao + 2 * K + ${k}] * ${name}; s3 += a[ao + 3 * K + ${k}] * ${name};`;
  return MATMUL_NN.replace(
    /for \(let k = 0;[\s\S]*?\n {2}\}/,
    `for (let k = 0; k < this.constants.KU; k += 4) { ${['k', 'k + 1', 'k + 2', 'k + 3'].map((k, d) => step(k, `b${d}`)).join(' ')} }
  for (let kt = this.constants.KU; kt < this.constants.K; kt++) { ${step('kt', 'bt')} }`,
  );
}

const CASES: Case[] = [
  matmulCase(1, 16, 24, 16),
  {
    ...matmulCase(2, 9, 11, 12),
    name: 'matmul unrolled by 4 with a remainder loop, Integer constants, batch 2, 9x11x12',
    source: unrolledMatmul(),
    constants: { K: 11, KU: 8, N: 12, sa: 99, sb: 132 },
    constantTypes: { K: 'Integer', KU: 'Integer', N: 'Integer', sa: 'Integer', sb: 'Integer' },
  },
  matmulCase(2, 6, 7, 13),
  matmulCase(3, 5, 9, 8),
  {
    name: 'naive matmul a[y][k] * b[k][x]',
    source: `function(a, b) { let s = 0; for (let k = 0; k < this.constants.K; k++) { s += a[this.thread.y][k] * b[k][this.thread.x]; } return s; }`,
    output: [12, 7],
    args: [nested(input(7 * 9, 19), [7, 9]), nested(input(9 * 12, 20), [9, 12])],
    constants: { K: 9 },
  },
  {
    name: 'elementwise with NaN, ±Infinity and -0, width not a multiple of 4',
    source: `function(a, b) { return a[this.thread.x] * 2 - b[this.thread.x] + 0.5; }`,
    output: [1003],
    args: [input(1003, 3, true), input(1003, 4, true)],
  },
  {
    name: 'column reduction (contiguous reads in a loop)',
    source: `function(a) { let s = 0; for (let k = 0; k < this.constants.R; k++) { s += a[k * this.constants.C + this.thread.x]; } return s; }`,
    output: [36],
    args: [input(36 * 11, 5)],
    constants: { R: 11, C: 36 },
  },
  {
    name: 'row reduction (stride-K reads in a loop)',
    source: `function(a) { let s = 0; for (let k = 0; k < this.constants.K; k++) { s += a[this.thread.x * this.constants.K + k]; } return s; }`,
    output: [21],
    args: [input(21 * 10, 6)],
    constants: { K: 10 },
  },
  {
    name: 'loop bounded by a literal, counter used in float math too',
    source: `function(a) { let s = 0; let w = 0; for (let i = 0; i < 7; i++) { s += a[i * 8 + this.thread.x] * i * 0.25; w++; } return s + w * 0.5; }`,
    output: [8],
    args: [input(64, 7)],
  },
  {
    name: 'masked branches, ternaries, reads guarded by a branch',
    source: `function(a, b) {
      const x = this.thread.x;
      let s = 0;
      if (a[x] > 0) { s = b[x + 1] * 2; } else if (a[x] < -1) { s = b[x - 1]; } else { const t = x + 2; s = b[t] - a[t]; }
      return x % 3 === 0 ? s : (a[x] > b[x] ? a[x] : -s);
    }`,
    output: [30],
    args: [input(32, 8), input(32, 9)],
  },
  {
    name: 'out-of-bounds last quad: reads past the end, clamped',
    source: `function(a) { return a[this.thread.x + 2] + a[this.thread.x + this.constants.off] * 3; }`,
    output: [16],
    args: [input(16, 10)],
    constants: { off: 5 },
  },
  {
    name: 'uniform + thread.x with a negative offset (clamped at 0)',
    source: `function(a) { const base = this.thread.y * this.constants.W - 3; return a[base + this.thread.x] - a[this.thread.x - 6]; }`,
    output: [12, 4],
    args: [input(48, 11)],
    constants: { W: 12 },
  },
  {
    name: 'Array(4) return, width not a multiple of 4',
    source: `function(a) { const x = this.thread.x; return [a[x], a[x] * 2, a[x + 1] - a[x], x]; }`,
    output: [11],
    args: [input(12, 12)],
    returnType: 'Array(4)',
  },
  {
    name: 'integer division and modulo in index math',
    source: `function(a) { const x = this.thread.x; return a[Math.floor(x / 4) * 4 + (x % 4)] + a[(x * 7) % this.constants.n] + a[Math.floor(x / 3)]; }`,
    output: [40],
    args: [input(40, 13)],
    constants: { n: 40 },
  },
  {
    name: 'Math.exp, Math.log, Math.max',
    source: `function(a) { const v = a[this.thread.x]; return Math.exp(v * 0.5) + Math.log(Math.abs(v) + 1) + Math.max(v, a[this.thread.x + 1], 0); }`,
    output: [25],
    args: [input(26, 14)],
  },
  {
    name: 'varying trip count, break and continue',
    source: `function(a) {
      let s = 0;
      for (let i = 0; i < this.thread.x % 5 + 1; i++) { if (a[i] > 3) break; if (a[i + this.thread.x] < -2) continue; s += a[i + this.thread.x]; }
      let j = 0; while (j < 3) { s += a[j * 4 + this.thread.x]; j++; }
      return s;
    }`,
    output: [20],
    args: [input(32, 15)],
  },
  {
    name: 'locals that must stay float: fractional assignment, negation, float use',
    source: `function(a) {
      let t = this.thread.x; t = t / 2;
      let u = this.thread.x * 3; const neg = -u;
      const z = this.thread.y; const p = z * -1;
      return a[t] + neg * 0.5 + p + u / 4 + 1 / (z - z);
    }`,
    output: [9, 2],
    args: [input(16, 16)],
  },
  {
    name: 'nested loops, a 3-D read, a constant array, a helper',
    source: `function(a, b) {
      let s = 0;
      for (let i = 0; i < 3; i++) { for (let j = 0; j < 4; j++) { s += a[i][j][this.thread.x] * this.constants.w[i * 4 + j]; } }
      return scale(s, b[this.thread.x]);
    }`,
    output: [10],
    args: [nested(input(3 * 4 * 10, 21), [3, 4, 10]), input(10, 22)],
    constants: { w: input(12, 17) },
    functions: ['function scale(v, w) { return v * 0.5 + w; }'],
  },
  {
    name: 'compound assignments to integer locals',
    source: `function(a) { let i = this.thread.x; i += 3; i -= 1; i *= 2; let k = 1; k = k + i; return a[i] + a[k - 2]; }`,
    output: [12],
    args: [input(32, 18)],
  },
];


function runCase(c: Case): { out: Float32Array; wasm: Uint8Array } {
  const kernel = compile(c);
  const out = flat(kernel(...c.args));
  return { out, wasm: kernel.kernel._active.bytes };
}

test('the fix is applied to the installed gpu.js 2.24.1, with every fix, idempotently', (t) => {
  t.true(status.applied, status.reason);
  t.is(status.gpujsVersion, '2.24.1');
  t.deepEqual(status.fixes, [...CODEGEN_FIXES]);
  t.deepEqual(applyCodegenFix(), status);
  t.deepEqual(codegenFixStatus(), status);
});

for (const c of CASES) {
  test(`fixed and stock webasm agree bit for bit: ${c.name}`, (t) => {
    const fixed = runCase(c);
    const stock = withStockCodegen(() => runCase(c));
    t.true(fixed.out.length > 0);
    t.true(bytes(fixed.out).equals(bytes(stock.out)), `first difference at ${fixed.out.findIndex((v, i) => !Object.is(v, stock.out[i]))}`);
  });
}

/**
 * A seeded kernel whose reads use random integer index expressions over thread ids, constants,
 * literals and locals (`+`, `-`, and `*` by a literal or constant in [-3, 6]). Every index stays
 * within ±16,000, inside the 32,768-element input once offset by 16,384: gpu.js clamps only
 * lane-varying reads, so an out-of-range uniform read would trap on either generator.
 */
function randomCase(seed: number): Case {
  let state = seed;
  const next = (): number => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 8;
  const pick = <T>(items: readonly T[]): T => items[next() % items.length]!;
  const expr = (depth: number, names: string[]): string => {
    if (depth === 0 || next() % 3 === 0) return pick(['this.thread.x', 'this.thread.y', String((next() % 13) - 6), 'this.constants.c', 'this.constants.n', ...names]);
    if (next() % 3 === 0) return `(${expr(depth - 1, names)} * ${pick(['-3', '2', '3', '-1', 'this.constants.c'])})`;
    return `(${expr(depth - 1, names)} ${pick(['+', '-'])} ${expr(depth - 1, names)})`;
  };
  const width = pick([4, 7, 8, 13, 16]);
  const lines = [`const l0 = ${expr(2, [])};`, `let l1 = ${expr(2, ['l0'])};`];
  if (next() % 2 === 0) lines.push(`l1 ${pick(['+=', '-=', '='])} ${expr(1, ['l0'])};`);
  if (next() % 2 === 0) lines.push(`if (a[this.thread.x] > 0) { l1 = ${expr(1, ['l0'])}; }`);
  lines.push('let s = 0;');
  lines.push(`for (let k = 0; k < this.constants.n; k++) { s += a[16384 + ${expr(2, ['l0', 'l1', 'k'])}] + a[16384 + ${expr(1, ['l0', 'k'])} + this.thread.x] * 0.5; }`);
  const tail = pick(['', ' + l0 * 0.25', ' - l1', ' + (l1 > 3 ? l0 : -l1)']);
  return {
    name: `random index expressions, seed ${seed}: ${lines.join(' ')} return s${tail};`,
    source: `function(a) { ${lines.join(' ')} return s${tail}; }`,
    output: [width, 3],
    args: [input(32768, seed)],
    constants: { c: (next() % 9) - 2, n: 1 + (next() % 5) },
  };
}

test('fixed and stock webasm agree bit for bit on 60 seeded random index expressions', (t) => {
  let vectorLoads = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const c = randomCase(seed);
    const fixed = runCase(c);
    const stock = withStockCodegen(() => runCase(c)).out;
    t.true(bytes(fixed.out).equals(bytes(stock)), c.name);
    if (calledBy(readWasm(fixed.wasm), 'run_simd').code.some((i) => i.op === OP.v128Load)) vectorLoads++;
  }
  t.log(`${vectorLoads} of 60 fixed modules read with v128.load`);
  t.true(vectorLoads >= 20, `only ${vectorLoads} of 60 fixed modules read with v128.load`);
});

test('the kernel table exercises the fix: most fixed modules differ from stock', (t) => {
  const differing = CASES.filter((c) => !Buffer.from(runCase(c).wasm).equals(Buffer.from(withStockCodegen(() => runCase(c)).wasm)));
  t.log(CASES.filter((c) => !differing.includes(c)).map((c) => c.name));
  t.true(differing.length >= CASES.length - 3, `only ${differing.length} of ${CASES.length} modules changed`);
});

function named(prefix: string): Case {
  const found = CASES.find((c) => c.name.startsWith(prefix));
  if (!found) throw new Error(`no test case named '${prefix}…'`);
  return found;
}

const MATMUL = named('matmul 4 rows per thread, batch 1');
const COLUMNS = named('column reduction');

/** `i32.trunc_sat_f32_s` or its lane-wise form `i32x4.trunc_sat_f32x4_s`. */
function truncates(i: Instruction): boolean {
  return i.op === OP.i32TruncSatF32S || i.op === OP.i32x4TruncSatF32x4S;
}

function isCounterStep(loop: Instruction[], fn: WasmFunction, type: string): boolean {
  for (let i = 0; i + 3 < loop.length; i++) {
    const [get, one, add, set] = [loop[i]!, loop[i + 1]!, loop[i + 2]!, loop[i + 3]!];
    const isOne = (one.op === OP.i32Const || one.op === OP.f32Const) && one.args[0] === 1;
    const isAdd = add.op === OP.i32Add || add.op === OP.f32Add;
    if (get.op === OP.localGet && isOne && isAdd && set.op === OP.localSet && set.args[0] === get.args[0] && localType(fn, get.args[0]!) === type) return true;
  }
  return false;
}

function simdLoop(c: Case): { fn: WasmFunction; loop: Instruction[] } {
  const fn = calledBy(readWasm(runCase(c).wasm), 'run_simd');
  return { fn, loop: innermostLoop(fn) };
}

test('fixed module: the inner loop of a contiguous read is one v128.load, i32 counter, no f32→i32 truncation', (t) => {
  for (const c of [MATMUL, COLUMNS]) {
    const { fn, loop } = simdLoop(c);
    t.true(loop.length > 0, c.name);
    t.true(loop.some((i) => i.op === OP.v128Load), `${c.name}: no v128.load (0xFD 0x00) in the inner loop`);
    t.false(loop.some((i) => truncates(i)), `${c.name}: i32.trunc_sat_f32_s in the inner loop`);
    t.true(isCounterStep(loop, fn, 'i32'), `${c.name}: no i32 counter step`);
  }
  t.true(simdLoop(MATMUL).loop.some((i) => i.op === OP.v128Load32Splat), 'the uniform reads of A are v128.load32_splat');
});

test('stock module (the fix withheld): gathers, an f32 counter and f32→i32 truncations in the inner loop', (t) => {
  for (const c of [MATMUL, COLUMNS]) {
    const { fn, loop } = withStockCodegen(() => simdLoop(c));
    t.false(loop.some((i) => i.op === OP.v128Load), c.name);
    t.false(loop.some((i) => i.op === OP.v128Load32Splat), c.name);
    t.true(loop.some((i) => truncates(i)), c.name);
    t.true(isCounterStep(loop, fn, 'f32'), c.name);
    t.false(isCounterStep(loop, fn, 'i32'), c.name);
  }
});

test('withStockCodegen restores the fix afterwards, also when fn throws', (t) => {
  t.throws(() => withStockCodegen(() => {
    throw new Error('inside');
  }), { message: 'inside' });
  const { loop } = simdLoop(COLUMNS);
  t.true(loop.some((i) => i.op === OP.v128Load));
});

/** Span sets a thread pool may use: starts at multiples of 4 (rows a multiple of 4 wide) or at rows. */
function spanSets(cells: number, sizeX: number): [number, number][][] {
  const unit = sizeX % 4 === 0 ? 4 : sizeX;
  const a = unit;
  const b = unit * Math.max(2, Math.floor(cells / unit / 2));
  return [[[0, cells]], [[0, a], [a, cells]], [[0, a], [a, b], [b, cells]]];
}

test('shared-memory modules run in spans (run_simd from multiples of 4 or rows, run from anywhere) give the single-run result', (t) => {
  const cases = [MATMUL, named('matmul 4 rows per thread, batch 2'), COLUMNS, named('out-of-bounds'), named('uniform + thread.x')];
  for (const c of cases) {
    const cells = c.output.reduce((a, b) => a * b, 1);
    const inSpans = (spans: readonly [number, number][], scalar: boolean): Float32Array => {
      const kernel = compile(c);
      const inner = (kernel as unknown as { kernel: SharedKernel }).kernel;
      inner._threadable = () => true;
      inner._runThreaded = (args) => runInSpans(inner, args, spans, scalar);
      const out = flat(kernel(...c.args));
      t.true(inner._active.memory.buffer instanceof SharedArrayBuffer, c.name);
      return out;
    };
    const expected = withStockCodegen(() => runCase(c)).out;
    for (const spans of spanSets(cells, c.output[0]!)) {
      t.true(bytes(inSpans(spans, false)).equals(bytes(expected)), `${c.name}, spans ${JSON.stringify(spans)}`);
    }
    // gpu.js's scalar body does not clamp out-of-range reads as its SIMD gather does (a negative
    // index traps there), so run-only spans are for the cases that read in range
    if (c.name.startsWith('out-of-bounds') || c.name.startsWith('uniform + thread.x')) continue;
    const expectedScalar = withStockCodegen(() => inSpans([[0, cells]], true));
    const spans: [number, number][] = [[0, 5], [5, cells - 3], [cells - 3, cells]];
    t.true(bytes(inSpans(spans, true)).equals(bytes(expectedScalar)), `${c.name}, run-only spans ${JSON.stringify(spans)}`);
  }
});

interface SharedEntry {
  memory: { buffer: ArrayBuffer | SharedArrayBuffer };
  f32: Float32Array;
  cells: number;
  layout: { arrays: Record<string, { index: number; offset: number; flatLength: number }>; outputOffset: number };
  run(start: number, end: number, seed: number): void;
  runSimd: ((start: number, end: number, seed: number) => void) | null;
}

interface SharedKernel {
  _active: SharedEntry;
  threadDim: number[];
  componentCount: number;
  _threadable(): boolean;
  _runThreaded(args: ArrayLike<unknown>): unknown;
}

/** The registry pool's span runner: run_simd on whole quads of a row, run on the rest (or `run` only). */
function runInSpans(kernel: SharedKernel, args: ArrayLike<unknown>, spans: readonly [number, number][], scalar: boolean): Float32Array {
  const entry = kernel._active;
  for (const record of Object.values(entry.layout.arrays)) {
    gpujsUtils.flattenTo(args[record.index], entry.f32.subarray(record.offset / 4, record.offset / 4 + record.flatLength));
  }
  const sizeX = kernel.threadDim[0]!;
  for (const [start, end] of spans) {
    if (scalar) {
      entry.run(start, end, 0);
      continue;
    }
    if ((sizeX & 3) === 0 && entry.runSimd) {
      const quadEnd = end - ((end - start) & 3);
      if (quadEnd > start) entry.runSimd(start, quadEnd, 0);
      if (quadEnd < end) entry.run(quadEnd, end, 0);
      continue;
    }
    for (let base = start; base < end; base += sizeX) {
      const quads = sizeX & ~3;
      if (quads > 0 && entry.runSimd) entry.runSimd(base, base + quads, 0);
      entry.run(base + quads, base + sizeX, 0);
    }
  }
  const at = entry.layout.outputOffset / 4;
  return entry.f32.slice(at, at + entry.cells * kernel.componentCount);
}

test('integerLocals promotes counters and index bases, and keeps float what must stay float', (t) => {
  const c = named('locals that must stay float');
  const kernel = compile(c);
  kernel(...c.args);
  const node = (kernel as unknown as { kernel: { functionBuilder: { functionMap: Record<string, { getJsAST(): never }> } } }).kernel.functionBuilder.functionMap['kernel']!;
  const context = { argumentNames: ['a'], constant: () => undefined, outputSize: () => 9 };
  t.deepEqual([...integerLocals(node.getJsAST(), context).names].sort(), []);
  const mm = compile(MATMUL);
  mm(...MATMUL.args);
  const mmNode = (mm as unknown as { kernel: { functionBuilder: { functionMap: Record<string, { getJsAST(): never }> } } }).kernel.functionBuilder.functionMap['kernel']!;
  const ints = integerLocals(mmNode.getJsAST(), { argumentNames: ['a', 'b'], constant: (name: string) => ({ K: 24, N: 16, sa: 384, sb: 384 } as Record<string, number>)[name], outputSize: () => 4 });
  t.deepEqual([...ints.names].sort(), ['K', 'N', 'ao', 'bo', 'j', 'k', 'r', 'z']);
  t.false(ints.fixed.has('k'));
  t.true(ints.fixed.has('bo'));
});

test('the guard accepts the installed gpu.js and refuses another version or a changed method', (t) => {
  const gpujs = loadGpujsInternals();
  // the stock methods, not the installed replacements (whose source differs, by design)
  const stock = new Map(Object.keys(GPUJS_2_24_1.hashes).map((key) => [key, withStockCodegen(() => gpujsSource(gpujs, key))]));
  t.false(Object.keys(GPUJS_2_24_1.hashes).every((key) => gpujsSource(gpujs, key) === stock.get(key)), 'the fix replaced methods');
  const sourceOf = (key: string): string | undefined => stock.get(key);
  t.deepEqual(checkSources(GPUJS_2_24_1, gpujs.version, sourceOf), { ok: true });
  const otherVersion = checkSources(GPUJS_2_24_1, '2.24.2', sourceOf);
  t.false(otherVersion.ok);
  t.regex(otherVersion.ok ? '' : otherVersion.reason, /gpu\.js 2\.24\.2 is not 2\.24\.1/);
  for (const key of ['WebAssemblyFunctionNode#vGather', 'FunctionNode#getType', 'WebAssemblyKernel.dispatchSpans']) {
    const changed = checkSources(GPUJS_2_24_1, '2.24.1', (k) => (k === key ? `${sourceOf(k)!} ` : sourceOf(k)));
    t.false(changed.ok, key);
    t.true(!changed.ok && changed.reason.includes(key), key);
  }
  const missing = checkSources(GPUJS_2_24_1, '2.24.1', (k) => (k === 'WebAssemblyFunctionNode#vCoerce' ? undefined : sourceOf(k)));
  t.true(!missing.ok && missing.reason.includes('vCoerce is missing'));
});
