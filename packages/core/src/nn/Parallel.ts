import { Container } from './Container.js';
import type { Module } from './Module.js';
import type { Tensor } from '../tensor/Tensor.js';
import { concat } from '../ops/shape.js';
import { fmt, normAxis, ShapeError } from '../tensor/shape.js';
import { branchTree } from './torchFormat.js';

/**
 * Torch7's `nn.Parallel`: module i gets slice i of the input along `inputDim` (that dimension
 * removed, as Torch7's `select`), and the outputs are joined along `outputDim`:
 * y = [f₁(x_{·,0,·}), f₂(x_{·,1,·}), …] along `outputDim`. Dimensions are 0-based and count the
 * batch axis; the input must have exactly one slice per module along `inputDim`.
 *
 * @example
 * const p = new Parallel(1, 0, new Linear(10, 3), new Linear(10, 2));
 * p.forward(Tensor.zeros([10, 2])).shape; // [5]: Linear(10→3) on column 0, Linear(10→2) on column 1
 */
export class Parallel extends Container {
  constructor(
    readonly inputDim: number,
    readonly outputDim: number,
    ...modules: Module[]
  ) {
    super(modules);
    for (const [name, v] of [['inputDim', inputDim], ['outputDim', outputDim]] as const) {
      if (!Number.isInteger(v)) throw new RangeError(`Parallel: ${name} must be an integer, got ${v}`);
    }
  }

  protected updateOutput(input: Tensor): Tensor {
    const kids = this.children();
    if (kids.length === 0) throw new Error(`${this.typeName()}.forward: the container has no modules; add() some first`);
    const d = normAxis(this.typeName(), this.inputDim, input.ndim);
    if (input.shape[d] !== kids.length) {
      throw new ShapeError(this.typeName(), `input ${fmt(input.shape)} has ${input.shape[d]} slices along inputDim ${this.inputDim}, expected one per module (${kids.length})`);
    }
    const rest = input.shape.filter((_, i) => i !== d);
    const outs = kids.map((m, i) => m.forward(input.narrow(d, i, 1).reshape(rest)));
    normAxis(this.typeName(), this.outputDim, outs[0]!.ndim);
    try {
      return concat(outs, this.outputDim);
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
      throw new ShapeError(this.typeName(), `cannot join the outputs ${outs.map((o) => fmt(o.shape)).join(', ')} along outputDim ${this.outputDim}: they must agree on every other dimension`);
    }
  }

  override toString(): string {
    return branchTree(this.typeName(), this.children());
  }
}
