import { Tensor, type TensorLike } from '../tensor/Tensor.js';
import { broadcastShapes, broadcastStrides, sameShape, sizeOf, type Shape } from '../tensor/shape.js';
import { kernels } from '../kernels/KernelRegistry.js';
import { offsetsConstants, offsetsSource } from '../kernels/offsets.js';
import { sum } from './reduce.js';

/** Binary expressions over `x` (left), `y` (right) and a scalar `s`. */
const BINARY = {
  add: 'x + y',
  sub: 'x - y',
  mul: 'x * y',
  div: 'x / y',
  /** g·(1 − y²): tanh backward from the output y. */
  tanhGrad: 'x * (1 - y * y)',
  /** g·y·(1 − y): sigmoid backward from the output y. */
  sigmoidGrad: 'x * y * (1 - y)',
  /** g where y > s, else 0: threshold and ReLU backward. */
  gtMask: 'y > s ? x : 0',
  /** g where y > 0, else s·g: leaky ReLU backward from the input y. */
  leakyGrad: 'y > 0 ? x : x * s',
  /** g·sign(y). */
  signMul: 'y > 0 ? x : (y < 0 ? -x : 0)',
  /** g·σ(−y) = g / (1 + eʸ): log-sigmoid backward from the input y. */
  logSigmoidGrad: 'x / (1 + Math.exp(y))',
} as const;
type BinaryOp = keyof typeof BINARY;

/** Unary expressions over `x` and two scalars `s`, `t`. */
const UNARY = {
  affine: 'x * s + t',
  neg: '-x',
  exp: 'Math.exp(x)',
  log: 'Math.log(x)',
  tanh: 'Math.tanh(x)',
  sigmoid: '1 / (1 + Math.exp(-x))',
  /** log σ(x) = min(x, 0) − log(1 + e^−|x|): finite for every x. */
  logSigmoid: 'Math.min(x, 0) - Math.log(1 + Math.exp(-Math.abs(x)))',
  threshold: 'x > s ? x : t',
  leakyRelu: 'x > 0 ? x : x * s',
  abs: 'Math.abs(x)',
  sqrt: 'Math.sqrt(x)',
  /**
   * xˢ with t = (−1)ˢ for an integer s, NaN otherwise: a negative base goes through |x| because
   * GLSL's pow is undefined for x < 0 (SwiftShader returned |x|³ for x³).
   */
  pow: 'x < 0 ? t * Math.pow(-x, s) : Math.pow(x, s)',
  /** s·xˢ⁻¹, with t as in `pow` ((−1)ˢ⁻¹ = −t). */
  powGrad: 'x < 0 ? -t * s * Math.pow(-x, s - 1) : s * Math.pow(x, s - 1)',
} as const;
type UnaryOp = keyof typeof UNARY;

/** Applies a binary kernel with NumPy broadcasting; no autograd. */
export function binaryRaw(op: BinaryOp, a: Tensor, b: Tensor, s = 0): Tensor {
  const shape = broadcastShapes(op, a.shape, b.shape);
  const n = sizeOf(shape);
  const expr = BINARY[op];
  if (sameShape(a.shape, b.shape)) {
    const k = kernels.define(`core.elementwise.${op}`, () => `function(a, b, s) { const x = a[this.thread.x]; const y = b[this.thread.x]; return ${expr}; }`);
    return new Tensor(k.run({ output: [n], args: [a.data, b.data, s] }), shape);
  }
  if (b.size === 1 || a.size === 1) {
    const side = b.size === 1 ? 'scalarRight' : 'scalarLeft';
    const xs = side === 'scalarLeft' ? 'a[0]' : 'a[this.thread.x]';
    const ys = side === 'scalarRight' ? 'b[0]' : 'b[this.thread.x]';
    const k = kernels.define(`core.elementwise.${op}.${side}`, () => `function(a, b, s) { const x = ${xs}; const y = ${ys}; return ${expr}; }`);
    return new Tensor(k.run({ output: [n], args: [a.data, b.data, s] }), shape);
  }
  const k = kernels.define(`core.elementwise.${op}.broadcast${shape.length}`, () =>
    `function(a, b, s) {\n${offsetsSource(shape.length, ['a', 'b'])}\nconst x = a[oa]; const y = b[ob]; return ${expr}; }`,
  );
  const constants = offsetsConstants(shape, { a: broadcastStrides(a.shape, shape), b: broadcastStrides(b.shape, shape) });
  return new Tensor(k.run({ output: [n], constants, args: [a.data, b.data, s] }), shape);
}

/** Applies a unary kernel; no autograd. */
export function unaryRaw(op: UnaryOp, a: Tensor, s = 0, t = 0): Tensor {
  const k = kernels.define(`core.elementwise.${op}`, () => `function(a, s, t) { const x = a[this.thread.x]; return ${UNARY[op]}; }`);
  return new Tensor(k.run({ output: [a.size], args: [a.data, s, t] }), a.shape);
}

/** Sums a broadcast gradient back to `shape` (the reverse of broadcasting). */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  let r = g;
  const lead = g.ndim - shape.length;
  for (let i = 0; i < lead; i++) r = sum(r, 0);
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1 && r.shape[i] !== 1) r = sum(r, i, true);
  }
  return r.reshape(shape);
}

function asTensor(v: TensorLike): Tensor {
  return typeof v === 'number' ? Tensor.scalar(v) : v;
}

/** Elementwise `a + b` with broadcasting. ∂/∂a = 1, ∂/∂b = 1. */
export function add(a: Tensor, b: TensorLike): Tensor {
  if (typeof b === 'number') return affine(a, 1, b);
  return Tensor.record(binaryRaw('add', a, b), 'add', [a, b], (g, needs) => [
    needs[0] ? sumToShape(g, a.shape) : null,
    needs[1] ? sumToShape(g, b.shape) : null,
  ]);
}

/** Elementwise `a − b` with broadcasting. */
export function sub(a: Tensor, b: TensorLike): Tensor {
  if (typeof b === 'number') return affine(a, 1, -b);
  return Tensor.record(binaryRaw('sub', a, b), 'sub', [a, b], (g, needs) => [
    needs[0] ? sumToShape(g, a.shape) : null,
    needs[1] ? sumToShape(unaryRaw('neg', g), b.shape) : null,
  ]);
}

/** Elementwise `a · b` with broadcasting. ∂/∂a = b, ∂/∂b = a. */
export function mul(a: Tensor, b: TensorLike): Tensor {
  if (typeof b === 'number') return affine(a, b, 0);
  return Tensor.record(binaryRaw('mul', a, b), 'mul', [a, b], (g, needs) => [
    needs[0] ? sumToShape(binaryRaw('mul', g, b), a.shape) : null,
    needs[1] ? sumToShape(binaryRaw('mul', g, a), b.shape) : null,
  ]);
}

/** Elementwise `a / b` with broadcasting. ∂/∂a = 1/b, ∂/∂b = −a/b². */
export function div(a: Tensor, b: TensorLike): Tensor {
  if (typeof b === 'number') return affine(a, 1 / b, 0);
  const bt = asTensor(b);
  return Tensor.record(binaryRaw('div', a, bt), 'div', [a, bt], (g, needs) => [
    needs[0] ? sumToShape(binaryRaw('div', g, bt), a.shape) : null,
    needs[1] ? sumToShape(unaryRaw('neg', binaryRaw('div', binaryRaw('mul', g, a), binaryRaw('mul', bt, bt))), bt.shape) : null,
  ]);
}

/** `x·alpha + beta` for scalars alpha and beta. */
export function affine(x: Tensor, alpha: number, beta: number): Tensor {
  return Tensor.record(unaryRaw('affine', x, alpha, beta), 'affine', [x], (g) => [unaryRaw('affine', g, alpha, 0)]);
}

/** −x; ∂/∂x = −1. */
export function neg(x: Tensor): Tensor {
  return Tensor.record(unaryRaw('neg', x), 'neg', [x], (g) => [unaryRaw('neg', g)]);
}

/** eˣ; the gradient reuses the output. */
export function exp(x: Tensor): Tensor {
  const y = unaryRaw('exp', x);
  return Tensor.record(y, 'exp', [x], (g) => [binaryRaw('mul', g, y)]);
}

/** Natural logarithm; ∂/∂x = 1/x. */
export function log(x: Tensor): Tensor {
  return Tensor.record(unaryRaw('log', x), 'log', [x], (g) => [binaryRaw('div', g, x)]);
}

/** tanh x; ∂/∂x = 1 − tanh² x. */
export function tanh(x: Tensor): Tensor {
  const y = unaryRaw('tanh', x);
  return Tensor.record(y, 'tanh', [x], (g) => [binaryRaw('tanhGrad', g, y)]);
}

/** σ(x) = 1/(1 + e⁻ˣ); ∂/∂x = σ(1 − σ). */
export function sigmoid(x: Tensor): Tensor {
  const y = unaryRaw('sigmoid', x);
  return Tensor.record(y, 'sigmoid', [x], (g) => [binaryRaw('sigmoidGrad', g, y)]);
}

/**
 * Log-sigmoid, log σ(x) = −log(1 + e⁻ˣ), computed as min(x, 0) − log(1 + e^−|x|) so that it stays
 * finite for large |x| (`torch.nn.functional.logsigmoid`). ∂/∂x = σ(−x) = 1/(1 + eˣ). The loss of
 * word2vec's negative sampling is built from it (Mikolov et al., 2013).
 *
 * @example
 * logSigmoid(Tensor.from([-100, 0, 100])).toArray(); // [-100, -0.6931, 0]
 */
export function logSigmoid(x: Tensor): Tensor {
  return Tensor.record(unaryRaw('logSigmoid', x), 'logSigmoid', [x], (g) => [binaryRaw('logSigmoidGrad', g, x)]);
}

/** Torch7's Threshold: y = x if x > th, else val. */
export function threshold(x: Tensor, th: number, val: number): Tensor {
  return Tensor.record(unaryRaw('threshold', x, th, val), 'threshold', [x], (g) => [binaryRaw('gtMask', g, x, th)]);
}

/**
 * The gradient Torch7's Threshold passes back, g where x > th and 0 elsewhere (one launch, no
 * autograd record): what a fused op ending in a ReLU uses in its backward, with `x` its output
 * (y > 0 exactly where the pre-activation is > 0, so the gradient is the unfused one bit for bit).
 *
 * @example
 * const gPre = thresholdGrad(g, y, 0); // ∂L/∂pre of y = relu(pre)
 */
export function thresholdGrad(gradOutput: Tensor, x: Tensor, th: number): Tensor {
  return binaryRaw('gtMask', gradOutput, x, th);
}

/** max(0, x). */
export function relu(x: Tensor): Tensor {
  return threshold(x, 0, 0);
}

/**
 * Leaky rectifier (Maas, Hannun & Ng, 2013; the discriminators of DCGAN, Radford et al. 2015):
 * y = x if x > 0, else negval·x; ∂y/∂x = 1 where x > 0, else negval. As Torch7's `nn.LeakyReLU` and
 * `torch.nn.functional.leaky_relu` (negative slope 0.01 by default).
 *
 * @example
 * leakyRelu(Tensor.from([-2, 3]), 0.2).toArray(); // [-0.4, 3]
 */
export function leakyRelu(x: Tensor, negval = 0.01): Tensor {
  return Tensor.record(unaryRaw('leakyRelu', x, negval), 'leakyRelu', [x], (g) => [binaryRaw('leakyGrad', g, x, negval)]);
}

/** |x|; ∂/∂x = sign(x). */
export function abs(x: Tensor): Tensor {
  return Tensor.record(unaryRaw('abs', x), 'abs', [x], (g) => [binaryRaw('signMul', g, x)]);
}

/** √x; ∂/∂x = 1/(2√x). */
export function sqrt(x: Tensor): Tensor {
  const y = unaryRaw('sqrt', x);
  return Tensor.record(y, 'sqrt', [x], (g) => [binaryRaw('div', unaryRaw('affine', g, 0.5, 0), y)]);
}

/** xᵖ for a scalar p; ∂/∂x = p·xᵖ⁻¹. A negative x gives NaN unless p is an integer, as `Math.pow`. */
export function pow(x: Tensor, p: number): Tensor {
  if (p === 2) return mul(x, x);
  const sign = Number.isInteger(p) ? (p % 2 === 0 ? 1 : -1) : NaN;
  return Tensor.record(unaryRaw('pow', x, p, sign), 'pow', [x], (g) => [binaryRaw('mul', g, unaryRaw('powGrad', x, p, sign))]);
}
