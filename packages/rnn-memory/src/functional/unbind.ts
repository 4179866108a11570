import { isGradEnabled, ShapeError, Tensor } from '@eole/core';

/**
 * Splits x [T, …] into its T slices x[0], …, x[T−1] (each of shape […]), as `torch.unbind(x, 0)`:
 * zero-copy views of x's buffer. This is how an unrolled recurrent layer reads the input
 * projection of every step from one matmul: the gradient of x is one buffer that the slices'
 * backward passes fill, ∂L/∂x[t] = ∂L/∂slice_t (zero for a slice the loss does not reach).
 *
 * How (the engine sums one full-size gradient per consumer, which for T `narrow` views would cost
 * T² copies): the T slices hang off one hub node over x. The first slice whose backward runs
 * allocates the gradient buffer of x and hands it to the hub; the others write their part into the
 * same buffer in place. The engine walks the hub only after every slice (a topological order), so
 * the buffer is complete when the hub passes it on to x.
 *
 * @example
 * const steps = unbind(projection.reshape([T, N, 4 * H])); // T tensors [N, 4H]
 */
export function unbind(x: Tensor): Tensor[] {
  if (x.ndim < 1) throw new ShapeError('unbind', `expected a tensor with at least one axis, got shape [${x.shape.join(', ')}]`);
  const T = x.shape[0]!;
  const shape = x.shape.slice(1);
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
 * Stacks tensors of one shape […] along a new first axis: [T, …], as `torch.stack(list, 0)`.
 * The gradient of each input is a zero-copy view of the output gradient's slice.
 *
 * @example
 * const outputs = stackTensors(hiddenStates); // T tensors [N, H] → [T, N, H]
 */
export function stackTensors(tensors: readonly Tensor[]): Tensor {
  if (tensors.length === 0) throw new ShapeError('stackTensors', 'needs at least one tensor');
  const shape = tensors[0]!.shape;
  tensors.forEach((t, i) => {
    if (t.ndim !== shape.length || t.shape.some((d, k) => d !== shape[k])) {
      throw new ShapeError('stackTensors', `tensor ${i} has shape [${t.shape.join(', ')}], tensor 0 has [${shape.join(', ')}]`);
    }
  });
  const inner = tensors[0]!.size;
  const data = new Float32Array(inner * tensors.length);
  tensors.forEach((t, i) => data.set(t.data, i * inner));
  return Tensor.record(new Tensor(data, [tensors.length, ...shape]), 'stackTensors', tensors, (g, needs) =>
    tensors.map((_, i) => (needs[i] ? new Tensor(g.data.subarray(i * inner, (i + 1) * inner), shape) : null)),
  );
}
