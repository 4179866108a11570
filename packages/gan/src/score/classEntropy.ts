/**
 * The histogram of predicted classes: counts[c] = #{i : predictions[i] = c} for c < classes.
 * With {@link classEntropy}, the mode-coverage measure of a generator's unconditional samples.
 *
 * @example
 * classHistogram([0, 1, 1, 3], 4); // [1, 2, 0, 1]
 * classEntropy(classHistogram(predictions, 10)); // log2 10 ≈ 3.322 bits when balanced
 * classHistogram(scorer.predict(images), 10);
 */
export function classHistogram(predictions: ArrayLike<number>, classes = 10): number[] {
  if (!Number.isInteger(classes) || classes < 1) throw new RangeError(`classHistogram: classes must be a positive integer, got ${classes}`);
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < predictions.length; i++) {
    const c = predictions[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= classes) throw new RangeError(`classHistogram: predictions[${i}] must be a class index in [0, ${classes}), got ${c}`);
    counts[c]! += 1;
  }
  return counts;
}

/**
 * The entropy in bits of the distribution a histogram describes, pₖ = countₖ / Σ count:
 *
 *   H = −Σₖ pₖ·log₂ pₖ   (0·log 0 = 0),
 *
 * from 0 (every sample in one class) to log₂ K (K classes equally often). Shannon, "A mathematical
 * theory of communication" (1948); used for the mode coverage of GAN samples as in the "Inception
 * score" of Salimans et al. (2016), whose marginal-entropy term it is.
 *
 * @example
 * classEntropy([5, 5, 5, 5, 5, 5, 5, 5, 5, 5]); // log2 10 ≈ 3.3219
 * classEntropy([0, 12, 0]);                      // 0
 * classEntropy([1, 1]);                          // 1
 */
export function classEntropy(histogram: ArrayLike<number>): number {
  let total = 0;
  for (let k = 0; k < histogram.length; k++) {
    const c = histogram[k]!;
    if (!(c >= 0) || !Number.isFinite(c)) throw new RangeError(`classEntropy: histogram[${k}] must be a finite count ≥ 0, got ${c}`);
    total += c;
  }
  if (!(total > 0)) throw new RangeError(`classEntropy: histogram must have a positive total, got ${histogram.length} bins summing to ${total}`);
  let h = 0;
  for (let k = 0; k < histogram.length; k++) {
    const p = histogram[k]! / total;
    if (p > 0) h -= p * Math.log2(p);
  }
  return h;
}
