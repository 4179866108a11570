import { formatShape, Linear, noGrad, Sequential, ShapeError, Tensor } from '@eole/core';
import { classEntropy, classHistogram } from './classEntropy.js';
import { frechetDistance, gaussianStats, type GaussianStats } from './frechetDistance.js';

/** Images to score: a Tensor [N, D] or its rows in a Float32Array (N·D values), pixels in [0, 1]. */
export type ScorerImages = Tensor | Float32Array;

/** Options of {@link GeneratorScorer.score}. */
export interface ScoreOptions {
  /** The class each image was asked for (conditional samples): adds `accuracy`. */
  labels?: ArrayLike<number>;
}

/** What {@link GeneratorScorer.score} measures. */
export interface ScoreResult {
  /** Images scored. */
  count: number;
  /** Fraction of images the classifier puts in the class they were asked for (only with `labels`). */
  accuracy?: number;
  /** Fréchet distance to the reference set in the classifier's penultimate features. */
  fid: number;
  /** Entropy in bits of the predicted-class histogram (log₂ 10 ≈ 3.32 when every class is as frequent). */
  entropy: number;
  /** Images predicted as each class. */
  histogram: number[];
}

/** The features and predicted classes of a set of images. */
export interface ScorerOutputs {
  /** [count, dim] row-major: the output of the feature layer. */
  features: Float32Array;
  dim: number;
  /** The classifier's arg-max class of each image. */
  predictions: Int32Array;
  count: number;
  /** Number of classes (the width of the classifier's output). */
  classes: number;
}

const BATCH = 500;

/**
 * Scores a generator with a frozen classifier (a `Sequential` such as conv's `LeNet5`, trained on
 * real digits and returning log-probabilities): (a) the accuracy of conditional samples against the
 * class asked for, (b) the Fréchet Inception Distance of Heusel et al. (NeurIPS 2017) with the
 * classifier's penultimate features in place of Inception's,
 *
 *   FID = ‖μs − μr‖² + Tr(Σs + Σr − 2·(Σs^½ Σr Σs^½)^½)   (s: samples, r: the reference set),
 *
 * and (c) the entropy of the predicted-class histogram (mode coverage; Salimans et al. 2016).
 * Features are the output of module `featureLayer` of the classifier, by default the one that feeds
 * its last `Linear` (LeNet-5's 84 F6 units after their activation). The classifier runs in
 * evaluation mode without autograd, in batches of 500, and is left in the mode it was in.
 *
 * @example
 * const scorer = new GeneratorScorer(trainedLeNet5);
 * scorer.reference(heldOutImages);                       // [2000, 784] in [0, 1]
 * scorer.score(samples, { labels: asked }); // { accuracy, fid, entropy, histogram, count }
 */
export class GeneratorScorer {
  /** The index in `classifier` of the module whose output is the feature vector. */
  readonly featureLayer: number;
  private cached: GaussianStats | null = null;

  /**
   * @param classifier - a trained Sequential ending in log-probabilities over the classes.
   * @param featureLayer - the module whose output is the feature (default: the input of the last Linear).
   * @param inputSize - the width of an image row (784 for 28×28 digits), used for Float32Array input.
   */
  constructor(readonly classifier: Sequential, featureLayer?: number, readonly inputSize = 784) {
    if (!(classifier instanceof Sequential)) throw new TypeError('GeneratorScorer: classifier must be a Sequential (e.g. conv\'s LeNet5) that returns log-probabilities');
    if (!Number.isInteger(inputSize) || inputSize < 1) throw new RangeError(`GeneratorScorer: inputSize must be a positive integer, got ${inputSize}`);
    this.featureLayer = featureLayer ?? defaultFeatureLayer(classifier);
    if (!Number.isInteger(this.featureLayer) || this.featureLayer < 0 || this.featureLayer >= classifier.length - 1) {
      throw new RangeError(`GeneratorScorer: featureLayer must be an integer in [0, ${classifier.length - 2}] (a module before the last of the ${classifier.length}), got ${String(featureLayer)}`);
    }
  }

  /**
   * Features and predicted classes of images [N, inputSize] in [0, 1], in one pass per batch.
   *
   * @example
   * const { features, dim, predictions } = scorer.outputs(images);
   * dim; // 84 for LeNet-5
   * predictions[0]; // the class of the first image
   */
  outputs(images: ScorerImages): ScorerOutputs {
    const x = this.checkImages('images', images);
    const count = x.shape[0]!;
    const layers = this.classifier.children();
    const wasTraining = this.classifier.training;
    this.classifier.evaluate();
    let features = new Float32Array(0);
    let dim = 0;
    let classes = 0;
    const predictions = new Int32Array(count);
    try {
      noGrad(() => {
        for (let start = 0; start < count; start += BATCH) {
          const n = Math.min(BATCH, count - start);
          let h = x.narrow(0, start, n);
          let feature: Tensor | null = null;
          layers.forEach((m, i) => {
            h = m.forward(h);
            if (i === this.featureLayer) feature = h;
          });
          const f = (feature as Tensor | null)!;
          if (start === 0) {
            dim = f.size / n;
            classes = h.size / n;
            features = new Float32Array(count * dim);
          }
          features.set(f.data, start * dim);
          predictions.set(h.reshape([n, classes]).argmax(1).data, start);
        }
      });
    } finally {
      this.classifier.train(wasTraining);
    }
    return { features, dim, predictions, count, classes };
  }

  /**
   * The feature vectors of images, [N, dim].
   *
   * @example
   * scorer.features(images).shape; // [N, 84]
   * gaussianStats(scorer.features(images).data, N, 84);
   * // the layer: scorer.classifier.get(scorer.featureLayer)
   */
  features(images: ScorerImages): Tensor {
    const o = this.outputs(images);
    return new Tensor(o.features, [o.count, o.dim]);
  }

  /**
   * The classifier's predicted class of each image.
   *
   * @example
   * const classes = scorer.predict(images); // Int32Array [N]
   * classHistogram(classes, 10);
   * // accuracy = mean(classes[i] === labels[i])
   */
  predict(images: ScorerImages): Int32Array {
    return this.outputs(images).predictions;
  }

  /**
   * Sets the reference set (held-out real digits, at least 2) and returns its feature mean and
   * covariance, kept for every later {@link GeneratorScorer.score}.
   *
   * @example
   * scorer.reference(heldOut); // { mean, cov }
   * scorer.referenceStats;      // the same, cached
   * scorer.score(samples).fid;
   */
  reference(images: ScorerImages): GaussianStats {
    const o = this.outputs(images);
    if (o.count < 2) throw new RangeError(`GeneratorScorer.reference: images must hold at least 2 images for a covariance, got ${o.count}`);
    this.cached = gaussianStats(o.features, o.count, o.dim);
    return this.cached;
  }

  /** The cached statistics of the reference set (null before {@link GeneratorScorer.reference}). */
  get referenceStats(): GaussianStats | null {
    return this.cached;
  }

  /**
   * Scores images (at least 2) against the reference set: FID, class entropy and histogram, and with
   * `labels` (the class each image was asked for) the classifier's accuracy against them.
   *
   * @example
   * const r = scorer.score(samples, { labels });
   * r.accuracy; // e.g. 0.97
   * r.fid; r.entropy; r.histogram;
   */
  score(images: ScorerImages, options: ScoreOptions = {}): ScoreResult {
    const reference = this.cached;
    if (reference === null) throw new Error('GeneratorScorer.score: no reference set; call reference(realImages) first');
    const o = this.outputs(images);
    if (o.count < 2) throw new RangeError(`GeneratorScorer.score: images must hold at least 2 images for a covariance, got ${o.count}`);
    if (o.dim !== reference.mean.length) throw new RangeError(`GeneratorScorer.score: features of ${o.dim} units against a reference of ${reference.mean.length}`);
    const histogram = classHistogram(o.predictions, o.classes);
    const result: ScoreResult = { count: o.count, fid: frechetDistance(gaussianStats(o.features, o.count, o.dim), reference), entropy: classEntropy(histogram), histogram };
    if (options.labels !== undefined) result.accuracy = accuracyOf(o.predictions, options.labels, o.classes);
    return result;
  }

  private checkImages(name: string, images: ScorerImages): Tensor {
    const op = 'GeneratorScorer';
    let x: Tensor;
    if (images instanceof Float32Array) {
      if (images.length === 0 || images.length % this.inputSize !== 0) throw new RangeError(`${op}: ${name} must hold rows of ${this.inputSize} pixels ([N, ${this.inputSize}]), got ${images.length} values`);
      x = new Tensor(images, [images.length / this.inputSize, this.inputSize]);
    } else if (images instanceof Tensor) {
      if (images.ndim !== 2 || images.shape[1] !== this.inputSize || images.shape[0] === 0) throw new ShapeError(op, `${name} must be [N, ${this.inputSize}] with N ≥ 1, got ${formatShape(images.shape)}`);
      x = images;
    } else {
      throw new TypeError(`${op}: ${name} must be a Tensor [N, ${this.inputSize}] or a Float32Array of its rows`);
    }
    const data = x.data;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (!(v >= -1e-3 && v <= 1 + 1e-3)) {
        throw new RangeError(`${op}: ${name} must be pixels in [0, 1] (white digits on black, as MNIST), got ${v} at image ${Math.floor(i / this.inputSize)}, pixel ${i % this.inputSize}`);
      }
    }
    return x;
  }
}

/** The index of the module that feeds the last Linear of `net`. */
function defaultFeatureLayer(net: Sequential): number {
  for (let i = net.length - 1; i >= 0; i--) {
    if (net.get(i) instanceof Linear) {
      if (i === 0) throw new RangeError('GeneratorScorer: the last Linear of the classifier is its first module, so no module computes its input; pass featureLayer');
      return i - 1;
    }
  }
  throw new RangeError(`GeneratorScorer: the classifier has no Linear module to take the features before; pass featureLayer (0 to ${net.length - 2})`);
}

function accuracyOf(predictions: Int32Array, labels: ArrayLike<number>, classes: number): number {
  if (labels.length !== predictions.length) throw new RangeError(`GeneratorScorer.score: labels must hold one class per image (${predictions.length}), got ${labels.length}`);
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= classes) throw new RangeError(`GeneratorScorer.score: labels[${i}] must be a class in [0, ${classes}), got ${y}`);
    if (predictions[i] === y) correct++;
  }
  return correct / labels.length;
}
