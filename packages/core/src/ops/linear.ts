import { Tensor } from '../tensor/Tensor.js';
import { fmt, ShapeError } from '../tensor/shape.js';
import { matmulBiasTransposedRaw, matmulRaw } from './matmul.js';
import { permuteRaw } from './shape.js';
import { binaryRaw } from './elementwise.js';
import { reduceRaw } from './reduce.js';

/**
 * Relative cost of a product whose SIMD lanes walk `lanes` columns (whole quads plus a scalar tail
 * per row) and whose threads take 4 of `rows` rows, over K terms, after transposing `copy` values.
 * A quad step (one gather, 4 broadcast loads, 4 multiply-adds) costs about 12 copied values.
 */
function productCost(lanes: number, rows: number, K: number, copy: number): number {
  return copy + 12 * K * (Math.floor(lanes / 4) + (lanes % 4)) * Math.ceil(rows / 4);
}

/**
 * The forward product y = x·Wᵀ + b in the cheaper of two orientations:
 * - `xWt`: y = x·Wᵀ with Wᵀ copied ([out, in] values), lanes over the outputs, then a broadcast add;
 * - `Wxt`: yᵀ = W·xᵀ + b with xᵀ copied ([N, in] values), lanes over the batch, the bias added by
 *   the product kernel itself (`core.matmul.nn.bias`), read back transposed: 2 launches, not 3.
 * MLP 784→1000 at batch 64: `Wxt` copies 50,176 values instead of 784,000.
 */
function linearForward(x: Tensor, weight: Tensor, bias: Tensor | null, n: number, inp: number, out: number): Tensor {
  const wxt = productCost(n, out, inp, n * inp);
  const xwt = productCost(out, n, inp, out * inp) + (bias ? 2 * n * out : 0);
  if (wxt <= xwt) {
    const xt = permuteRaw(x, [1, 0]);
    const b = bias ? bias.data : new Float32Array(out);
    return new Tensor(matmulBiasTransposedRaw(weight.data, xt.data, b, out, inp, n), [n, out]);
  }
  const wt = permuteRaw(weight, [1, 0]);
  const y = new Tensor(matmulRaw(x.data, wt.data, 1, n, inp, out, 0, 0), [n, out]);
  return bias ? binaryRaw('add', y, bias) : y;
}

/**
 * y = x·Wᵀ + b for x [N, in], W [out, in], b [out], as `torch.nn.functional.linear`: one autograd
 * node with a hand-written backward that needs no transposed copy of W:
 * ∂x = G·W, ∂W = Gᵀ·x, ∂b = Σₙ G. The forward transposes whichever of x and W is smaller
 * (see {@link linearForward}).
 *
 * @example
 * const y = linear(x, weight, bias); // [N, out]
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (weight.ndim !== 2) throw new ShapeError('linear', `weight must be [out, in], got ${fmt(weight.shape)}`);
  const [out, inp] = weight.shape as [number, number];
  if (x.ndim !== 2 || x.shape[1] !== inp) throw new ShapeError('linear', `input must be [N, ${inp}] for weight ${fmt(weight.shape)}, got ${fmt(x.shape)}`);
  if (bias && (bias.ndim !== 1 || bias.size !== out)) throw new ShapeError('linear', `bias must be [${out}] for weight ${fmt(weight.shape)}, got ${fmt(bias.shape)}`);
  const n = x.shape[0]!;
  const y = linearForward(x, weight, bias, n, inp, out);
  const parents = bias ? [x, weight, bias] : [x, weight];
  return Tensor.record(y, 'linear', parents, (g, needs) => {
    const gx = needs[0] ? new Tensor(matmulRaw(g.data, weight.data, 1, n, out, inp, 0, 0), [n, inp]) : null;
    const gw = needs[1] ? new Tensor(matmulRaw(permuteRaw(g, [1, 0]).data, x.data, 1, out, n, inp, 0, 0), [out, inp]) : null;
    const gb = bias && needs[2] ? new Tensor(reduceRaw('sum', g, 0), [out]) : null;
    return [gx, gw, gb];
  });
}
