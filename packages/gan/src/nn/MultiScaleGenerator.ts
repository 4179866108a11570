import { concat, defaultGenerator, formatShape, Module, ReLU, Sequential, ShapeError, Tanh, type Generator, type Tensor } from '@eole/core';
import { SpatialConvolution } from '@eole/conv';
import { gaussianPyramid } from '../functional/gaussianPyramid.js';
import { pyramidUp } from '../functional/pyramidUp.js';

/** Options of {@link MultiScaleGenerator}. */
export interface MultiScaleGeneratorOptions {
  /** Context frames K the net reads (default 4). */
  context?: number;
  /** Scales of the pyramid (default 4: s/8, s/4, s/2, s for frames of side s). */
  scales?: number;
  /** Hidden planes of each scale's ConvNet, coarsest scale first (default [16, 32, 16] at every scale). */
  planes?: readonly (readonly number[])[];
  /** Odd kernel sizes of each scale's layers (planes + 1 of them), coarsest first (default [3,3,3,3], then [5,3,3,5]). */
  kernels?: readonly (readonly number[])[];
  /** Generator of the initial weights (default: the global one). */
  rng?: Generator;
}

const DEFAULT_PLANES = [16, 32, 16];

/**
 * The multi-scale video-prediction generator of Mathieu, Couprie & LeCun, "Deep multi-scale video
 * prediction beyond mean square error" (ICLR 2016, section 2): from K context frames X (pixels in
 * [−1, 1]) it predicts the next frame Ŷ, coarse to fine. With s_k the sizes of a Gaussian pyramid
 * ({@link gaussianPyramid}, k = 0 the finest) and u_k the expansion to s_k ({@link pyramidUp}),
 *
 *   Ŷ_{S−1} = G'_{S−1}(X_{S−1}),   Ŷ_k = G'_k(X_k, u_k(Ŷ_{k+1})),
 *
 * each G'_k a ConvNet of convolutions and ReLUs with no pooling (padding keeps the size), ending
 * in a one-plane convolution and a tanh: it sees the context at its scale beside the coarser
 * prediction up-sampled, and refines it. The nets are fully convolutional: trained on 32×32 crops,
 * they predict whole 64×64 frames. `forward(x)` returns Ŷ_0 [N, 1, H, W]; `forwardScales(x)`
 * every Ŷ_k, finest first, for losses at every scale. Longer horizons: {@link predictFrames}.
 *
 * @example
 * const g = new MultiScaleGenerator({ context: 4, rng: new Generator(1) });
 * g.forward(Tensor.zeros([8, 4, 64, 64])).shape;                        // [8, 1, 64, 64]
 * g.forwardScales(Tensor.zeros([8, 4, 32, 32])).map((y) => y.shape[2]); // [32, 16, 8, 4]
 */
export class MultiScaleGenerator extends Module {
  readonly context: number;
  readonly scales: number;
  /** One ConvNet per scale, coarsest first (in the state dict `scale<k>` is pyramid level k, `scale0` the finest). */
  private readonly nets: Sequential[];

  constructor(options: MultiScaleGeneratorOptions = {}) {
    super();
    this.context = options.context ?? 4;
    this.scales = options.scales ?? 4;
    const op = 'MultiScaleGenerator';
    for (const [name, v] of Object.entries({ context: this.context, scales: this.scales })) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`${op}: ${name} must be an integer ≥ 1, got ${String(v)}`);
    }
    const planes = options.planes ?? Array.from({ length: this.scales }, () => DEFAULT_PLANES);
    const kernels = options.kernels ?? Array.from({ length: this.scales }, (_, i) => (i === 0 ? [3, 3, 3, 3] : [5, 3, 3, 5]));
    if (planes.length !== this.scales || kernels.length !== this.scales) throw new RangeError(`${op}: planes and kernels need one entry per scale (${this.scales}), got ${planes.length} and ${kernels.length}`);
    const rng = options.rng ?? defaultGenerator;
    this.nets = planes.map((p, i) => {
      const k = kernels[i]!;
      if (k.length !== p.length + 1 || k.some((v) => !Number.isInteger(v) || v < 1 || v % 2 === 0)) {
        throw new RangeError(`${op}: kernels[${i}] must hold ${p.length + 1} odd sizes (one per layer), got [${k.join(', ')}]`);
      }
      if (p.some((v) => !Number.isInteger(v) || v < 1)) throw new RangeError(`${op}: planes[${i}] must hold positive integers, got [${p.join(', ')}]`);
      const sizes = [this.context + (i === 0 ? 0 : 1), ...p, 1];
      const layers: Module[] = [];
      for (let l = 0; l + 1 < sizes.length; l++) {
        const w = k[l]!;
        layers.push(new SpatialConvolution(sizes[l]!, sizes[l + 1]!, w, w, 1, 1, (w - 1) / 2, (w - 1) / 2, { rng }));
        layers.push(l + 2 < sizes.length ? new ReLU() : new Tanh());
      }
      return this.registerModule(`scale${this.scales - 1 - i}`, new Sequential(...layers));
    });
  }

  /** The next frame Ŷ_0 [N, 1, H, W] in (−1, 1) from the context x [N, K, H, W]. */
  protected updateOutput(x: Tensor): Tensor {
    return this.forwardScales(x)[0]!;
  }

  /** Every scale's prediction Ŷ_k [N, 1, s_k, s_k], finest first (Ŷ_0 is `forward`'s). */
  forwardScales(x: Tensor): Tensor[] {
    if (x?.ndim !== 4 || x.shape[1] !== this.context) {
      throw new ShapeError(this.typeName(), `expected context frames [N, ${this.context}, H, W], got ${x?.shape ? formatShape(x.shape) : String(x)}`);
    }
    const pyramid = gaussianPyramid(x, this.scales);
    const out: Tensor[] = [];
    let coarser: Tensor | null = null;
    for (let i = 0; i < this.scales; i++) {
      const xk = pyramid[this.scales - 1 - i]!;
      const input: Tensor = coarser === null ? xk : concat([xk, pyramidUp(coarser, [xk.shape[2]!, xk.shape[3]!])], 1);
      coarser = this.nets[i]!.forward(input);
      out.unshift(coarser);
    }
    return out;
  }

  /** The ConvNet G'_k of pyramid level k (0 the finest). */
  scaleNet(k: number): Sequential {
    const net = this.nets[this.scales - 1 - k];
    if (!net) throw new RangeError(`${this.typeName()}.scaleNet: k must be in [0, ${this.scales - 1}], got ${String(k)}`);
    return net;
  }

  override toString(): string {
    const indent = (s: string): string => s.split('\n').join('\n  ');
    return `${this.typeName()}(${this.context} frames → 1, ${this.scales} scales) {\n${this.nets.map((n, i) => `  scale${this.scales - 1 - i}: ${indent(n.toString())}`).join('\n')}\n}`;
  }
}
