/** What {@link segmentationScores} returns. */
export interface SegmentationScores {
  /** Correct pixels / all pixels. */
  pixelAccuracy: number;
  /** Mean of `perClassAccuracy` over the classes present in the truth. */
  meanClassAccuracy: number;
  /** Per class c: correct pixels of c / pixels of c in the truth (NaN when c is absent from the truth). */
  perClassAccuracy: number[];
  /** confusion[t][p]: pixels of true class t predicted as p (rows: truth, columns: prediction). */
  confusion: number[][];
}

/**
 * The scene-parsing scores of Farabet, Couprie, Najman & LeCun ("Learning hierarchical features
 * for scene labeling", PAMI 2013): with C[t][p] the confusion matrix of per-pixel labels,
 *
 *   pixel accuracy = Σ_c C[c][c] / Σ_{t,p} C[t][p],
 *   class accuracy_c = C[c][c] / Σ_p C[c][p],   mean class accuracy = mean over {c : Σ_p C[c][p] > 0}.
 *
 * `predicted` and `truth` hold one integer label in [0, classes) per pixel, in the same order
 * (any layout, e.g. a flattened [H, W] or [N, H, W] map); an "unlabeled" truth value must be
 * removed by the caller. Throws a RangeError for mismatched lengths, no pixels, or a label out of range.
 *
 * @example
 * const s = segmentationScores([0, 1, 1, 1], [0, 0, 1, 1], 2);
 * s.pixelAccuracy;                        // 3/4
 * s.meanClassAccuracy;                    // (1/2 + 1)/2 = 3/4
 */
export function segmentationScores(predicted: ArrayLike<number>, truth: ArrayLike<number>, classes: number): SegmentationScores {
  if (!Number.isInteger(classes) || classes < 1) throw new RangeError(`segmentationScores: classes must be an integer ≥ 1, got ${String(classes)}`);
  if (predicted.length !== truth.length) throw new RangeError(`segmentationScores: predicted and truth must have the same length, got ${predicted.length} and ${truth.length}`);
  if (truth.length === 0) throw new RangeError('segmentationScores: expected at least one pixel, got 0');
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) confusion[label('truth', truth, i, classes)]![label('predicted', predicted, i, classes)]!++;
  let correct = 0;
  for (let c = 0; c < classes; c++) correct += confusion[c]![c]!;
  const perClassAccuracy = confusion.map((row, c) => row[c]! / row.reduce((s, v) => s + v, 0));
  const present = perClassAccuracy.filter((a) => !Number.isNaN(a));
  return {
    pixelAccuracy: correct / truth.length,
    meanClassAccuracy: present.reduce((s, v) => s + v, 0) / present.length,
    perClassAccuracy,
    confusion,
  };
}

function label(name: string, labels: ArrayLike<number>, i: number, classes: number): number {
  const v = labels[i]!;
  if (!Number.isInteger(v) || v < 0 || v >= classes) throw new RangeError(`segmentationScores: ${name}[${i}] must be an integer label in [0, ${classes}), got ${String(v)}`);
  return v;
}
