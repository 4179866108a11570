import { Tensor } from '../tensor/Tensor.js';
import { fmt, ShapeError } from '../tensor/shape.js';
import { matmulRaw } from './matmul.js';
import { permuteRaw } from './shape.js';
import { binaryRaw } from './elementwise.js';
import { reduceRaw } from './reduce.js';

/**
 * y = x·Wᵀ + b for x [N, in], W [out, in], b [out], as `torch.nn.functional.linear`: one autograd
 * node with a hand-written backward that needs no transposed copy of W:
 * ∂x = G·W, ∂W = Gᵀ·x, ∂b = Σₙ G.
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
  const wt = permuteRaw(weight, [1, 0]);
  let y = new Tensor(matmulRaw(x.data, wt.data, 1, n, inp, out, 0, 0), [n, out]);
  if (bias) y = binaryRaw('add', y, bias);
  const parents = bias ? [x, weight, bias] : [x, weight];
  return Tensor.record(y, 'linear', parents, (g, needs) => {
    const gx = needs[0] ? new Tensor(matmulRaw(g.data, weight.data, 1, n, out, inp, 0, 0), [n, inp]) : null;
    const gw = needs[1] ? new Tensor(matmulRaw(permuteRaw(g, [1, 0]).data, x.data, 1, out, n, inp, 0, 0), [out, inp]) : null;
    const gb = bias && needs[2] ? new Tensor(reduceRaw('sum', g, 0), [out]) : null;
    return [gx, gw, gb];
  });
}
