import { isGradEnabled } from '../autograd/gradMode.js';
import { Tensor } from '../tensor/Tensor.js';
import { fmt, normAxis, ShapeError } from '../tensor/shape.js';
import { split } from './shape.js';

/**
 * Splits x along `axis` into its slices, as `torch.unbind(x, axis)`: x [T, …] gives T tensors […]
 * with slice t = x[t]. Along axis 0 the slices are zero-copy views of x's buffer; along another
 * axis they are copies (`narrow`). The gradient of x gathers the slices' gradients,
 * ∂L/∂x[t] = ∂L/∂slice_t (zero for a slice the loss does not reach).
 *
 * This is how an unrolled recurrent layer reads the input projection of every step from one
 * matmul. How it stays linear in T (the engine sums one full-size gradient per consumer, which for
 * T `narrow` views would cost T² copies): the T slices hang off one hub node over x. The first
 * slice whose backward runs allocates the gradient buffer of x and hands it to the hub; the others
 * write their part into the same buffer in place. The engine walks the hub only after every slice
 * (a topological order), so the buffer is complete when the hub passes it on to x.
 *
 * @example
 * const steps = unbind(projection.reshape([T, N, 4 * H])); // T tensors [N, 4H]
 * const columns = unbind(Tensor.from([1, 2, 3, 4], [2, 2]), 1); // [1, 3] and [2, 4]
 */
export function unbind(x: Tensor, axis = 0): Tensor[] {
  if (x.ndim < 1) throw new ShapeError('unbind', `expected a tensor with at least one axis, got shape ${fmt(x.shape)}`);
  const a = normAxis('unbind', axis, x.ndim);
  const shape = x.shape.filter((_, i) => i !== a);
  if (a !== 0) return split(x, 1, a).map((piece) => piece.reshape(shape));
  const T = x.shape[0]!;
  const inner = T === 0 ? 0 : x.size / T;
  const view = (t: number): Tensor => new Tensor(x.data.subarray(t * inner, (t + 1) * inner), shape);
  if (!isGradEnabled() || !x.requiresGrad) return Array.from({ length: T }, (_, t) => view(t));
  let buffer: Tensor | null = null;
  const hub = Tensor.record(new Tensor(x.data, x.shape), 'unbind', [x], (g) => {
    buffer = null;
    return [g];
  });
  return Array.from({ length: T }, (_, t) =>
    Tensor.record(view(t), 'unbind.slice', [hub], (g, needs) => {
      if (!needs[0]) return [null];
      const first = buffer === null;
      if (buffer === null) buffer = Tensor.zeros(x.shape);
      buffer.data.set(g.data, t * inner);
      return [first ? buffer : null];
    }),
  );
}

/**
 * Stacks tensors of one shape […] along a new first axis: [T, …], as `torch.stack(list, 0)`; the
 * inverse of {@link unbind}. out[t] = tensors[t]. The gradient of each input is a zero-copy view of
 * the output gradient's slice, ∂L/∂tensors[t] = ∂L/∂out[t].
 *
 * @example
 * const outputs = stackTensors(hiddenStates); // T tensors [N, H] → [T, N, H]
 */
export function stackTensors(tensors: readonly Tensor[]): Tensor {
  if (tensors.length === 0) throw new ShapeError('stackTensors', 'needs at least one tensor');
  const shape = tensors[0]!.shape;
  tensors.forEach((t, i) => {
    if (t.ndim !== shape.length || t.shape.some((d, k) => d !== shape[k])) {
      throw new ShapeError('stackTensors', `tensor ${i} has shape ${fmt(t.shape)}, tensor 0 has ${fmt(shape)}`);
    }
  });
  const inner = tensors[0]!.size;
  const data = new Float32Array(inner * tensors.length);
  tensors.forEach((t, i) => data.set(t.data, i * inner));
  return Tensor.record(new Tensor(data, [tensors.length, ...shape]), 'stackTensors', tensors, (g, needs) =>
    tensors.map((_, i) => (needs[i] ? new Tensor(g.data.subarray(i * inner, (i + 1) * inner), shape) : null)),
  );
}
