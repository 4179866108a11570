import { concat, describeValue, formatShape, Module, ShapeError, type Tensor } from '@eole/core';
import { assertTensor } from '../validation/check.js';

/**
 * A Siamese architecture: one network G_W applied to every branch of a pair (or triplet) with the
 * same weights W (Bromley et al. 1993; Chopra, Hadsell & LeCun, "Learning a similarity metric
 * discriminatively, with application to face verification", CVPR 2005). The branches come stacked
 * on dimension 0:
 *
 *   input [B, N, ...rest] (B = 2 for pairs, 3 for triplets)  →  output [B, N, ...out],
 *   output[b] = G_W(input[b]).
 *
 * The branches are run as one batch (reshaped to [B·N, ...rest], one forward through the shared
 * net, reshaped back), so the gradient of every branch accumulates into the one set of parameters:
 * ∂L/∂W = Σ_b ∂L/∂G_W(x_b)·∂G_W(x_b)/∂W. A batch-statistics layer (batch normalization) inside the
 * net therefore sees all B·N rows together. The parameters are the net's, named `net.<name>` in the
 * state dict.
 *
 * @example
 * const siamese = new Siamese(new Sequential(new Linear(784, 64), new ReLU(), new Linear(64, 2)));
 * const d = new PairwiseDistance().forward(siamese.forward(pairs)); // pairs [2, N, 784] → d [N]
 * const loss = new ContrastiveCriterion(1).forward(d, target);      // DrLIM
 */
export class Siamese extends Module {
  /** The shared network G_W. */
  readonly net: Module;

  constructor(net: Module) {
    super();
    if (!(net instanceof Module)) throw new TypeError(`Siamese: net must be a Module, got ${describeValue(net)}`);
    this.net = this.registerModule('net', net);
  }

  protected updateOutput(input: Tensor): Tensor {
    if (input.ndim < 2 || input.shape[0]! < 1) {
      throw new ShapeError(this.typeName(), `input must be [B, N, ...] (the B branches stacked on dimension 0), got ${formatShape(input.shape)}`);
    }
    const [branches, n, ...rest] = input.shape as [number, number, ...number[]];
    const out = this.net.forward(input.reshape([branches * n, ...rest]));
    if (out.ndim < 1 || out.shape[0] !== branches * n) {
      throw new ShapeError(this.typeName(), `the net must keep the batch dimension: input [${branches * n}, ${rest.join(', ')}] gave output ${formatShape(out.shape)}`);
    }
    return out.reshape([branches, n, ...out.shape.slice(1)]);
  }

  /**
   * Runs the shared net on each of `inputs` (each [N, ...rest], the same shape) in one batch and
   * returns one output per input, [N, ...out] each; gradients reach both the inputs and the net.
   *
   * @example
   * const [ea, eb] = siamese.forwardBranches(xa, xb);
   */
  forwardBranches(...inputs: Tensor[]): Tensor[] {
    if (inputs.length === 0) throw new RangeError(`${this.typeName()}.forwardBranches: expected at least one input tensor, got none`);
    inputs.forEach((x, i) => assertTensor(`${this.typeName()}.forwardBranches`, `input ${i}`, x));
    const shape = inputs[0]!.shape;
    inputs.forEach((x, i) => {
      if (x.ndim !== shape.length || x.shape.some((d, j) => d !== shape[j])) {
        throw new ShapeError(`${this.typeName()}.forwardBranches`, `input ${i} has shape ${formatShape(x.shape)}, expected ${formatShape(shape)} like input 0`);
      }
    });
    const stacked = concat(inputs.map((x) => x.reshape([1, ...x.shape])), 0);
    const out = this.forward(stacked);
    return out.split(1, 0).map((o) => o.reshape(out.shape.slice(1)));
  }

  override toString(): string {
    return `${this.typeName()}(${this.net.toString().split('\n').join('\n  ')})`;
  }
}
