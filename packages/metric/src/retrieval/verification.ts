/**
 * Verification metrics: the ROC (receiver operating characteristic) of a set of scored trials and
 * its equal error rate. A trial is a pair of items (two utterances, two faces) with a score
 * (higher: more likely the same identity) and a label (1: same, a "target" trial; 0: different, an
 * "impostor" trial). A threshold t accepts the trials scoring at least t; its errors are
 *
 *   FAR(t) = #{impostor trials with score ≥ t} / #impostor    (false acceptance rate)
 *   FRR(t) = #{target trials with score < t} / #target        (false rejection, or miss, rate)
 *
 * and the equal error rate is the rate where the two meet (NIST speaker-recognition evaluations;
 * Martin et al., "The DET curve in assessment of detection task performance", Eurospeech 1997).
 * For distances (lower: more alike), score with the negated distance.
 */

/** One operating point of a ROC: the threshold and its two error rates. */
export interface RocPoint {
  /** Trials scoring at least this are accepted (+∞: none accepted). */
  threshold: number;
  /** False acceptance rate, in [0, 1]. */
  far: number;
  /** False rejection rate, in [0, 1]. */
  frr: number;
}

/** What {@link equalErrorRate} returns. */
export interface EqualErrorRate {
  /** The equal error rate, in [0, 1]. */
  eer: number;
  /** The threshold at the equal error rate (interpolated between the two operating points around it). */
  threshold: number;
  /** Numbers of target (same) and impostor (different) trials. */
  targets: number;
  impostors: number;
}

function checkTrials(fn: string, scores: ArrayLike<number>, labels: ArrayLike<number>): { targets: number; impostors: number } {
  if (scores.length !== labels.length) throw new RangeError(`${fn}: scores and labels must have the same length, got ${scores.length} scores and ${labels.length} labels`);
  let targets = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l !== 0 && l !== 1) throw new RangeError(`${fn}: labels must be 1 (same) or 0 (different), got ${l} at index ${i}`);
    if (!Number.isFinite(scores[i]!)) throw new RangeError(`${fn}: scores must be finite, got ${scores[i]} at index ${i}`);
    targets += l;
  }
  const impostors = labels.length - targets;
  if (targets === 0 || impostors === 0) throw new RangeError(`${fn}: needs both target (label 1) and impostor (label 0) trials, got ${targets} and ${impostors}`);
  return { targets, impostors };
}

/**
 * The ROC of scored trials: one operating point per distinct score (accepting every trial scoring
 * at least it), from the strictest threshold (+∞: FAR 0, FRR 1) to the most lenient (FAR 1, FRR 0).
 * Ties between target and impostor scores make one point, so the curve takes a diagonal step there.
 *
 * @example
 * rocCurve([0.9, 0.2], [1, 0]);
 * // [{ threshold: Infinity, far: 0, frr: 1 }, { threshold: 0.9, far: 0, frr: 0 }, { threshold: 0.2, far: 1, frr: 0 }]
 */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): RocPoint[] {
  const { targets, impostors } = checkTrials('rocCurve', scores, labels);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const points: RocPoint[] = [{ threshold: Number.POSITIVE_INFINITY, far: 0, frr: 1 }];
  let acceptedTargets = 0;
  let acceptedImpostors = 0;
  for (let k = 0; k < order.length; ) {
    const threshold = scores[order[k]!]!;
    while (k < order.length && scores[order[k]!]! === threshold) {
      if (labels[order[k]!] === 1) acceptedTargets++;
      else acceptedImpostors++;
      k++;
    }
    points.push({ threshold, far: acceptedImpostors / impostors, frr: 1 - acceptedTargets / targets });
  }
  return points;
}

/**
 * The equal error rate of scored trials: where the ROC polyline (FAR against FRR, operating points
 * joined by straight segments) crosses FAR = FRR. Between the last point with FAR ≤ FRR and the
 * next one, s = (FRR₁ − FAR₁) / ((FRR₁ − FAR₁) − (FRR₂ − FAR₂)) and EER = FAR₁ + s·(FAR₂ − FAR₁).
 * Perfectly separated scores give 0; scores that carry no information give about 0.5 (exactly 0.5
 * when all are equal).
 *
 * @example
 * equalErrorRate([0.9, 0.8, 0.4, 0.7, 0.3, 0.2, 0.1], [1, 1, 1, 0, 0, 0, 0]).eer; // 0.25
 * equalErrorRate(distances.map((d) => -d), sameSpeaker);                          // from distances
 */
export function equalErrorRate(scores: ArrayLike<number>, labels: ArrayLike<number>): EqualErrorRate {
  const { targets, impostors } = checkTrials('equalErrorRate', scores, labels);
  const roc = rocCurve(scores, labels);
  let i = 0;
  while (i + 1 < roc.length && roc[i + 1]!.far <= roc[i + 1]!.frr) i++;
  const a = roc[i]!;
  const b = roc[Math.min(i + 1, roc.length - 1)]!;
  const da = a.frr - a.far;
  const db = b.frr - b.far;
  const s = da === db ? 0 : da / (da - db);
  const eer = a.far + s * (b.far - a.far);
  const threshold = Number.isFinite(a.threshold) ? a.threshold + s * (b.threshold - a.threshold) : b.threshold;
  return { eer, threshold, targets, impostors };
}
