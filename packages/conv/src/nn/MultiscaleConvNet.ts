import { Concat, concat, Module, narrow, Sequential, ShapeError, type Tensor } from '@eole/core';
import { conv2d } from '../functional/conv2d.js';
import { upsampleNearest2d } from '../functional/upsampleNearest2d.js';
import { SpatialAveragePooling } from './SpatialAveragePooling.js';
import { SpatialConvolution } from './SpatialConvolution.js';
import { SpatialUpSamplingNearest } from './SpatialUpSamplingNearest.js';

/** Options of {@link MultiscaleConvNet}. */
export interface MultiscaleConvNetOptions {
  /** Pyramid levels (default 3; 1 is the single-scale net of the paper's comparison). */
  scales?: number;
  /** Band-pass levels Lₛ = Gₛ − up(Gₛ₊₁) (a Laplacian pyramid, default true) or the plain Gaussian-like levels Gₛ. */
  laplacian?: boolean;
}

/**
 * The multiscale ConvNet of scene labeling (Farabet, Couprie, Najman & LeCun, "Learning
 * hierarchical features for scene labeling", PAMI 2013): the image goes through a pyramid
 * G₀ = x, Gₛ₊₁ = down(Gₛ) (2×2 averages), by default as Laplacian bands Lₛ = Gₛ − up(Gₛ₊₁) (the
 * coarsest level kept whole); ONE feature extractor f with shared weights runs on every level; each
 * fₛ = f(Lₛ) is upsampled (nearest) by 2ˢ to the finest map's size and the maps are concatenated
 * along the planes, F = [f₀, up(f₁), up(f₂), …]; the `classifier` (1×1 convolutions, ending in
 * `SpatialLogSoftMax`) labels every position of F. With `scales: 1` it is the same net at one scale.
 * Input sides must be divisible by 2^(scales−1) times the extractor's own subsampling.
 *
 * When the classifier is a `Sequential` that starts with a 1×1 `SpatialConvolution` (stride 1, no
 * padding), that layer is applied to each level before upsampling, on its slice of the weights:
 * W·[f₀, up(f₁), …] + b = W₀·f₀ + b + Σₛ up(Wₛ·fₛ), the same function and parameters (nearest
 * upsampling commutes with a 1×1 convolution) at a quarter, a sixteenth … of the work for the
 * coarse levels, and without the concatenated full-resolution map. When the extractor is moreover a
 * `Concat` along the planes, each branch gets its own slice of those weights, and a branch that is a
 * `Sequential` ending in `SpatialUpSamplingNearest(k)` is projected before that upsampling too:
 * W·[a, up_k(b)] = W_a·a + up_k(W_b·b), the same function and parameters again, with the
 * projection and the sum at the branch's coarse resolution (the extractor's forward hooks, like the
 * classifier's, are not called on this path).
 *
 * @example
 * const features = new Sequential(new SpatialConvolution(1, 16, 7, 7, 1, 1, 3, 3), new Tanh(), new SpatialMaxPooling(2, 2));
 * const net = new MultiscaleConvNet(features, new Sequential(new SpatialConvolution(48, 11, 1, 1), new SpatialLogSoftMax()), { scales: 3 });
 * net.forward(image).shape; // image [N, 1, 128, 128] → [N, 11, 64, 64]
 */
export class MultiscaleConvNet extends Module {
  readonly scales: number;
  readonly laplacian: boolean;
  readonly features: Module;
  readonly classifier: Module;
  private readonly down = new SpatialAveragePooling(2, 2, 2, 2);
  private readonly up2 = new SpatialUpSamplingNearest(2);

  constructor(features: Module, classifier: Module, options: MultiscaleConvNetOptions = {}) {
    super();
    this.scales = options.scales ?? 3;
    if (!Number.isInteger(this.scales) || this.scales < 1) throw new RangeError(`MultiscaleConvNet: scales must be an integer >= 1, got ${String(options.scales)}`);
    this.laplacian = options.laplacian ?? true;
    this.features = this.registerModule('features', features);
    this.classifier = this.registerModule('classifier', classifier);
  }

  protected updateOutput(input: Tensor): Tensor {
    if (input.ndim !== 4) throw new ShapeError(this.typeName(), `expected an image [N, C, H, W], got [${input.shape.join(', ')}]`);
    const factor = 2 ** (this.scales - 1);
    const [H, W] = input.shape.slice(2) as [number, number];
    if (H % factor !== 0 || W % factor !== 0) throw new ShapeError(this.typeName(), `input sides must be divisible by ${factor} (2^(scales−1)), got ${H}×${W}`);
    const gaussian: Tensor[] = [input];
    for (let s = 1; s < this.scales; s++) gaussian.push(this.down.forward(gaussian[s - 1]!));
    const levels = this.laplacian ? gaussian.map((g, s) => (s + 1 < this.scales ? g.sub(this.up2.forward(gaussian[s + 1]!)) : g)) : gaussian;
    const head = this.scales > 1 ? this.projectedHead() : null;
    if (head) return this.projected(levels.map((level) => this.branches(level)), head.first, head.rest, factor);
    const maps = levels.map((level, s) => {
      let f = this.features.forward(level);
      for (let k = 0; k < s; k++) f = this.up2.forward(f);
      return f;
    });
    const first = maps[0]!;
    for (const [s, m] of maps.entries()) {
      if (m.shape[2] !== first.shape[2] || m.shape[3] !== first.shape[3]) {
        throw new ShapeError(this.typeName(), `the features of scale ${s} upsample to ${m.shape[2]}×${m.shape[3]}, the finest are ${first.shape[2]}×${first.shape[3]}; make the input sides divisible by ${factor} times the extractor's subsampling`);
      }
    }
    return this.classifier.forward(maps.length === 1 ? first : concat(maps, 1));
  }

  /** The classifier's leading 1×1 convolution and the modules after it, when it has one. */
  private projectedHead(): { first: SpatialConvolution; rest: Module[] } | null {
    if (!(this.classifier instanceof Sequential)) return null;
    const [first, ...rest] = this.classifier.children();
    if (!(first instanceof SpatialConvolution) || first.kW !== 1 || first.kH !== 1 || first.dW !== 1 || first.dH !== 1 || first.padW !== 0 || first.padH !== 0) return null;
    return { first, rest };
  }

  /**
   * The extractor's output on one level as branches, each a map and the nearest upsampling still
   * owed to it: the branches of a `Concat` along the planes (a `Sequential` ending in
   * `SpatialUpSamplingNearest` without its last module), else the whole output.
   */
  private branches(level: Tensor): Branch[] {
    const f = this.features;
    if (!(f instanceof Concat) || (f.dim !== 1 && f.dim !== -3)) return [{ map: f.forward(level), up: 1 }];
    return f.children().map((branch) => {
      const kids = branch instanceof Sequential ? branch.children() : [];
      const last = kids[kids.length - 1];
      if (!(last instanceof SpatialUpSamplingNearest) || kids.length < 2) return { map: branch.forward(level), up: 1 };
      let map = level;
      for (const m of kids.slice(0, -1)) map = m.forward(map);
      return { map, up: last.scale };
    });
  }

  /** W₀·f₀ + b + Σₛ up(Wₛ·fₛ), each Wₛ·fₛ summed over the branches of fₛ, then the rest of the classifier. */
  private projected(levels: Branch[][], first: SpatialConvolution, rest: readonly Module[], factor: number): Tensor {
    const planes = levels[0]!.reduce((n, b) => n + b.map.shape[1]!, 0);
    if (first.nInputPlane !== planes * this.scales) {
      throw new ShapeError(this.typeName(), `the classifier's first layer takes ${first.nInputPlane} planes; the extractor gives ${planes} per level, ${planes * this.scales} over ${this.scales} scales`);
    }
    let sum: Tensor | undefined;
    for (const [s, branches] of levels.entries()) {
      let h: Tensor | undefined;
      let offset = s * planes;
      for (const [i, { map, up }] of branches.entries()) {
        const width = map.shape[1]!;
        let p = conv2d(map, narrow(first.weight, 1, offset, width), s === 0 && i === 0 ? first.bias : null, {}, this.typeName());
        offset += width;
        if (up > 1) p = upsampleNearest2d(p, up, this.typeName());
        if (h && (p.shape[2] !== h.shape[2] || p.shape[3] !== h.shape[3])) {
          throw new ShapeError(this.typeName(), `the extractor's branches give maps of ${h.shape[2]}×${h.shape[3]} and ${p.shape[2]}×${p.shape[3]} at scale ${s}; they must agree to be concatenated`);
        }
        h = h ? h.add(p) : p;
      }
      if (s > 0) h = upsampleNearest2d(h!, 2 ** s, this.typeName());
      if (sum && (h!.shape[2] !== sum.shape[2] || h!.shape[3] !== sum.shape[3])) {
        throw new ShapeError(this.typeName(), `the features of scale ${s} upsample to ${h!.shape[2]}×${h!.shape[3]}, the finest are ${sum.shape[2]}×${sum.shape[3]}; make the input sides divisible by ${factor} times the extractor's subsampling`);
      }
      sum = sum ? sum.add(h!) : h;
    }
    let x = sum!;
    for (const m of rest) x = m.forward(x);
    return x;
  }

  override toString(): string {
    return `${this.typeName()}(${this.scales} scales${this.laplacian ? ', Laplacian' : ''})\n  features: ${this.features.toString().replace(/\n/g, '\n  ')}\n  classifier: ${this.classifier.toString().replace(/\n/g, '\n  ')}`;
  }
}

/** One branch of the extractor's output on a level: its map and the nearest upsampling it is owed. */
interface Branch {
  map: Tensor;
  up: number;
}
