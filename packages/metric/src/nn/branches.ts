import { formatShape, ShapeError, stackTensors, unbind, type Tensor } from '@eole/core';
import { assertTensor } from '../validation/check.js';

/** The separate tensors of a PyTorch-form forward (`forward(x1, x2)`) and the stack built from them. */
export interface SeparateBranches {
  /** The tensors as passed, in order. */
  readonly inputs: readonly Tensor[];
  /** Their stack [B, N, D], the input of the stacked form. */
  readonly stacked: Tensor;
}

/**
 * Stacks separate branches (x1 and x2, or anchor, positive and negative), each [N, D] and all of one
 * shape, into [B, N, D] with a differentiable stack, so that gradients reach every branch. Errors name
 * `op`, the argument, the expected and the actual shape.
 *
 * @example
 * stackBranches('nn.PairwiseDistance', ['x1', 'x2'], [x1, x2]).stacked.shape; // [2, N, D]
 */
export function stackBranches(op: string, names: readonly string[], tensors: readonly unknown[]): SeparateBranches {
  tensors.forEach((x, i) => assertTensor(op, names[i]!, x));
  const inputs = tensors as readonly Tensor[];
  const first = inputs[0]!;
  if (first.ndim !== 2) throw new ShapeError(op, `${names[0]} must be [N, D], got ${formatShape(first.shape)}`);
  inputs.forEach((x, i) => {
    if (x.ndim !== 2 || x.shape[0] !== first.shape[0] || x.shape[1] !== first.shape[1]) {
      throw new ShapeError(op, `${names[i]} must be ${formatShape(first.shape)} like ${names[0]}, got ${formatShape(x.shape)}`);
    }
  });
  return { inputs, stacked: stackTensors(inputs) };
}

/**
 * Torch7's backward for the separate form: checks that `tensors` are those of the last forward
 * (`last`), runs `backward` on their stack and returns the gradient [N, D] of each tensor, in order.
 *
 * @example
 * const [g1, g2] = backwardBranches(op, last, ['x1', 'x2'], [x1, x2], (s) => super.backward(s, gradOutput));
 */
export function backwardBranches(op: string, last: SeparateBranches | null, names: readonly string[], tensors: readonly Tensor[], backward: (stacked: Tensor) => Tensor): Tensor[] {
  if (!last || last.inputs.length !== tensors.length || tensors.some((x, i) => x !== last.inputs[i])) {
    throw new Error(`${op}.backward: call forward(${names.join(', ')}) on these same tensors first`);
  }
  return unbind(backward(last.stacked));
}
