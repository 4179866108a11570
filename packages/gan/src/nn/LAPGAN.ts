import { concat, defaultGenerator, formatShape, Module, mul, noGrad, relu, ShapeError, Tensor, type Batch, type Generator } from '@eole/core';
import { gaussianPyramid } from '../functional/gaussianPyramid.js';
import { pyramidUp } from '../functional/pyramidUp.js';
import { oneHot, labelPlanes } from '../sampling/conditioning.js';
import type { Conditioning } from '../stream/adversarialTrain.js';
import { GAN } from './GAN.js';
import { checkSizes, LAPGANGenerator } from './LAPGANGenerator.js';
import { LAPGANDiscriminator } from './LAPGANDiscriminator.js';

/** Options of {@link LAPGAN}. */
export interface LAPGANOptions {
  /** Side of the finest image (default 28). */
  size?: number;
  /** Levels of the pyramid, K + 1 (default 3: 28 → 14 → 7). */
  levels?: number;
  /** Latent code of the coarsest generator (default 32). */
  nz?: number;
  /** Hidden planes of the generators (default 32). */
  ngf?: number;
  /** First-layer planes of the discriminators (default 32). */
  ndf?: number;
  /** Classes of a class-conditional LAPGAN (default 0: unconditional). */
  classes?: number;
  /** Generator of the initial weights (default: the global one). */
  rng?: Generator;
}

/** Options of {@link LAPGAN.sample}. */
export interface LAPGANSampleOptions {
  /** The class of each sample (required by a class-conditional LAPGAN, n of them). */
  labels?: ArrayLike<number>;
}

/** clamp(x, −1, 1) = relu(x + 1) − relu(x − 1) − 1, composed so the gradient flows inside the range. */
const hardTanh = (x: Tensor): Tensor => relu(x.add(1)).sub(relu(x.sub(1))).sub(1);

/**
 * LAPGAN (Denton, Chintala, Szlam & Fergus, "Deep generative image models using a Laplacian
 * pyramid of adversarial networks", NIPS 2015): one GAN per level of a Laplacian pyramid, levels k
 * = 0 (finest, `size`) … K (coarsest). Level K makes a low-pass image from noise; every finer
 * level makes the band-pass image that sharpens the up-sampled coarser one, so sampling runs
 * coarse to fine:
 *
 *   Ĩ_K = G_K(z_K),   Ĩ_k = clamp(u(Ĩ_{k+1}) + G_k(z_k, u(Ĩ_{k+1})), −1, 1),
 *
 * with u the {@link pyramidUp} expansion (clamped to the data's range (−1, 1) at every level, as
 * the next level was trained on real images in that range). Level k is an ordinary GAN
 * (`level(k)`, {@link LAPGANGenerator} and {@link LAPGANDiscriminator}) that the paper trains
 * independently on real pyramids: `levelBatches` cuts a digit batch into each level's (x, y) and
 * `conditioning(k)` feeds y to both nets, for `adversarialTrain`. Class-conditional with `classes`
 * (the paper's class-conditional LAPGAN): every level also sees the class.
 *
 * `forward(codes)` is deterministic and differentiable: codes [N, codeSize + classes] hold z_K
 * (nz), then z_{K−1}, …, z_0 (one s_k×s_k noise plane each, row-major), then the one-hot class.
 * The state dict holds every level's two nets (`level0.generator.…`, `level0.discriminator.…`).
 *
 * @example
 * const lapgan = new LAPGAN({ levels: 3, rng: new Generator(1) });
 * lapgan.sample(16, new Generator(2)).shape; // [16, 1, 28, 28], values in [−1, 1]
 * const { generator, discriminator } = lapgan.level(0); // train with adversarialTrain, lapgan.conditioning(0), lapgan.noise(0, n, rng)
 */
export class LAPGAN extends Module {
  /** Levels of the pyramid, K + 1. */
  readonly levels: number;
  /** Side of the image of each level, finest first (28, 14, 7). */
  readonly sizes: readonly number[];
  /** Latent code size of the coarsest generator. */
  readonly nz: number;
  /** Classes of a class-conditional LAPGAN (0: unconditional). */
  readonly classes: number;
  /** Columns of the codes `forward` takes before the one-hot class: nz + Σ_{k<K} s_k². */
  readonly codeSize: number;
  private readonly gans: GAN[];

  constructor(options: LAPGANOptions = {}) {
    super();
    const size = options.size ?? 28;
    this.levels = options.levels ?? 3;
    this.nz = options.nz ?? 32;
    this.classes = options.classes ?? 0;
    checkSizes('LAPGAN', { size, levels: this.levels, nz: this.nz, classes: this.classes });
    const sizes = [size];
    for (let k = 1; k < this.levels; k++) sizes.push(Math.ceil(sizes[k - 1]! / 2));
    if (this.levels > 1 && sizes[this.levels - 2]! < 4) throw new RangeError(`LAPGAN: ${this.levels} levels from size ${size} make a band-pass level of ${sizes[this.levels - 2]}×${sizes[this.levels - 2]}; use fewer levels or a larger size (band-pass levels need ≥ 4)`);
    this.sizes = Object.freeze(sizes);
    this.codeSize = this.nz + sizes.slice(0, -1).reduce((a, s) => a + s * s, 0);
    const rng = options.rng ?? defaultGenerator;
    const K = this.levels - 1;
    this.gans = sizes.map((s, k) => {
      const common = { size: s, coarsest: k === K, classes: this.classes, rng };
      const g = LAPGANGenerator({ ...common, nz: this.nz, ...pick(options, 'ngf') });
      const d = LAPGANDiscriminator({ ...common, ...pick(options, 'ndf') });
      return this.registerModule(`level${k}`, new GAN(g, d));
    });
  }

  /** Level k's generator and discriminator (k = 0 finest, K = levels − 1 coarsest). */
  level(k: number): GAN {
    return this.gans[this.checkLevel('level', k)]!;
  }

  /**
   * The training batches of every level from real images x [N, 1, size, size] in [−1, 1] (and
   * their classes, for a class-conditional LAPGAN), finest first. Level k < K: x = h_k = I_k −
   * u(I_{k+1}), y = l_k = u(I_{k+1}) (followed by the class planes); level K: x = I_K, y = the
   * labels (zeros when unconditional). Computed without gradient.
   */
  levelBatches(x: Tensor, labels?: ArrayLike<number> | Tensor): Batch[] {
    const s = this.sizes[0]!;
    if (!(x instanceof Tensor) || x.ndim !== 4 || x.shape[1] !== 1 || x.shape[2] !== s || x.shape[3] !== s) {
      throw new ShapeError('LAPGAN.levelBatches', `expected x [N, 1, ${s}, ${s}], got ${x instanceof Tensor ? formatShape(x.shape) : String(x)}`);
    }
    const n = x.shape[0]!;
    const ys = this.labelsFor('levelBatches', n, labels);
    return noGrad(() => {
      const g = gaussianPyramid(x, this.levels);
      const K = this.levels - 1;
      return g.map((img, k): Batch => {
        if (k === K) return { x: img, y: ys ? Tensor.from(ys) : Tensor.zeros([n]) };
        const l = pyramidUp(g[k + 1]!, [this.sizes[k]!, this.sizes[k]!]);
        return { x: img.sub(l), y: ys ? labelPlanes(l, ys, this.classes) : l };
      });
    });
  }

  /**
   * How level k feeds a batch's y to its nets, for `adversarialTrain`'s `conditioning`: band-pass
   * levels concatenate y (l_k and the class planes) after the noise plane (generator) or after
   * the band-pass image (discriminator); the coarsest level appends the one-hot class to z and
   * the class planes to the image, or is unconditional (undefined).
   */
  conditioning(k: number): Conditioning | undefined {
    const K = this.levels - 1;
    if (this.checkLevel('conditioning', k) < K) return { generator: (z, y) => concat([z, y], 1), discriminator: (x, y) => concat([x, y], 1) };
    if (this.classes === 0) return undefined;
    return { generator: (z, y) => concat([z, oneHot(y, this.classes)], 1), discriminator: (x, y) => labelPlanes(x, y, this.classes) };
  }

  /** Level k's noise for n samples: z_K [n, nz] at the coarsest level, one plane [n, 1, s_k, s_k] below; N(0, 1). */
  noise(k: number, n: number, rng: Generator): Tensor {
    const K = this.levels - 1;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`LAPGAN.noise: n must be a positive integer, got ${String(n)}`);
    const s = this.sizes[this.checkLevel('noise', k)]!;
    return Tensor.randn(k === K ? [n, this.nz] : [n, 1, s, s], rng);
  }

  /** n codes for `forward`, [n, codeSize] from N(0, 1) (append the one-hot class for a class-conditional LAPGAN). */
  codes(n: number, rng: Generator): Tensor {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`LAPGAN.codes: n must be a positive integer, got ${String(n)}`);
    return Tensor.randn([n, this.codeSize], rng);
  }

  /**
   * n samples [n, 1, size, size] in [−1, 1], coarse to fine from fresh codes drawn from `rng`
   * (without gradient, in the module's current mode: call `evaluate()` first to use the batch
   * normalization's running statistics).
   */
  sample(n: number, rng: Generator, options: LAPGANSampleOptions = {}): Tensor {
    const codes = this.codes(n, rng);
    const ys = this.labelsFor('sample', n, options.labels);
    return noGrad(() => this.forward(ys ? concat([codes, oneHot(ys, this.classes)], 1) : codes));
  }

  /** Ĩ_0 from codes [N, codeSize + classes] (see the class comment). */
  protected updateOutput(codes: Tensor): Tensor {
    return this.levelImages(codes)[0]!;
  }

  /**
   * The image of every level for codes [N, codeSize + classes], finest first: [Ĩ_0, …, Ĩ_K],
   * Ĩ_k [N, 1, s_k, s_k] (what the paper's figures show coarse to fine). Differentiable;
   * `forward` returns Ĩ_0.
   */
  levelImages(codes: Tensor): Tensor[] {
    const width = this.codeSize + this.classes;
    if (!(codes instanceof Tensor) || codes.ndim !== 2 || codes.shape[1] !== width) {
      throw new ShapeError(this.typeName(), `expected codes [N, ${width}] (nz ${this.nz} + noise planes ${this.codeSize - this.nz}${this.classes ? ` + one-hot ${this.classes}` : ''}), got ${codes instanceof Tensor ? formatShape(codes.shape) : String(codes)}`);
    }
    const n = codes.shape[0]!;
    const K = this.levels - 1;
    const hot = this.classes ? codes.narrow(1, this.codeSize, this.classes) : null;
    const zK = codes.narrow(1, 0, this.nz);
    const images = [this.gans[K]!.generator.forward(hot ? concat([zK, hot], 1) : zK)];
    let offset = this.nz;
    for (let k = K - 1; k >= 0; k--) {
      const s = this.sizes[k]!;
      const z = codes.narrow(1, offset, s * s).reshape([n, 1, s, s]);
      offset += s * s;
      const l = pyramidUp(images[0]!, [s, s]);
      const planes = hot ? [mul(hot.reshape([n, this.classes, 1, 1]), Tensor.ones([1, 1, s, s]))] : [];
      images.unshift(hardTanh(l.add(this.gans[k]!.generator.forward(concat([z, l, ...planes], 1)))));
    }
    return images;
  }

  override toString(): string {
    const indent = (s: string): string => s.split('\n').join('\n  ');
    const body = this.gans.map((g, k) => `  level${k} (${this.sizes[k]}×${this.sizes[k]}): ${indent(g.toString())}`).join('\n');
    return `${this.typeName()}(${this.sizes.join(' → ')}${this.classes ? `, ${this.classes} classes` : ''}) {\n${body}\n}`;
  }

  private checkLevel(op: string, k: number): number {
    if (!Number.isInteger(k) || k < 0 || k >= this.levels) throw new RangeError(`LAPGAN.${op}: level must be an integer in [0, ${this.levels - 1}], got ${String(k)}`);
    return k;
  }

  private labelsFor(op: string, n: number, labels: ArrayLike<number> | Tensor | undefined): ArrayLike<number> | null {
    if (this.classes === 0) {
      if (labels !== undefined) throw new RangeError(`LAPGAN.${op}: labels given to an unconditional LAPGAN (construct it with classes)`);
      return null;
    }
    if (labels === undefined) throw new RangeError(`LAPGAN.${op}: a class-conditional LAPGAN (${this.classes} classes) needs labels, one per sample`);
    const ys = labels instanceof Tensor ? labels.data : labels;
    if (ys.length !== n) throw new RangeError(`LAPGAN.${op}: labels has ${ys.length} entries, expected ${n}`);
    return ys;
  }
}

function pick<T extends object, K extends keyof T>(o: T, ...keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
