import { Tensor } from '../tensor/Tensor.js';
import { noGrad } from './gradMode.js';

/** A custom differentiable function: a forward that returns the output and what backward needs. */
export interface FunctionSpec<Saved> {
  readonly name: string;
  /** Computes the output (graph recording is off inside) and the values backward will need. */
  forward(inputs: readonly Tensor[]): { output: Tensor; saved: Saved };
  /** Maps the gradient of the output to the gradients of the inputs (null where `needs` is false). */
  backward(saved: Saved, gradOutput: Tensor, needs: readonly boolean[]): (Tensor | null)[];
}

/**
 * Defines an autograd function with a hand-written backward, as `torch.autograd.Function` does:
 * hot composite ops (a convolution, an LSTM cell, softmax cross-entropy) become one node of the DAG.
 *
 * @example
 * const square = defineFunction<Tensor>({
 *   name: 'square',
 *   forward: ([x]) => ({ output: x!.mul(x!), saved: x! }),
 *   backward: (x, g) => [g.mul(x).mul(2)],
 * });
 */
export function defineFunction<Saved>(spec: FunctionSpec<Saved>): (...inputs: Tensor[]) => Tensor {
  return (...inputs: Tensor[]) => {
    const { output, saved } = noGrad(() => spec.forward(inputs));
    const result = output.gradFn ? output.detach() : output;
    return Tensor.record(result, spec.name, inputs, (g, needs) => spec.backward(saved, g, needs));
  };
}
