import { Container } from './Container.js';
import type { Module } from './Module.js';
import type { Tensor } from '../tensor/Tensor.js';
import { concat } from '../ops/shape.js';
import { fmt, normAxis, ShapeError } from '../tensor/shape.js';
import { branchTree } from './torchFormat.js';

/**
 * Torch7's `nn.Concat`: applies every module to the same input and joins their outputs along
 * `dim`, y = [f₁(x), f₂(x), …] along `dim`. The dimension is 0-based and counts the batch axis
 * (PyTorch's convention; Torch7 counted from 1), and may be negative. The gradient with respect
 * to x is the sum of the children's gradients.
 *
 * @example
 * const c = new Concat(1, new Linear(10, 3), new Linear(10, 5));
 * c.forward(Tensor.zeros([4, 10])).shape; // [4, 8]
 */
export class Concat extends Container {
  constructor(
    readonly dim: number,
    ...modules: Module[]
  ) {
    super(modules);
    if (!Number.isInteger(dim)) throw new RangeError(`Concat: dim must be an integer, got ${dim}`);
  }

  protected updateOutput(input: Tensor): Tensor {
    const kids = this.children();
    if (kids.length === 0) throw new Error(`${this.typeName()}.forward: the container has no modules; add() some first`);
    const outs = kids.map((m) => m.forward(input));
    const first = outs[0]!;
    normAxis(this.typeName(), this.dim, first.ndim);
    try {
      return concat(outs, this.dim);
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
      const shapes = outs.map((o) => fmt(o.shape)).join(', ');
      throw new ShapeError(this.typeName(), `cannot join the outputs ${shapes} along dim ${this.dim}: they must agree on every other dimension`);
    }
  }

  override toString(): string {
    return branchTree(this.typeName(), this.children());
  }
}
