import { equalErrorRate, rocCurve } from '../retrieval/verification.js';

/** Where {@link calibrateThreshold} puts the threshold. */
export type OperatingPoint = 'eer' | { far: number };

/** A calibrated decision threshold and its error rates on the calibration trials. */
export interface Calibration {
  /** Accept a trial scoring at least this. */
  threshold: number;
  /** False acceptance and false rejection rates on the calibration trials at `threshold`. */
  far: number;
  frr: number;
  /** The operating point asked for. */
  at: OperatingPoint;
}

/**
 * A decision threshold chosen on scored trials of known truth: target scores (same speaker) and
 * non-target scores (different speakers), at one operating point of their ROC (see `rocCurve`):
 *
 * - `'eer'`: the threshold of the equal error rate (`equalErrorRate`, interpolated between the two
 *   operating points around FAR = FRR);
 * - `{ far: α }`: the lowest threshold whose false acceptance rate FAR(t) = #{non-target ≥ t}/#non-target
 *   is at most α (the fewest false rejections under that constraint, Neyman–Pearson). When even the
 *   strictest finite score is above α (α < 1/#non-target with the top score a non-target), the
 *   threshold lies just above the highest non-target score.
 *
 * The returned `far` and `frr` are those of the threshold on these trials.
 *
 * @example
 * calibrateThreshold([0.9, 0.8, 0.4], [0.7, 0.3, 0.2, 0.1]);                // EER: threshold 0.625
 * calibrateThreshold([0.9, 0.8, 0.4], [0.7, 0.3, 0.2, 0.1], { far: 0 });    // threshold 0.8 (FRR 1/3)
 */
export function calibrateThreshold(targetScores: ArrayLike<number>, nonTargetScores: ArrayLike<number>, at: OperatingPoint = 'eer'): Calibration {
  if (targetScores.length === 0) throw new RangeError('calibrateThreshold: targetScores must hold at least one score, got 0');
  if (nonTargetScores.length === 0) throw new RangeError('calibrateThreshold: nonTargetScores must hold at least one score, got 0');
  const scores = [...Array.from(targetScores), ...Array.from(nonTargetScores)];
  const labels = scores.map((_, i) => (i < targetScores.length ? 1 : 0));
  let threshold: number;
  if (at === 'eer') {
    threshold = equalErrorRate(scores, labels).threshold;
  } else {
    const far = at?.far;
    if (typeof far !== 'number' || !(far >= 0 && far <= 1)) throw new RangeError(`calibrateThreshold: at must be 'eer' or { far } with far in [0, 1], got ${JSON.stringify(at)}`);
    const roc = rocCurve(scores, labels);
    let k = 0;
    while (k + 1 < roc.length && roc[k + 1]!.far <= far) k++;
    threshold = roc[k]!.threshold;
    if (!Number.isFinite(threshold)) {
      const top = Math.max(...Array.from(nonTargetScores));
      threshold = top + 1e-9 * Math.max(1, Math.abs(top));
    }
  }
  let fa = 0, fr = 0;
  for (let i = 0; i < nonTargetScores.length; i++) if (nonTargetScores[i]! >= threshold) fa++;
  for (let i = 0; i < targetScores.length; i++) if (targetScores[i]! < threshold) fr++;
  return { threshold, far: fa / nonTargetScores.length, frr: fr / targetScores.length, at };
}
