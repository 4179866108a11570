import { defaultGenerator, formatShape, Module, ShapeError, Tensor, type Generator } from '@eole/core';

/** Options of {@link SpatialDropout}. */
export interface SpatialDropoutOptions {
  /** Generator of the masks (default: the global one, `defaultGenerator`). */
  rng?: Generator;
}

/**
 * Torch7's `nn.SpatialDropout(p)`: drops whole feature maps of x [N, C, H, W] (or [C, H, W]). In
 * training, y[n, c] = x[n, c]·m[n, c] with m[n, c] = 1/(1 − p) with probability 1 − p and 0
 * otherwise (inverted scaling, so E[y] = x); in evaluate mode y = x. Neighbouring pixels of a
 * convolutional feature map are strongly correlated, so dropping pixels independently barely
 * regularises; dropping the map does (Tompson, Goroshin, Jain, LeCun & Bregler, "Efficient object
 * localization using convolutional networks", CVPR 2015). The mask [N, C, 1, 1] is drawn from a
 * seeded generator (one uniform per map, in order) and kept in `noise`.
 *
 * @example
 * const drop = new SpatialDropout(0.2, { rng: new Generator(1) });
 * drop.forward(Tensor.ones([8, 16, 10, 10]));   // each 10×10 map all 0 or all 1.25
 * drop.evaluate().forward(x);                   // x
 */
export class SpatialDropout extends Module {
  /** The last mask [N, C, 1, 1]: 0 for dropped maps, 1/(1 − p) for kept ones. */
  noise: Tensor | null = null;
  private readonly rng: Generator;

  constructor(
    readonly p = 0.5,
    options: SpatialDropoutOptions = {},
  ) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`SpatialDropout: p must be a probability in [0, 1], got ${String(p)}`);
    this.rng = options.rng ?? defaultGenerator;
  }

  protected updateOutput(input: Tensor): Tensor {
    if (input.ndim !== 4 && input.ndim !== 3) {
      throw new ShapeError(this.typeName(), `expected input [N, C, H, W] or [C, H, W], got ${formatShape(input.shape)}`);
    }
    if (!this.training || this.p === 0) return input;
    const keep = 1 - this.p;
    const scale = keep > 0 ? 1 / keep : 0;
    const maps = input.ndim === 4 ? [input.shape[0]!, input.shape[1]!] : [input.shape[0]!];
    const mask = new Float32Array(maps.reduce((a, b) => a * b, 1));
    for (let i = 0; i < mask.length; i++) mask[i] = this.rng.uniform() < keep ? scale : 0;
    this.noise = new Tensor(mask, [...maps, 1, 1]);
    return input.mul(this.noise);
  }

  override toString(): string {
    return `${this.typeName()}(${this.p})`;
  }
}
