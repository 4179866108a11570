import { Tensor } from '../tensor/Tensor.js';
import { runBackward } from '../autograd/engine.js';

/**
 * Torch7's `nn.Criterion`: `forward(input, target)` returns the loss as a scalar tensor (`.item()`
 * for the number; `loss.backward()` works PyTorch-style), and `backward(input, target)` returns
 * the gradient of the loss with respect to `input`.
 */
export abstract class Criterion {
  /** The last loss. */
  output: Tensor | null = null;
  /** The last gradient with respect to the input. */
  gradInput: Tensor | null = null;
  private lastInput: Tensor | null = null;
  private graphInput: Tensor | null = null;

  /** The loss, from differentiable ops on `input` (target is data). */
  protected abstract updateOutput(input: Tensor, target: Tensor): Tensor;

  forward(input: Tensor, target: Tensor): Tensor {
    for (const [name, v] of [['input', input], ['target', target]] as const) {
      if (!(v instanceof Tensor)) throw new TypeError(`${this.typeName()}.forward: ${name} must be a Tensor, got ${v === null ? 'null' : typeof v}`);
    }
    let x = input;
    if (!input.requiresGrad) {
      x = input.detach().requiresGrad_();
      x.isInputProxy = true;
    }
    this.lastInput = input;
    this.graphInput = x;
    this.output = this.updateOutput(x, target);
    return this.output;
  }

  /** ∂loss/∂input for the last forward (which must have had this input). */
  backward(input: Tensor, target: Tensor): Tensor {
    void target;
    if (!this.output || input !== this.lastInput || !this.graphInput) {
      throw new Error(`${this.typeName()}.backward: call forward(input, target) on this same input first`);
    }
    const g = this.output.requiresGrad ? runBackward(this.output, Tensor.ones(this.output.shape), { stopAt: [this.graphInput] }).get(this.graphInput) : undefined;
    this.gradInput = g ? g.reshape(input.shape) : Tensor.zeros(input.shape);
    return this.gradInput;
  }

  typeName(): string {
    return `nn.${this.constructor.name}`;
  }

  toString(): string {
    return this.typeName();
  }
}
