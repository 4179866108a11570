import { Module, type Tensor } from '@eole/core';
import { backwardBranches, stackBranches, type SeparateBranches } from './branches.js';

const NAMES = ['x1', 'x2'] as const;

/**
 * A module on a pair of tensors, in both forms a user may know:
 * - the stacked form (a Torch7 table as one tensor, and what {@link Siamese} outputs): `forward(input)`
 *   with input [2, N, D] (x1 and x2 stacked on dimension 0), `backward(input, gradOutput)` → [2, N, D];
 * - PyTorch's separate form: `forward(x1, x2)` with x1 and x2 [N, D] each, `backward(x1, x2,
 *   gradOutput)` → [∂L/∂x1, ∂L/∂x2]; `loss.backward()` reaches x1 and x2 (and the nets behind them).
 *
 * The separate form stacks x1 and x2 (differentiably) and runs the stacked form, so the two give the
 * same values and gradients. Subclasses implement `updateOutput` on the stacked input.
 *
 * @example
 * const d = new PairwiseDistance();
 * d.forward(x1, x2);                       // as torch.nn.PairwiseDistance()(x1, x2)
 * d.forward(stackTensors([x1, x2]));       // the same values, stacked [2, N, D]
 */
export abstract class PairModule extends Module {
  private separate: SeparateBranches | null = null;

  /** The stacked form: input [2, N, D] (x1 and x2 stacked on dimension 0). */
  override forward(input: Tensor): Tensor;
  /** PyTorch's form: x1 and x2, [N, D] each. */
  override forward(x1: Tensor, x2: Tensor): Tensor;
  override forward(input: Tensor, x2?: Tensor): Tensor {
    if (x2 === undefined) {
      this.separate = null;
      return super.forward(input);
    }
    const branches = stackBranches(this.typeName(), NAMES, [input, x2]);
    const out = super.forward(branches.stacked);
    this.separate = branches;
    return out;
  }

  /** Alias of {@link PairModule.forward}, for a PyTorch-like call site: `dist.call(x1, x2)`. */
  override call(input: Tensor, x2?: Tensor): Tensor {
    return x2 === undefined ? this.forward(input) : this.forward(input, x2);
  }

  /** Torch7's backward after a stacked forward: ∂L/∂input [2, N, D]. */
  override backward(input: Tensor, gradOutput: Tensor): Tensor;
  /** Torch7's backward after `forward(x1, x2)`: [∂L/∂x1, ∂L/∂x2], [N, D] each. */
  override backward(x1: Tensor, x2: Tensor, gradOutput: Tensor): [Tensor, Tensor];
  override backward(input: Tensor, second: Tensor, gradOutput?: Tensor): Tensor | [Tensor, Tensor] {
    if (gradOutput === undefined) return super.backward(input, second);
    return backwardBranches(this.typeName(), this.separate, NAMES, [input, second], (stacked) => super.backward(stacked, gradOutput)) as [Tensor, Tensor];
  }
}
