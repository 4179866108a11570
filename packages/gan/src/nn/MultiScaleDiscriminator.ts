import { concat, defaultGenerator, formatShape, Linear, Module, ReLU, Sequential, ShapeError, View, type Generator, type Tensor } from '@eole/core';
import { SpatialConvolution } from '@eole/conv';
import { gaussianPyramid } from '../functional/gaussianPyramid.js';

/** Options of {@link MultiScaleDiscriminator}. */
export interface MultiScaleDiscriminatorOptions {
  /** Context frames K (the input has K + 1 planes: the context and the frame judged) (default 4). */
  context?: number;
  /** Side of the finest frames it judges (the training crops; default 32). */
  size?: number;
  /** Scales, as the generator's (default 4). */
  scales?: number;
  /** Planes of the first convolution at every scale; the second has twice as many (default 16). */
  ndf?: number;
  /** Units of the hidden fully connected layer (default 64). */
  hidden?: number;
  /** Generator of the initial weights (default: the global one). */
  rng?: Generator;
}

/**
 * The multi-scale discriminator of Mathieu, Couprie & LeCun (ICLR 2016, section 3): one net D_k
 * per scale judges whether the last of K + 1 frames at size s_k is the real continuation of the K
 * before it or the generator's Ŷ_k. Each D_k (the paper's, narrower):
 *
 *   [N, K+1, s, s] → SpatialConvolution(→ ndf, 3×3, pad 1) → ReLU
 *   → SpatialConvolution(ndf → 2ndf, 3×3, stride 2 when s ≥ 8, pad 1) → ReLU → View → Linear(→ hidden) → ReLU → Linear(→ 1)
 *
 * `forwardScales(inputs)` takes each scale's [context, frame] (finest first) and returns the logits
 * [N, S] (one column per scale, before the sigmoid); `forward(x)` makes those inputs from full-size
 * frames x [N, K+1, size, size] with a Gaussian pyramid.
 *
 * @example
 * const d = new MultiScaleDiscriminator({ context: 4, size: 32, rng });
 * d.forward(Tensor.zeros([8, 5, 32, 32])).shape; // [8, 4]
 */
export class MultiScaleDiscriminator extends Module {
  readonly context: number;
  readonly size: number;
  readonly scales: number;
  /** Side of each scale's input, finest first. */
  readonly sizes: readonly number[];
  private readonly nets: Sequential[];

  constructor(options: MultiScaleDiscriminatorOptions = {}) {
    super();
    this.context = options.context ?? 4;
    this.size = options.size ?? 32;
    this.scales = options.scales ?? 4;
    const ndf = options.ndf ?? 16;
    const hidden = options.hidden ?? 64;
    for (const [name, v] of Object.entries({ context: this.context, size: this.size, scales: this.scales, ndf, hidden })) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`MultiScaleDiscriminator: ${name} must be an integer ≥ 1, got ${String(v)}`);
    }
    const sizes: number[] = [this.size];
    for (let k = 1; k < this.scales; k++) sizes.push(Math.ceil(sizes[k - 1]! / 2));
    this.sizes = sizes;
    const rng = options.rng ?? defaultGenerator;
    this.nets = sizes.map((s, k) => {
      const stride = s >= 8 ? 2 : 1;
      const out = stride === 2 ? Math.floor((s - 1) / 2) + 1 : s;
      return this.registerModule(
        `scale${k}`,
        new Sequential(
          new SpatialConvolution(this.context + 1, ndf, 3, 3, 1, 1, 1, 1, { rng }),
          new ReLU(),
          new SpatialConvolution(ndf, 2 * ndf, 3, 3, stride, stride, 1, 1, { rng }),
          new ReLU(),
          new View(2 * ndf * out * out),
          new Linear(2 * ndf * out * out, hidden, { rng }),
          new ReLU(),
          new Linear(hidden, 1, { rng }),
        ),
      );
    });
  }

  /** Logits [N, S] of frames x [N, K+1, size, size] (context, then the frame judged), through a Gaussian pyramid. */
  protected updateOutput(x: Tensor): Tensor {
    if (x?.ndim !== 4 || x.shape[1] !== this.context + 1 || x.shape[2] !== this.size || x.shape[3] !== this.size) {
      throw new ShapeError(this.typeName(), `expected [N, ${this.context + 1}, ${this.size}, ${this.size}] (context and frame), got ${x?.shape ? formatShape(x.shape) : String(x)}`);
    }
    return this.forwardScales(gaussianPyramid(x, this.scales));
  }

  /** Logits [N, S] of each scale's input [N, K+1, s_k, s_k] (finest first). */
  forwardScales(inputs: readonly Tensor[]): Tensor {
    if (inputs.length !== this.scales) throw new RangeError(`${this.typeName()}.forwardScales: expected ${this.scales} inputs (one per scale), got ${inputs.length}`);
    return concat(
      inputs.map((x, k) => {
        const s = this.sizes[k]!;
        if (x?.ndim !== 4 || x.shape[1] !== this.context + 1 || x.shape[2] !== s || x.shape[3] !== s) {
          throw new ShapeError(this.typeName(), `scale ${k}: expected [N, ${this.context + 1}, ${s}, ${s}], got ${x?.shape ? formatShape(x.shape) : String(x)}`);
        }
        return this.nets[k]!.forward(x);
      }),
      1,
    );
  }

  override toString(): string {
    const indent = (s: string): string => s.split('\n').join('\n  ');
    return `${this.typeName()}(${this.sizes.join(', ')}) {\n${this.nets.map((n, k) => `  scale${k} (${this.sizes[k]}×${this.sizes[k]}): ${indent(n.toString())}`).join('\n')}\n}`;
  }
}
