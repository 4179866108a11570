/**
 * The scene-parse net and its loss: @eole/conv's `MultiscaleConvNet` (Farabet, Couprie, Najman &
 * LeCun, PAMI 2013) with a small shared extractor whose output keeps the full resolution, so the
 * classifier labels every pixel, and a per-pixel class-weighted negative log-likelihood.
 */
import { Concat, Criterion, Generator, Module, ReLU, Sequential, ShapeError, Tensor } from '@eole/core';
import { MultiscaleConvNet, SpatialConvolution, SpatialLogSoftMax, SpatialMaxPooling, SpatialUpSamplingNearest } from '@eole/conv';

/** Labels: 0 background and clutter, digit + 1 for the ten digits. */
export const CLASSES = 11;

/** The extra class of a net trained with `--border` (digit pixels next to another digit); read-outs hand it back to a digit. */
export const BORDER = CLASSES;

/** What rebuilds a net: what the saved model's metadata records. */
export interface SceneNetConfig {
  /** Pyramid levels: 3 (the multiscale net) or 1 (the single-scale net). */
  scales: number;
  /** Planes of the extractor's context path (its first layer has half as many). */
  width: number;
  /** Hidden planes of the per-pixel classifier (1×1 convolutions). */
  hidden: number;
  /** Planes the context path hands on per level (its 1×1 convolution; default {@link CONTEXT_PLANES}). */
  context?: number;
  /** Poolings of the context path: 2 (three 5×5 convolutions; the default) or 3 (a deeper, cheaper path, see {@link sceneNet}). */
  pools?: 2 | 3;
  /** The levels the extractor reads: Laplacian bands (the paper's) or the plain Gaussian levels (default Laplacian). */
  pyramid?: 'laplacian' | 'gaussian';
  /** A twelfth output, {@link BORDER}: where a digit touches another (`--border`; default none). */
  border?: boolean;
}

/** The net's outputs: {@link CLASSES}, and {@link BORDER} with `border`. */
export function outputClasses(config: SceneNetConfig): number {
  return CLASSES + (config.border ? 1 : 0);
}

/** Planes of the extractor's full-resolution path (what a pixel and its 3×3 neighbours look like). */
export const LOCAL_PLANES = 4;

/** Planes the context path hands on by default (a 1×1 convolution at its coarse resolution, before upsampling). */
export const CONTEXT_PLANES = 8;

/**
 * Image sides the net accepts are multiples of this: the extractor's subsampling (2^pools: 4 or 8)
 * times the pyramid's 2^(scales−1).
 */
export function sideMultiple(scales: number, pools = 2): number {
  return 2 ** pools * 2 ** (scales - 1);
}

/**
 * The net. The extractor f, shared by every level of the Laplacian pyramid, concatenates two
 * paths: a full-resolution one (3×3 convolution, 4 planes, ReLU: is this pixel a bright stroke?)
 * and a context one (`pools: 2`, the default here: 5×5 convolutions of w/2, w and w planes with
 * ReLUs, 2×2 max pooling after the first two, a 1×1 convolution to `context` planes (8), then
 * upsampled ×4 back to the level's size; `pools: 3`, the example's default: see `deepContext`),
 * which sees a 32×32 window of its level: 32, 64 and 128 pixels of the image at scales 0, 1 and 2
 * (digits are 24 to 64 pixels high). Full-resolution work is kept small (4 + `context` planes per
 * level), since every plane there costs 16 or 64 times one at the coarse end of the context path.
 * The classifier: 1×1 convolution (scales·(4 + context) → hidden), ReLU, 1×1 convolution (→ 11,
 * or 12 with `border`), `SpatialLogSoftMax`. Output: log-probabilities [N, 11, H, W] for an image [N, 1, H, W] with
 * sides divisible by {@link sideMultiple}.
 *
 * @example
 * const net = sceneNet({ scales: 3, width: 32, hidden: 32, context: 16, pools: 3 }, new Generator(1));
 * net.forward(Tensor.zeros([1, 1, 128, 128])).shape; // [1, 11, 128, 128]
 */
export function sceneNet(config: SceneNetConfig, rng: Generator): MultiscaleConvNet {
  const { scales, width: w, hidden } = config;
  const contextPlanes = config.context ?? CONTEXT_PLANES;
  const half = Math.max(1, Math.floor(w / 2));
  const local = new Sequential(new SpatialConvolution(1, LOCAL_PLANES, 3, 3, 1, 1, 1, 1, { rng }), new ReLU());
  const context = config.pools === 3 ? deepContext(w, contextPlanes, rng) : new Sequential(
    new SpatialConvolution(1, half, 5, 5, 1, 1, 2, 2, { rng }),
    new ReLU(),
    new SpatialMaxPooling(2, 2),
    new SpatialConvolution(half, w, 5, 5, 1, 1, 2, 2, { rng }),
    new ReLU(),
    new SpatialMaxPooling(2, 2),
    new SpatialConvolution(w, w, 5, 5, 1, 1, 2, 2, { rng }),
    new ReLU(),
    new SpatialConvolution(w, contextPlanes, 1, 1, 1, 1, 0, 0, { rng }),
    new ReLU(),
    new SpatialUpSamplingNearest(4),
  );
  const classifier = new Sequential(
    new SpatialConvolution(scales * (LOCAL_PLANES + contextPlanes), hidden, 1, 1, 1, 1, 0, 0, { rng }),
    new ReLU(),
    new SpatialConvolution(hidden, outputClasses(config), 1, 1, 1, 1, 0, 0, { rng }),
    new SpatialLogSoftMax(),
  );
  return new MultiscaleConvNet(new Concat(1, local, context), classifier, { scales, laplacian: (config.pyramid ?? 'laplacian') === 'laplacian' });
}

/**
 * The context path with three poolings (`pools: 3`): 5×5 convolution (w/2 planes), pool, 3×3 (w),
 * pool, 3×3 (2w), pool, 3×3 (2w), each followed by a ReLU, a 1×1 convolution to `planes`, ReLU,
 * upsampled ×8 (Farabet et al. 2013's extractor is three convolution stages with two poolings;
 * this one trades the costly full-resolution 5×5 stages for a third pooling). Its window is 5 + 2·2 + 2·4 + 2·8 = 33 pixels of its level, as the two-pool path's
 * 32, at about 60% of its multiply-adds, with twice the planes at the coarse end.
 */
export function deepContext(w: number, planes: number, rng: Generator): Sequential {
  const half = Math.max(1, Math.floor(w / 2));
  return new Sequential(
    new SpatialConvolution(1, half, 5, 5, 1, 1, 2, 2, { rng }),
    new ReLU(),
    new SpatialMaxPooling(2, 2),
    new SpatialConvolution(half, w, 3, 3, 1, 1, 1, 1, { rng }),
    new ReLU(),
    new SpatialMaxPooling(2, 2),
    new SpatialConvolution(w, 2 * w, 3, 3, 1, 1, 1, 1, { rng }),
    new ReLU(),
    new SpatialMaxPooling(2, 2),
    new SpatialConvolution(2 * w, 2 * w, 3, 3, 1, 1, 1, 1, { rng }),
    new ReLU(),
    new SpatialConvolution(2 * w, planes, 1, 1, 1, 1, 0, 0, { rng }),
    new ReLU(),
    new SpatialUpSamplingNearest(8),
  );
}

/**
 * He, Zhang, Ren & Sun's initialisation for ReLU nets ("Delving deep into rectifiers", ICCV 2015):
 * every convolution but the last (the one feeding the log-softmax) drawn uniform in ±√(6/fanIn),
 * so Var(w) = 2/fanIn and the activations keep their variance through each convolution and ReLU,
 * its bias 0. Done in place on a net built with Torch7's ±1/√fanIn: the weights are scaled by √6
 * (no new random draws, so a seed gives the same net as before, rescaled). Torch7's default
 * shrinks the variance six-fold per layer, about 6⁷ over this net's seven layers.
 */
export function heInit(net: Module): void {
  const convs: SpatialConvolution[] = [];
  const walk = (m: Module): void => {
    if (m instanceof SpatialConvolution) convs.push(m);
    for (const child of m.children()) walk(child);
  };
  walk(net);
  for (const conv of convs.slice(0, -1)) {
    const w = conv.weight.data;
    for (let i = 0; i < w.length; i++) w[i] = w[i]! * Math.sqrt(6);
    conv.bias?.data.fill(0);
  }
}

/** The class weights of the loss: `background` for label 0, 1 for every digit (and for {@link BORDER} with `border`). */
export function classWeights(background: number, border = false): number[] {
  return [background, ...new Array<number>(CLASSES - 1 + (border ? 1 : 0)).fill(1)];
}

/**
 * Per-pixel negative log-likelihood with class weights (background pixels outnumber digit pixels
 * by about twenty-four to one):
 *
 *   L = −Σ_{n,i,j} w[y_nij] · x[n, y_nij, i, j] / Σ_{n,i,j} w[y_nij]
 *
 * for log-probabilities x [N, C, H, W] (from `SpatialLogSoftMax`) and labels y [N, H, W] (integers
 * in [0, C)). With every weight 1 it is the mean NLL over all pixels. A target [N, 2, H, W] holds
 * the labels in its first plane and a weight per pixel in its second (`--touch-weight`'s map, see
 * `touchWeights`), which multiplies the class weight: w[y_nij] · v_nij in both sums.
 *
 * @example
 * const loss = new PixelNLLCriterion(classWeights(0.25)).forward(net.forward(x), labels);
 */
export class PixelNLLCriterion extends Criterion {
  constructor(readonly weights: readonly number[]) {
    super();
  }

  protected updateOutput(input: Tensor, target: Tensor): Tensor {
    if (input.ndim !== 4) throw new ShapeError(this.typeName(), `input must be log-probabilities [N, C, H, W], got [${input.shape.join(', ')}]`);
    const [N, C, H, W] = input.shape as [number, number, number, number];
    if (C !== this.weights.length) throw new ShapeError(this.typeName(), `input has ${C} planes, the criterion ${this.weights.length} class weights`);
    const plane = H * W;
    const weighted = target.ndim === 4 && target.shape[0] === N && target.shape[1] === 2 && target.shape[2] === H && target.shape[3] === W;
    if (!weighted && target.size !== N * H * W) throw new ShapeError(this.typeName(), `target must hold ${N}×${H}×${W} labels, or be [${N}, 2, ${H}, ${W}] (labels, pixel weights), got [${target.shape.join(', ')}]`);
    const picked = new Float32Array(N * C * plane);
    const labels = target.data;
    // sample n's labels start at n·stride, its pixel weights (when given) one plane later
    const stride = weighted ? 2 * plane : plane;
    let total = 0;
    for (let n = 0; n < N; n++) {
      for (let p = 0; p < plane; p++) {
        const y = labels[n * stride + p]!;
        if (!(Number.isInteger(y) && y >= 0 && y < C)) throw new RangeError(`${this.typeName()}: label ${y} at sample ${n}, pixel ${p} is not in [0, ${C})`);
        const v = weighted ? labels[n * stride + plane + p]! : 1;
        if (!(v >= 0 && Number.isFinite(v))) throw new RangeError(`${this.typeName()}: pixel weight ${v} at sample ${n}, pixel ${p} is not finite and ≥ 0`);
        const w = this.weights[y]! * v;
        picked[(n * C + y) * plane + p] = w;
        total += w;
      }
    }
    return input.mul(new Tensor(picked, input.shape)).sum().mul(-1 / Math.max(total, 1e-12));
  }
}
