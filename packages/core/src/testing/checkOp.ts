import type { ExecutionContext } from 'ava';
import { Generator, noGrad, Tensor, type GradcheckOptions } from '../index.js';
import { checkGrad } from './checkGrad.js';
import { checkParity } from './checkParity.js';
import { checkThreads } from './checkThreads.js';
import { maxRelErr } from './tolerance.js';

/** An input of an {@link Oracle}: the flat values and the shape of one op input. */
export interface OracleInput {
  /** Row-major values. */
  data: Float32Array;
  /** Shape of the input. */
  shape: readonly number[];
}

/** A plain-JS oracle, independent of Eole: maps the op's inputs to the expected flat output. */
export type Oracle = (...inputs: OracleInput[]) => ArrayLike<number>;

/** One row of an op table: how {@link checkOp} builds the inputs and what it expects. */
export interface OpCase {
  /** Input shapes (standard normal values unless `make` is given). */
  shapes: number[][];
  /** Custom input maker, e.g. {@link positive} for log; `i` is the input's position. */
  make?: (shape: number[], rng: Generator, i: number) => Tensor;
  /** Independent expected values; the forward check is skipped when absent. */
  oracle?: Oracle;
  /** Largest {@link maxRelErr} of the forward against the oracle (default 1e-4). */
  oracleTol?: number;
  /** Expected output shape. */
  shape?: number[];
  /** Positions of inputs that take no gradient (indices, targets). */
  noGrad?: number[];
  /** Options of the finite-difference check. */
  grad?: GradcheckOptions;
  /** Largest {@link maxRelErr} between the `cpu` and `webasm` backends (default 1e-5). */
  parityTol?: number;
}

/**
 * tinygrad's `helper_test_op` for Eole. For one op and one row, checks:
 * 1. the forward values against an independent oracle (max relative error < `oracleTol`);
 * 2. the output shape;
 * 3. the gradient of every differentiable input against central finite differences;
 * 4. that the gpu.js `cpu` and `webasm` backends agree on the output and the gradients;
 * 5. that output and gradients are bit-identical with 1, 2 and 3 threads ({@link checkThreads}).
 * Inputs come from `new Generator(123)`, so a row always sees the same values.
 *
 * @example
 * test('matmul [2, 3] @ [3, 4]', (t) =>
 *   checkOp(t, (a, b) => a!.matmul(b!), { shapes: [[2, 3], [3, 4]], shape: [2, 4], oracle: matmulOracle }));
 */
export function checkOp(t: ExecutionContext, op: (...xs: Tensor[]) => Tensor, c: OpCase): void {
  const rng = new Generator(123);
  const inputs = c.shapes.map((s, i) => (c.make ? c.make(s, rng, i) : Tensor.randn(s, rng)));
  inputs.forEach((x, i) => {
    if (!c.noGrad?.includes(i)) x.requiresGrad_();
  });
  const out = noGrad(() => op(...inputs));
  if (c.shape) t.deepEqual([...out.shape], c.shape, 'output shape');
  if (c.oracle) {
    const expected = c.oracle(...inputs.map((x) => ({ data: x.data, shape: x.shape })));
    t.is(out.size, expected.length, 'output size');
    const err = maxRelErr(out.data, expected);
    t.true(err < (c.oracleTol ?? 1e-4), `forward differs from the oracle by ${err}`);
  }
  checkGrad(t, 'the op', op, inputs, c.grad);
  checkParity(t, 'the op', () => ({ output: op(...inputs), inputs }), c.parityTol ?? 1e-5);
  checkThreads(t, 'the op', () => ({ output: op(...inputs), inputs }));
}
