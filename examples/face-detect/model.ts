/**
 * The face classifier of the face-detect example and its sliding-window use: a small ConvNet
 * without padding on 25×25 patches, turned fully convolutional (one pass per scale over the whole
 * photo) and scanned over an image pyramid by @eole/conv's `detectMultiscale`.
 */
import { Dropout, Generator, Linear, LogSoftMax, noGrad, ReLU, Sequential, Tensor, View } from '@eole/core';
import { detectMultiscale, fullyConvolutional, SpatialConvolution, SpatialMaxPooling, type Detection, type FullyConvolutional, type ScaleHeatmap } from '@eole/conv';
import { FACE, netInput, NON_FACE, PATCH, patchInputs, type Photo } from './data.js';

/** What rebuilds a {@link faceNet}: stored in the saved model's metadata. */
export interface FaceNetConfig {
  /** Feature maps of the two convolutions. */
  planes: readonly [number, number];
  /** Units of the hidden fully connected layer. */
  hidden: number;
  /** Dropout before the last layer (0: none). */
  dropout: number;
  /** σ in pixels of the local contrast normalisation of the input (0: none, pixels − ½); see `netInput`. */
  lcn: number;
}

/**
 * The classifier, 25×25 → 2 log-probabilities (non-face, face), with no padding anywhere so that
 * its fully convolutional form equals it on every window:
 *
 *   conv 4×4 (1 → p1) → ReLU → max 2×2 → conv 4×4 (p1 → p2) → ReLU → max 2×2   (25 → 22 → 11 → 8 → 4)
 *   → View(p2·4·4) → Linear(→ hidden) → ReLU → [Dropout] → Linear(→ 2) → LogSoftMax
 *
 * Every pixel of the window reaches the output; the fully convolutional net's stride is 2·2 = 4.
 *
 * @example
 * const net = faceNet({ planes: [8, 16], hidden: 32, dropout: 0.25, lcn: 0 }, new Generator(1), new Generator(2));
 * net.forward(Tensor.zeros([4, 1, 25, 25])).shape; // [4, 2]
 */
export function faceNet(config: FaceNetConfig, rng: Generator, dropoutRng: Generator = new Generator(0)): Sequential {
  const [p1, p2] = config.planes;
  const net = new Sequential(
    new SpatialConvolution(1, p1, 4, 4, 1, 1, 0, 0, { rng }),
    new ReLU(),
    new SpatialMaxPooling(2, 2, 2, 2),
    new SpatialConvolution(p1, p2, 4, 4, 1, 1, 0, 0, { rng }),
    new ReLU(),
    new SpatialMaxPooling(2, 2, 2, 2),
    new View(p2 * 4 * 4),
    new Linear(p2 * 4 * 4, config.hidden, { rng }),
    new ReLU(),
  );
  if (config.dropout > 0) net.add(new Dropout(config.dropout, { rng: dropoutRng }));
  return net.add(new Linear(config.hidden, 2, { rng })).add(new LogSoftMax());
}

/** The metadata entries of a {@link FaceNetConfig}. */
export function configMetadata(config: FaceNetConfig): Record<string, string> {
  return { planes: config.planes.join(','), hidden: String(config.hidden), dropout: String(config.dropout), lcn: String(config.lcn) };
}

/** The {@link FaceNetConfig} of saved metadata (see {@link configMetadata}). */
export function configFromMetadata(metadata: Readonly<Record<string, string>>): FaceNetConfig {
  const planes = (metadata['planes'] ?? '').split(',').map(Number);
  return { planes: [planes[0]!, planes[1]!], hidden: Number(metadata['hidden']), dropout: Number(metadata['dropout']), lcn: Number(metadata['lcn']) };
}

/** Face probability of each patch ([n, 25, 25] pixels in [0, 1]) under the classifier (in evaluation mode), its input made by `patchInputs`. */
export function faceProbabilities(model: Sequential, pixels: Float32Array, lcn: number): Float32Array {
  const n = pixels.length / (PATCH * PATCH);
  const out = noGrad(() => model.forward(new Tensor(patchInputs(pixels, lcn), [n, 1, PATCH, PATCH])));
  return Float32Array.from({ length: n }, (_, i) => Math.exp(out.data[i * 2 + FACE]!));
}

/** The scales that make a 25-pixel window match faces from `minFace` to `maxFace` pixels, `step` apart (a ratio > 1), largest scale first. */
export function faceScales(minFace: number, maxFace: number, step: number): number[] {
  const scales: number[] = [];
  for (let size = minFace; size <= maxFace * 1.0001; size *= step) scales.push(PATCH / size);
  return scales;
}

/** Options of {@link detectFaces}. */
export interface DetectFacesOptions {
  scales: readonly number[];
  /** Keep windows whose face probability is above this. */
  threshold: number;
  /** NMS overlap. */
  iou: number;
  maxDetections: number;
  /** The input normalisation the net was trained with (`FaceNetConfig.lcn`). */
  lcn: number;
}

/** What {@link detectFaces} found. */
export interface FaceDetections {
  detections: Detection[];
  /** The face-probability map of every scale scanned. */
  heatmaps: ScaleHeatmap[];
  /** The fully convolutional net that made them (window 25×25, stride 4). */
  detector: FullyConvolutional;
}

/** The net's input for an image [1, 1, H, W] of pixels in [0, 1] (a scale of the photo): `netInput` of its one plane. */
export function imageInput(image: Tensor, lcn: number): Tensor {
  const [, , H, W] = image.shape as [number, number, number, number];
  return new Tensor(netInput(image.data, W, H, lcn), [1, 1, H, W]);
}

/**
 * Runs the classifier over the whole photo (its gray) at every scale: `fullyConvolutional` turns
 * it into a conv net, `detectMultiscale` scans the pyramid (each scale normalised by
 * {@link imageInput} as the patches were), keeps the windows whose face probability passes
 * `threshold` and suppresses overlaps (greedy NMS at `iou`).
 *
 * @example
 * const { detections } = detectFaces(model, readPhoto('astronaut.png'), { scales: faceScales(60, 250, 1.19), threshold: 0.9, iou: 0.3, maxDetections: 10, lcn: 0 });
 */
export function detectFaces(model: Sequential, photo: Photo, options: DetectFacesOptions): FaceDetections {
  model.evaluate();
  const detector = fullyConvolutional(model, [1, PATCH, PATCH]);
  const image = new Tensor(photo.gray, [1, 1, photo.height, photo.width]);
  const { detections, heatmaps } = detectMultiscale((x) => ({ scores: detector.net.forward(imageInput(x, options.lcn)) }), image, {
    window: detector.window,
    stride: detector.stride,
    scales: options.scales,
    background: NON_FACE,
    scoreThreshold: options.threshold,
    iouThreshold: options.iou,
    maxDetections: options.maxDetections,
  });
  return { detections, heatmaps, detector };
}
