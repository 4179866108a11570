/**
 * The digit detector of digit-detect: an OverFeat-style patch net (Sermanet et al., "OverFeat:
 * integrated recognition, localization and detection using convolutional networks", ICLR 2014)
 * whose last layer has K class scores and 4 box deltas per window, trained on 32×32 windows and
 * applied fully convolutionally (`fullyConvolutional`) at several scales (`detectMultiscale`).
 */
import { Criterion, Generator, Linear, ReLU, Sequential, Tensor, View } from '@eole/core';
import { fullyConvolutional, SpatialConvolution, SpatialMaxPooling, type DetectorOutput, type FullyConvolutional } from '@eole/conv';

/** The window side the detector is trained on. */
export const WINDOW = 32;
/** Background + the ten digits. */
export const CLASSES = 11;
/** Outputs per window: the class scores, then the box deltas (dx, dy, dw, dh). */
export const OUTPUTS = CLASSES + 4;

/** The layer widths of {@link digitDetector}. */
export interface DetectorWidths {
  conv1: number;
  conv2: number;
  hidden: number;
}

/**
 * The patch net, padding-free so that its fully convolutional form equals it window by window:
 * 32×32 → conv 5×5 (conv1) → ReLU → max 2×2 → conv 5×5 (conv2) → ReLU → max 2×2 → [conv2, 5, 5]
 * → Linear(hidden) → ReLU → Linear(11 + 4). Stride 4 over an image.
 *
 * @example
 * const net = digitDetector(new Generator(1), { conv1: 16, conv2: 32, hidden: 128 });
 * net.forward(Tensor.zeros([8, 1, 32, 32])).shape; // [8, 15]
 */
export function digitDetector(rng: Generator, widths: DetectorWidths): Sequential {
  const { conv1, conv2, hidden } = widths;
  return new Sequential(
    new SpatialConvolution(1, conv1, 5, 5, 1, 1, 0, 0, { rng }),
    new ReLU(),
    new SpatialMaxPooling(2, 2),
    new SpatialConvolution(conv1, conv2, 5, 5, 1, 1, 0, 0, { rng }),
    new ReLU(),
    new SpatialMaxPooling(2, 2),
    new View(conv2 * 5 * 5),
    new Linear(conv2 * 5 * 5, hidden, { rng }),
    new ReLU(),
    new Linear(hidden, OUTPUTS, { rng }),
  );
}

/**
 * The patch net as a detector over whole images: the fully convolutional net, and the function
 * `detectMultiscale` calls, splitting its [1, 15, H', W'] map into log-probabilities of the 11
 * classes and the 4 box deltas.
 */
export function imageDetector(net: Sequential): { fcn: FullyConvolutional; detect: (image: Tensor) => DetectorOutput } {
  const fcn = fullyConvolutional(net, [1, WINDOW, WINDOW]);
  const detect = (image: Tensor): DetectorOutput => {
    const out = fcn.net.forward(image);
    return { scores: out.narrow(1, 0, CLASSES).logSoftmax(1), boxes: out.narrow(1, CLASSES, 4) };
  };
  return { fcn, detect };
}

/**
 * OverFeat's joint objective on a batch of windows: the negative log-likelihood of the window's
 * class (softmax over the first 11 outputs) plus λ times the squared error of the box deltas
 * (the last 4 outputs) on the windows near a digit only, averaged over the batch:
 *
 *   L = (1/N) Σᵢ [ [yᵢ ≥ 0]·(−log softmax(sᵢ)[yᵢ]) + λ·[yᵢ ≠ 0]·‖dᵢ − tᵢ‖² ].
 *
 * Target rows are [class, dx, dy, dw, dh]: class 0 is background (deltas ignored), −1 a window
 * taught its box only (near a digit, but not centred on it at its scale).
 */
export class DetectionCriterion extends Criterion {
  constructor(readonly boxWeight = 1) {
    super();
  }

  protected updateOutput(input: Tensor, target: Tensor): Tensor {
    const where = `${this.typeName()}.forward`;
    const [n, k] = input.shape as [number, number];
    if (input.ndim !== 2 || k !== OUTPUTS) throw new RangeError(`${where}: input must be [N, ${OUTPUTS}], got [${input.shape.join(', ')}]`);
    if (target.ndim !== 2 || target.shape[0] !== n || target.shape[1] !== 5) throw new RangeError(`${where}: target must be [${n}, 5] (class, dx, dy, dw, dh), got [${target.shape.join(', ')}]`);
    const onehot = new Float32Array(n * CLASSES);
    const mask = new Float32Array(n * 4);
    const deltas = new Float32Array(n * 4);
    for (let i = 0; i < n; i++) {
      const y = target.data[i * 5]!;
      if (!(Number.isInteger(y) && y >= -1 && y < CLASSES)) throw new RangeError(`${where}: target class of row ${i} must be an integer in [-1, ${CLASSES - 1}] (-1: box only), got ${y}`);
      if (y >= 0) onehot[i * CLASSES + y] = 1;
      if (y === 0) continue;
      for (let j = 0; j < 4; j++) {
        mask[i * 4 + j] = 1;
        deltas[i * 4 + j] = target.data[i * 5 + 1 + j]!;
      }
    }
    const nll = input.narrow(1, 0, CLASSES).logSoftmax(1).mul(Tensor.from(onehot, [n, CLASSES])).sum().mul(-1 / n);
    const d = input.narrow(1, CLASSES, 4).sub(Tensor.from(deltas, [n, 4])).mul(Tensor.from(mask, [n, 4]));
    return nll.add(d.mul(d).sum().mul(this.boxWeight / n));
  }
}
