/**
 * Scoring a decoded digit string: the edit-distance alignment of a hypothesis against the truth,
 * counted as substitutions, deletions and insertions, and the digit error rate.
 */

/** Edit-distance alignment counts of a hypothesis against a reference ({@link digitErrors}). */
export interface ErrorCounts {
  /** Reference digits recognised as another digit. */
  substitutions: number;
  /** Reference digits missed. */
  deletions: number;
  /** Digits heard that the reference does not have. */
  insertions: number;
  /** (S + D + I) / reference length. */
  rate: number;
}

/**
 * Digit error rate: the Levenshtein distance between hypothesis and reference (substitutions,
 * deletions, insertions, each cost 1) divided by the reference length N, as word error rate is:
 * (S + D + I) / N. Where several alignments cost the same, the first found (substitution or match,
 * then deletion, then insertion) gives the counts. An empty reference gives rate 0 for an empty
 * hypothesis, else 1.
 *
 * @example
 * digitErrors([1, 2, 3], [1, 3]); // { substitutions: 0, deletions: 1, insertions: 0, rate: 1/3 }
 */
export function digitErrors(reference: readonly number[], hypothesis: readonly number[]): ErrorCounts {
  const n = reference.length, m = hypothesis.length;
  // d[i][j]: [cost, S, D, I] of aligning reference[0..i) with hypothesis[0..j)
  const d: [number, number, number, number][][] = Array.from({ length: n + 1 }, (_, i) => Array.from({ length: m + 1 }, (_, j) => [i + j, 0, i, j] as [number, number, number, number]));
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const same = reference[i - 1] === hypothesis[j - 1];
      const sub = d[i - 1]![j - 1]!, del = d[i - 1]![j]!, ins = d[i]![j - 1]!;
      const options: [number, number, number, number][] = [
        [sub[0] + (same ? 0 : 1), sub[1] + (same ? 0 : 1), sub[2], sub[3]],
        [del[0] + 1, del[1], del[2] + 1, del[3]],
        [ins[0] + 1, ins[1], ins[2], ins[3] + 1],
      ];
      d[i]![j] = options.reduce((a, b) => (b[0] < a[0] ? b : a));
    }
  }
  const [cost, substitutions, deletions, insertions] = d[n]![m]!;
  return { substitutions, deletions, insertions, rate: n === 0 ? (m === 0 ? 0 : 1) : cost / n };
}
