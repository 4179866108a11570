import { cosineScore } from './vectors.js';

/** Score normalisations of {@link normalizeScore}. */
export type ScoreNormalization = 'none' | 'z-norm' | 't-norm' | 's-norm';

/** The normalisations, for validation and `--help` texts. */
export const SCORE_NORMALIZATIONS: readonly ScoreNormalization[] = ['none', 'z-norm', 't-norm', 's-norm'];

/** Mean and standard deviation of one side's scores against the cohort. */
export interface CohortStatistics {
  mean: number;
  std: number;
}

/** Floor of a cohort standard deviation (a cohort of identical embeddings would divide by 0). */
export const COHORT_STD_FLOOR = 1e-6;

/**
 * Mean and standard deviation (1/n) of the cosine scores of `embedding` against every `cohort`
 * embedding, or against its `topK` closest ones (adaptive score normalisation, Matějka et al.,
 * "Analysis of score normalization in multilingual speaker recognition", Interspeech 2017). The
 * standard deviation is floored at {@link COHORT_STD_FLOOR}.
 *
 * @example
 * cohortStatistics([1, 0], [[1, 0], [0, 1]]); // { mean: 0.5, std: 0.5 }
 */
export function cohortStatistics(embedding: ArrayLike<number>, cohort: readonly ArrayLike<number>[], topK = 0): CohortStatistics {
  if (cohort.length < 2) throw new RangeError(`cohortStatistics: cohort needs at least 2 embeddings, got ${cohort.length}`);
  if (!Number.isInteger(topK) || topK < 0) throw new RangeError(`cohortStatistics: topK must be an integer >= 0 (0: the whole cohort), got ${topK}`);
  let scores = cohort.map((c) => cosineScore(embedding, c));
  if (topK > 0 && topK < scores.length) scores = scores.sort((a, b) => b - a).slice(0, Math.max(2, topK));
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  const variance = scores.reduce((a, s) => a + (s - mean) ** 2, 0) / scores.length;
  return { mean, std: Math.max(Math.sqrt(variance), COHORT_STD_FLOOR) };
}

/**
 * A raw score s of an (enrolled model, test embedding) trial normalised against a cohort of
 * impostor embeddings (Auckenthaler, Carey & Lloyd-Thomas, "Score normalization for
 * text-independent speaker verification systems", DSP 2000; Kenny, "Bayesian speaker verification
 * with heavy-tailed priors", Odyssey 2010, for the symmetric form):
 *
 *   z-norm: (s − μₑ)/σₑ          (μₑ, σₑ: the enrolled model's scores against the cohort)
 *   t-norm: (s − μₜ)/σₜ          (μₜ, σₜ: the test embedding's scores against the cohort)
 *   s-norm: ½·[(s − μₑ)/σₑ + (s − μₜ)/σₜ]    (symmetric over the two sides)
 *
 * `none` returns s. A normalised score counts standard deviations above the impostor scores of the
 * same model or utterance, so one threshold suits every speaker and recording condition.
 *
 * @example
 * normalizeScore(0.8, 's-norm', { mean: 0.2, std: 0.1 }, { mean: 0.4, std: 0.2 }); // ½(6 + 2) = 4
 */
export function normalizeScore(score: number, kind: ScoreNormalization, enroll: CohortStatistics | null, test: CohortStatistics | null): number {
  const z = (side: CohortStatistics | null, name: string): number => {
    if (side === null) throw new RangeError(`normalizeScore: ${kind} needs the ${name} side's cohort statistics, got null`);
    return (score - side.mean) / side.std;
  };
  switch (kind) {
    case 'none':
      return score;
    case 'z-norm':
      return z(enroll, 'enrollment');
    case 't-norm':
      return z(test, 'test');
    case 's-norm':
      return 0.5 * (z(enroll, 'enrollment') + z(test, 'test'));
    default:
      throw new RangeError(`normalizeScore: kind must be one of ${SCORE_NORMALIZATIONS.join(', ')}, got ${String(kind)}`);
  }
}
