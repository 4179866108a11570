/**
 * Verification with a trained embedding net: utterance embeddings through @eole/metric's `embed`
 * operator, every trial scored by the distance of two embeddings, the equal error rate, and the
 * PNGs of the scores (distance histograms and the ROC).
 */
import { from, map } from 'rxjs';
import { lineChart, SERIES_COLORS, type ChartSpec, type Point } from '@eole/core/charts';
import { concat, Tensor, type Module } from '@eole/core';
import { COHORT_STD_FLOOR, distanceMatrix, embed, equalErrorRate, normalizeScore, rocCurve, type CohortStatistics, type Metric, type ScoreNormalization } from '@eole/metric';
import { featureWindow, WINDOW_SIZE, windowStarts, type FeatureNorm, type SpeakerUtterance } from './data.js';

/** How an utterance becomes one embedding. */
export interface UtteranceEmbedding {
  /** Windows per utterance, their embeddings averaged (1: the centred window only). */
  windows: number;
  /** The windows spread over centre ± spread frames. */
  spread: number;
  /** Divide each utterance embedding by its L2 norm. */
  normalize: boolean;
  /** Window normalisation (as in training). */
  norm: FeatureNorm;
}

/**
 * Utterance embeddings [n, dim]: each utterance's windows ({@link windowStarts}) go through the net
 * by @eole/metric's `embed` operator (evaluation mode, no graph), in groups of utterances; the
 * window embeddings of an utterance are averaged, and L2-normalised when asked. Synchronous (the
 * window stream is), so it can run inside a training event stream between two epochs.
 *
 * @example
 * const e = embedUtterances(net, utts, { windows: 3, spread: 8, normalize: false, norm: { kind: 'window' } }); // [n, 32]
 */
export function embedUtterances(net: Module, utterances: readonly SpeakerUtterance[], how: UtteranceEmbedding): Tensor {
  const k = how.windows;
  const group = Math.max(1, Math.floor(256 / k));
  const chunks: SpeakerUtterance[][] = [];
  for (let i = 0; i < utterances.length; i += group) chunks.push(utterances.slice(i, i + group));
  const rows: Tensor[] = [];
  let failure: unknown = null;
  from(chunks)
    .pipe(
      map((chunk) => {
        const x = new Float32Array(chunk.length * k * WINDOW_SIZE);
        chunk.forEach((u, i) => windowStarts(u, k, how.spread).forEach((s, j) => featureWindow(u, s, how.norm, x.subarray((i * k + j) * WINDOW_SIZE, (i * k + j + 1) * WINDOW_SIZE))));
        return new Tensor(x, [chunk.length * k, WINDOW_SIZE]);
      }),
      embed(net),
    )
    .subscribe({ next: (e) => rows.push(e), error: (e: unknown) => (failure = e) });
  if (failure !== null) throw failure;
  const embeddings = concat(rows, 0);
  const dim = embeddings.shape[1]!;
  const out = new Float32Array(utterances.length * dim);
  for (let u = 0; u < utterances.length; u++) {
    const row = out.subarray(u * dim, (u + 1) * dim);
    for (let j = 0; j < k; j++) for (let c = 0; c < dim; c++) row[c]! += embeddings.data[(u * k + j) * dim + c]! / k;
    if (how.normalize) {
      const norm = Math.hypot(...row) || 1;
      for (let c = 0; c < dim; c++) row[c]! /= norm;
    }
  }
  return new Tensor(out, [utterances.length, dim]);
}

/** Scored trials: the distance of each pair and whether its two utterances share a speaker. */
export interface Trials {
  distances: Float32Array;
  /** 1: same speaker (target trial), 0: different speakers (impostor trial). */
  same: Uint8Array;
  targets: number;
  impostors: number;
}

/**
 * Every unordered pair {i, j} (i < j) of utterances, or those `trial` accepts, scored by the
 * `metric` distance of their embeddings [n, dim] (`distanceMatrix` of @eole/metric).
 *
 * @example
 * const trials = scoreTrials(embeddings, utts); // 200 utterances → 19,900 trials
 */
export function scoreTrials(embeddings: Tensor, utterances: readonly SpeakerUtterance[], metric: Metric = 'l2', trial?: (a: SpeakerUtterance, b: SpeakerUtterance) => boolean): Trials {
  const n = utterances.length;
  const d = distanceMatrix(embeddings, embeddings, metric).data;
  const distances: number[] = [];
  const same = trialPairs(utterances, trial, (i, j) => distances.push(Math.max(0, d[i * n + j]!)));
  const targets = same.reduce((s, v) => s + v, 0);
  return { distances: Float32Array.from(distances), same: Uint8Array.from(same), targets, impostors: same.length - targets };
}

/**
 * Visits every unordered pair {i, j} (i < j) of `utterances` that `trial` accepts (all without it),
 * in order, and returns for each whether its two utterances share a speaker (1) or not (0).
 */
function trialPairs(utterances: readonly SpeakerUtterance[], trial: ((a: SpeakerUtterance, b: SpeakerUtterance) => boolean) | undefined, visit: (i: number, j: number) => void): number[] {
  const same: number[] = [];
  for (let i = 0; i < utterances.length; i++) {
    for (let j = i + 1; j < utterances.length; j++) {
      const a = utterances[i]!;
      const b = utterances[j]!;
      if (trial && !trial(a, b)) continue;
      visit(i, j);
      same.push(a.speaker === b.speaker ? 1 : 0);
    }
  }
  return same;
}

/** How trials are scored against a cohort (see {@link scoreTrialsNormalized}). */
export interface CohortScoring {
  /** Embeddings [m, dim] of cohort utterances (training speakers, never the trial speakers). */
  cohort: Tensor;
  /** z-norm, t-norm or s-norm (`none`: the plain score). */
  kind: ScoreNormalization;
  /** Statistics over the top-K cohort scores of each side only (adaptive s-norm; 0: all). */
  topK: number;
  /** The raw score of two embeddings: minus their `l2` distance, or their `cosine` similarity (minus the cosine distance). */
  metric: Metric;
}

/** Mean and standard deviation of the scores of one embedding against the cohort (its top K only, when K > 0). */
function cohortStats(scores: Float32Array, topK: number): CohortStatistics {
  let s = Array.from(scores);
  if (topK > 0 && topK < s.length) s = s.sort((a, b) => b - a).slice(0, Math.max(2, topK));
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const variance = s.reduce((a, x) => a + (x - mean) ** 2, 0) / s.length;
  return { mean, std: Math.max(Math.sqrt(variance), COHORT_STD_FLOOR) };
}

/**
 * Trials scored by minus the `metric` distance of the two embeddings (for cosine, the similarity
 * up to a constant), normalised against a cohort with @eole/metric's `normalizeScore`
 * (Auckenthaler, Carey & Lloyd-Thomas, "Score normalization for text-independent speaker
 * verification systems", DSP 2000: the score is centred and scaled by each side's scores against
 * impostors, so one threshold fits every speaker; s-norm averages the z- and t-normalised scores,
 * and with `topK` the statistics come from the cohort members closest to each side, adaptive
 * s-norm, Matějka et al., Interspeech 2017). The result is given as distances max(score) − score
 * (≥ 0; a higher score is a smaller distance), so {@link trialsEer} and the plots take it as they
 * take {@link scoreTrials}'.
 *
 * @example
 * const trials = scoreTrialsNormalized(embeddings, utts, { cohort, kind: 's-norm', topK: 0, metric: 'l2' });
 */
export function scoreTrialsNormalized(embeddings: Tensor, utterances: readonly SpeakerUtterance[], scoring: CohortScoring, trial?: (a: SpeakerUtterance, b: SpeakerUtterance) => boolean): Trials {
  const n = utterances.length;
  const m = scoring.cohort.shape[0]!;
  const toCohort = distanceMatrix(embeddings, scoring.cohort, scoring.metric).data;
  const stats: (CohortStatistics | null)[] = Array.from({ length: n }, (_, i) =>
    scoring.kind === 'none' ? null : cohortStats(Float32Array.from(toCohort.subarray(i * m, (i + 1) * m), (d) => -d), scoring.topK));
  const d = distanceMatrix(embeddings, embeddings, scoring.metric).data;
  const scores: number[] = [];
  const same = trialPairs(utterances, trial, (i, j) => scores.push(normalizeScore(-d[i * n + j]!, scoring.kind, stats[i]!, stats[j]!)));
  const top = scores.reduce((x, y) => Math.max(x, y), -Infinity);
  const targets = same.reduce((s, v) => s + v, 0);
  return { distances: Float32Array.from(scores, (x) => top - x), same: Uint8Array.from(same), targets, impostors: same.length - targets };
}

/** The equal error rate of trials scored by distance (a smaller distance accepts sooner). */
export function trialsEer(trials: Trials): { eer: number; threshold: number } {
  const { eer, threshold } = equalErrorRate(trials.distances.map((x) => -x), trials.same);
  return { eer, threshold: -threshold };
}

/**
 * Histograms of the same-speaker and different-speaker distances (each normalised to a density),
 * with the EER threshold as a vertical line: how far apart the two populations are.
 *
 * @example
 * await renderPng(distanceHistogram(trials, 'held-out pairs'), 'runs/speaker-verify/distances.png');
 */
export function distanceHistogram(trials: Trials, title: string, bins = 40): ChartSpec {
  const { threshold, eer } = trialsEer(trials);
  const hi = trials.distances.reduce((m, x) => Math.max(m, x), 0) || 1;
  const width = hi / bins;
  const density = (label: number, count: number): Point[] => {
    const h = new Float64Array(bins);
    trials.distances.forEach((x, i) => {
      if (trials.same[i] === label) h[Math.min(bins - 1, Math.floor(x / width))]! += 1 / (count * width);
    });
    return Array.from(h).flatMap((v, b) => [[b * width, v], [(b + 1) * width, v]] as Point[]);
  };
  const same = density(1, trials.targets);
  const different = density(0, trials.impostors);
  const top = Math.max(...same.map((p) => p[1]), ...different.map((p) => p[1]));
  return lineChart({
    title,
    xLabel: 'distance between utterance embeddings',
    yLabel: 'density',
    xRange: [0, hi],
    yRange: [0, top * 1.1],
    series: [
      { name: `same speaker (${trials.targets} pairs)`, points: same, color: SERIES_COLORS[0]! },
      { name: `different speakers (${trials.impostors} pairs)`, points: different, color: SERIES_COLORS[1]! },
      { name: `EER threshold ${threshold.toFixed(3)} (EER ${(eer * 100).toFixed(2)}%)`, points: [[threshold, 0], [threshold, top * 1.1]], color: '#000000', dash: [6, 3] },
    ],
    legend: 'top-right',
  });
}

/**
 * The ROC as error rates: false rejections (same speaker refused) against false acceptances
 * (different speakers accepted), in percent, with the EER point where the curve crosses the diagonal;
 * both axes run from 0 to about four times the EER (at least 10%), where the curve turns.
 *
 * @example
 * await renderPng(rocFigure(trials, 'held-out pairs'), 'runs/speaker-verify/roc.png');
 */
export function rocFigure(trials: Trials, title: string): ChartSpec {
  const roc = rocCurve(trials.distances.map((x) => -x), trials.same);
  const step = Math.max(1, Math.floor(roc.length / 2000));
  const points: Point[] = roc.filter((_, i) => i % step === 0 || i === roc.length - 1).map((p) => [p.far * 100, p.frr * 100]);
  const { eer } = trialsEer(trials);
  const zoom = Math.min(100, Math.max(10, Math.ceil(eer * 400 / 5) * 5));
  return lineChart({
    title,
    xLabel: 'false acceptance rate (%)',
    yLabel: 'false rejection rate (%)',
    xRange: [0, zoom],
    yRange: [0, zoom],
    series: [
      { name: 'ROC', points, color: SERIES_COLORS[0]! },
      { name: 'FAR = FRR', points: [[0, 0], [100, 100]], color: '#000000', dash: [4, 4] },
      { name: `EER ${(eer * 100).toFixed(2)}%`, points: [[eer * 100, eer * 100]], color: SERIES_COLORS[3]!, style: 'points', size: 5 },
    ],
    legend: 'top-right',
  });
}
