import type { Tensor } from '../tensor/Tensor.js';

/**
 * One recorded operation of the autograd DAG: its name, its parent tensors and a backward closure
 * that maps the gradient of the output to the gradients of the parents (vector-Jacobian products).
 * `needs[i]` tells whether parent `i` wants a gradient, so the closure can skip work, as
 * `ctx.needs_input_grad` does in PyTorch.
 */
export interface GradNode {
  readonly name: string;
  readonly parents: readonly Tensor[];
  backward(gradOutput: Tensor, needs: readonly boolean[]): (Tensor | null)[];
}
