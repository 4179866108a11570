import { calibrateThreshold, type Calibration, type OperatingPoint } from './calibrateThreshold.js';
import { cohortStatistics, normalizeScore, SCORE_NORMALIZATIONS, type CohortStatistics, type ScoreNormalization } from './scoreNormalization.js';
import { cosineScore, embeddingRows, l2Normalize, type EmbeddingRows } from './vectors.js';

/** Options of {@link SpeakerEnrollment}. */
export interface SpeakerEnrollmentOptions {
  /** Dimension of the embeddings. */
  dim: number;
  /** Score normalisation against the cohort (default `'none'`; the others need {@link SpeakerEnrollment.setCohort}). */
  normalization?: ScoreNormalization;
  /** Cohort scores kept for the normalisation statistics: the `topK` closest (default 0: all). */
  topK?: number;
  /** Decision threshold on the (normalised) score (default: none until {@link SpeakerEnrollment.calibrate}). */
  threshold?: number;
  /** Free text saved with the enrollment (which embedding model made it, how it was calibrated). */
  metadata?: Record<string, string>;
}

/** What {@link SpeakerEnrollment.verify} returns. */
export interface Verification {
  /** The (normalised) score of the trial. */
  score: number;
  /** Whether score ≥ threshold. */
  accepted: boolean;
  threshold: number;
}

/** The JSON form written by `saveEnrollment` (Node) and `toJSON` (format `eole-speaker-enrollment`, version 1). */
export interface SpeakerEnrollmentJson {
  format: 'eole-speaker-enrollment';
  version: 1;
  dim: number;
  normalization: ScoreNormalization;
  topK: number;
  threshold: number | null;
  /** Speaker id → the enrolled model (mean of the L2-normalised enrollment embeddings) and how many embeddings made it. */
  speakers: Record<string, { model: number[]; count: number }>;
  /** L2-normalised cohort embeddings. */
  cohort: number[][];
  /** Free text (see {@link SpeakerEnrollmentOptions.metadata}). */
  metadata: Record<string, string>;
}

const FORMAT = 'eole-speaker-enrollment';

/**
 * Speaker enrollment and verification over utterance embeddings (any embedding net: the x-vector
 * of Snyder et al., ICASSP 2018, a Siamese net's output):
 *
 * - **enroll** a speaker from k ≥ 1 embeddings: the model is m = (1/k)·Σᵢ eᵢ/‖eᵢ‖₂;
 * - **score** a test embedding e against model m by the cosine, s = m·e/(‖m‖·‖e‖) (Dehak et al.,
 *   Odyssey 2010), optionally normalised against a cohort of impostor embeddings (z-, t- or the
 *   symmetric s-norm, {@link normalizeScore}; adaptive with `topK`);
 * - **calibrate** the decision threshold on trials of known truth ({@link calibrateThreshold}: at
 *   the equal error rate or at a chosen false acceptance rate);
 * - **verify**: accepted when the score reaches the threshold;
 * - **JSON** with `toJSON`/`fromJSON` (validated); `saveEnrollment`/`loadEnrollment` write and read it as a file (atomically) in Node.
 *
 * @example
 * const book = new SpeakerEnrollment({ dim: 32, normalization: 's-norm' });
 * book.setCohort(trainingEmbeddings).enroll('ana', [e1, e2, e3]);
 * book.calibrate(targetScores, nonTargetScores);            // threshold at the EER
 * book.verify('ana', e4);                                    // { score: 3.1, accepted: true, threshold: 1.7 }
 */
export class SpeakerEnrollment {
  readonly dim: number;
  readonly normalization: ScoreNormalization;
  readonly topK: number;
  /** The decision threshold, null until set or calibrated. */
  threshold: number | null;
  /** Free text saved with the enrollment. */
  readonly metadata: Record<string, string>;
  private readonly models = new Map<string, { model: Float64Array; count: number; stats: CohortStatistics | null }>();
  private cohort: Float64Array[] = [];

  constructor(options: SpeakerEnrollmentOptions) {
    const { dim, normalization = 'none', topK = 0, threshold = null, metadata = {} } = options ?? ({} as SpeakerEnrollmentOptions);
    if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`SpeakerEnrollment: dim must be a positive integer, got ${String(dim)}`);
    if (!SCORE_NORMALIZATIONS.includes(normalization)) throw new RangeError(`SpeakerEnrollment: normalization must be one of ${SCORE_NORMALIZATIONS.join(', ')}, got ${String(normalization)}`);
    if (!Number.isInteger(topK) || topK < 0) throw new RangeError(`SpeakerEnrollment: topK must be an integer >= 0 (0: the whole cohort), got ${String(topK)}`);
    if (threshold !== null && !Number.isFinite(threshold)) throw new RangeError(`SpeakerEnrollment: threshold must be a finite number, got ${String(threshold)}`);
    this.dim = dim;
    this.normalization = normalization;
    this.topK = topK;
    this.threshold = threshold;
    if (metadata === null || typeof metadata !== 'object' || Object.values(metadata).some((v) => typeof v !== 'string')) {
      throw new TypeError(`SpeakerEnrollment: metadata must be an object of strings, got ${JSON.stringify(metadata)}`);
    }
    this.metadata = { ...metadata };
  }

  /** Ids of the enrolled speakers, in enrollment order. */
  get speakers(): string[] {
    return [...this.models.keys()];
  }

  /** Number of cohort embeddings. */
  get cohortSize(): number {
    return this.cohort.length;
  }

  /** Whether `speaker` is enrolled. */
  has(speaker: string): boolean {
    return this.models.has(speaker);
  }

  /** The enrolled model of `speaker` (a copy): the mean of its L2-normalised enrollment embeddings. */
  model(speaker: string): Float64Array {
    return Float64Array.from(this.entry('model', speaker).model);
  }

  /**
   * Sets the cohort of the score normalisation: embeddings of speakers that are none of the
   * enrolled or tested ones (at least 2; stored L2-normalised).
   */
  setCohort(embeddings: EmbeddingRows): this {
    this.cohort = embeddingRows('SpeakerEnrollment.setCohort', 'embeddings', embeddings, this.dim, 2).map(l2Normalize);
    for (const m of this.models.values()) m.stats = null;
    return this;
  }

  /** Enrolls (or re-enrolls) `speaker` from its embeddings [k, dim]: model = mean of the L2-normalised rows. */
  enroll(speaker: string, embeddings: EmbeddingRows): this {
    if (typeof speaker !== 'string' || speaker === '') throw new TypeError(`SpeakerEnrollment.enroll: speaker must be a non-empty string, got ${String(speaker)}`);
    const rows = embeddingRows('SpeakerEnrollment.enroll', 'embeddings', embeddings, this.dim, 1).map(l2Normalize);
    const model = new Float64Array(this.dim);
    for (const r of rows) for (let c = 0; c < this.dim; c++) model[c]! += r[c]! / rows.length;
    this.models.set(speaker, { model, count: rows.length, stats: null });
    return this;
  }

  /** Forgets `speaker`; returns whether it was enrolled. */
  remove(speaker: string): boolean {
    return this.models.delete(speaker);
  }

  /** The cosine score of `embedding` against the model of `speaker`, normalised as configured. */
  score(speaker: string, embedding: ArrayLike<number>): number {
    const entry = this.entry('score', speaker);
    const e = embeddingRows('SpeakerEnrollment.score', 'embedding', [embedding], this.dim)[0]!;
    const raw = cosineScore(entry.model, e);
    if (this.normalization === 'none') return raw;
    if (this.cohort.length < 2) throw new RangeError(`SpeakerEnrollment.score: ${this.normalization} needs a cohort of at least 2 embeddings (setCohort), got ${this.cohort.length}`);
    const enrollSide = this.normalization === 't-norm' ? null : (entry.stats ??= cohortStatistics(entry.model, this.cohort, this.topK));
    const testSide = this.normalization === 'z-norm' ? null : cohortStatistics(e, this.cohort, this.topK);
    return normalizeScore(raw, this.normalization, enrollSide, testSide);
  }

  /**
   * Sets the threshold from scores of trials of known truth (computed with {@link score}, so
   * normalised as verification will be): at the equal error rate, or at a chosen false acceptance
   * rate `{ far }`. Returns the calibration (threshold and its error rates on those trials).
   */
  calibrate(targetScores: ArrayLike<number>, nonTargetScores: ArrayLike<number>, at: OperatingPoint = 'eer'): Calibration {
    const calibration = calibrateThreshold(targetScores, nonTargetScores, at);
    this.threshold = calibration.threshold;
    return calibration;
  }

  /** Scores `embedding` against `speaker` and accepts it when the score reaches the threshold. */
  verify(speaker: string, embedding: ArrayLike<number>): Verification {
    if (this.threshold === null) throw new Error('SpeakerEnrollment.verify: no threshold yet; pass options.threshold or call calibrate(targetScores, nonTargetScores) first');
    const score = this.score(speaker, embedding);
    return { score, accepted: score >= this.threshold, threshold: this.threshold };
  }

  /** The JSON form ({@link SpeakerEnrollmentJson}). */
  toJSON(): SpeakerEnrollmentJson {
    const speakers: SpeakerEnrollmentJson['speakers'] = {};
    for (const [id, m] of this.models) speakers[id] = { model: Array.from(m.model), count: m.count };
    return { format: FORMAT, version: 1, dim: this.dim, normalization: this.normalization, topK: this.topK, threshold: this.threshold, speakers, cohort: this.cohort.map((c) => Array.from(c)), metadata: { ...this.metadata } };
  }

  /** Rebuilds an enrollment from {@link SpeakerEnrollment.toJSON}, validating every field. */
  static fromJSON(json: unknown, source = 'fromJSON'): SpeakerEnrollment {
    const fail = (what: string): never => {
      throw new Error(`SpeakerEnrollment.${source}: ${what}`);
    };
    if (json === null || typeof json !== 'object') return fail(`expected an object, got ${json === null ? 'null' : typeof json}`);
    const j = json as Partial<SpeakerEnrollmentJson>;
    if (j.format !== FORMAT) fail(`format must be '${FORMAT}', got ${JSON.stringify(j.format)}`);
    if (j.version !== 1) fail(`version must be 1, got ${JSON.stringify(j.version)}`);
    if (j.speakers === null || typeof j.speakers !== 'object' || Array.isArray(j.speakers)) fail('speakers must be an object of speaker id → { model, count }');
    if (!Array.isArray(j.cohort)) fail('cohort must be an array of vectors');
    let book: SpeakerEnrollment;
    try {
      book = new SpeakerEnrollment({ dim: j.dim as number, normalization: j.normalization as ScoreNormalization, topK: j.topK as number, threshold: j.threshold ?? undefined, metadata: j.metadata ?? {} });
      if (j.cohort!.length > 0) book.setCohort(j.cohort as number[][]);
      for (const [id, entry] of Object.entries(j.speakers!)) {
        const model = embeddingRows('SpeakerEnrollment', `speakers.${id}.model`, [entry?.model as number[]], book.dim)[0]!;
        if (!Number.isInteger(entry.count) || entry.count < 1) throw new RangeError(`speakers.${id}.count must be a positive integer, got ${String(entry.count)}`);
        book.models.set(id, { model, count: entry.count, stats: null });
      }
    } catch (e) {
      return fail((e as Error).message);
    }
    return book;
  }

  private entry(method: string, speaker: string): { model: Float64Array; count: number; stats: CohortStatistics | null } {
    const m = this.models.get(speaker);
    if (!m) throw new RangeError(`SpeakerEnrollment.${method}: speaker '${speaker}' is not enrolled (enrolled: ${this.speakers.join(', ') || 'none'})`);
    return m;
  }
}
