/**
 * Enrollment and verification with a trained embedding net: `--enroll DIR` enrolls every speaker of
 * a folder (@eole/metric's `SpeakerEnrollment`: the mean of a speaker's L2-normalised utterance
 * embeddings, cosine scoring, score normalisation against a cohort of the training folder's
 * held-out utterances, a threshold at the EER of leave-one-out trials) and writes it to
 * `enrollment.json`; `--verify FILE` scores one recording against every enrolled speaker.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Generator, type Module } from '@eole/core';
import { readDigitFolder, N_COEFFS, type DigitUtterance } from '@eole/speech';
import { equalErrorRate, saveEnrollment, SpeakerEnrollment, type ScoreNormalization } from '@eole/metric';
import { loadSavedModel, readSavedModel, requireSettings } from '../lib/savedModel.js';
import { featurise, type FeatureNorm } from './data.js';
import { speakerEmbeddingNet } from './model.js';
import { embedUtterances, type UtteranceEmbedding } from './verify.js';

const NAME = 'speaker-verify';

/** The enrollment file a run folder holds. */
export const ENROLLMENT_FILE = 'enrollment.json';

/** A trained net with how it embeds an utterance, rebuilt from a saved model's metadata. */
export interface Verifier {
  net: Module;
  embedding: UtteranceEmbedding;
  jitter: number;
  metadata: Readonly<Record<string, string>>;
  checkpoint: string;
}

/** The window normalisation recorded in a checkpoint's metadata. */
export function normFromMetadata(meta: Readonly<Record<string, string>>, checkpoint: string): FeatureNorm {
  if ((meta['norm'] ?? 'window') === 'window') return { kind: 'window' };
  const values = (key: string): Float32Array => {
    const v = JSON.parse(meta[key] ?? 'null') as unknown;
    if (!Array.isArray(v) || v.length !== N_COEFFS || !v.every((x) => typeof x === 'number')) throw new Error(`${NAME}: '${checkpoint}' has norm 'global' but no ${N_COEFFS} numbers in '${key}'`);
    return Float32Array.from(v as number[]);
  };
  return { kind: 'global', mean: values('norm-mean'), std: values('norm-std') };
}

/** Rebuilds the embedding net of a speaker-verify checkpoint and loads its weights. */
export function loadVerifier(checkpoint: string): Verifier {
  const saved = readSavedModel(checkpoint, NAME);
  requireSettings(saved, NAME, []);
  const meta = saved.metadata;
  const num = (key: string): number => {
    const v = Number(meta[key]);
    if (!Number.isFinite(v)) throw new Error(`${NAME}: '${checkpoint}' lacks a numeric '${key}' in its metadata`);
    return v;
  };
  const net = speakerEmbeddingNet({ rng: new Generator(0), dim: num('dim'), channels: [num('conv1'), num('conv2')], hidden: num('hidden'), pool: meta['pool'] === 'stats' ? 'stats' : 'mean' });
  loadSavedModel(saved, net);
  const embedding: UtteranceEmbedding = { windows: num('windows'), spread: num('spread'), normalize: meta['normalize'] === 'true', norm: normFromMetadata(meta, checkpoint) };
  return { net, embedding, jitter: num('jitter'), metadata: meta, checkpoint };
}

/** Embedding rows [n][dim] of `utterances`. */
function embedRows(v: Verifier, utterances: readonly DigitUtterance[]): number[][] {
  const e = embedUtterances(v.net, featurise(utterances, v.jitter), v.embedding);
  const dim = e.shape[1]!;
  return Array.from({ length: utterances.length }, (_, i) => Array.from(e.data.subarray(i * dim, (i + 1) * dim)));
}

/** What {@link enrollFolder} did. */
export interface EnrollResult {
  enrollment: SpeakerEnrollment;
  path: string;
  /** Utterances enrolled per speaker. */
  counts: Record<string, number>;
  /** Calibration: the EER of its trials (the threshold sits there) and their numbers. */
  eer: number;
  targets: number;
  impostors: number;
}

/**
 * Enrolls every speaker of `dir` (files `{digit}_{speaker}_{index}.wav`, at least 2 of each
 * speaker) and writes `out/enrollment.json`. The cohort is the held-out utterances (indices 0–4)
 * of the training folder `cohortDir` whose speakers are not being enrolled: even positions
 * normalise the scores, odd positions are impostor trials. Calibration trials: each enrolled
 * utterance against its speaker enrolled from the others (targets), each speaker's full model
 * against the impostor half of the cohort and the other enrolled speakers' utterances
 * (non-targets); the threshold is their equal-error point.
 */
export function enrollFolder(v: Verifier, dir: string, cohortDir: string, out: string, normalization: ScoreNormalization, log: (line: string) => void): EnrollResult {
  const utterances = readDigitFolder(dir);
  const bySpeaker = new Map<string, DigitUtterance[]>();
  for (const u of utterances) bySpeaker.set(u.speaker, [...(bySpeaker.get(u.speaker) ?? []), u]);
  if (bySpeaker.size === 0) throw new Error(`${NAME}: --enroll '${dir}' holds no {digit}_{speaker}_{index}.wav files`);
  const few = [...bySpeaker].filter(([, us]) => us.length < 2).map(([s]) => s);
  if (few.length > 0) throw new Error(`${NAME}: --enroll needs at least 2 utterances of each speaker to calibrate; '${dir}' has 1 of ${few.join(', ')}`);
  const others = readDigitFolder(cohortDir).filter((u) => u.index < 5 && !bySpeaker.has(u.speaker));
  if (others.length < 4) throw new Error(`${NAME}: the cohort (held-out utterances, indices 0–4, of speakers not being enrolled, in '${cohortDir}') has ${others.length} utterances; it needs at least 4`);
  const rows = embedRows(v, utterances);
  const cohortRows = embedRows(v, others);
  const dim = rows[0]!.length;
  const book = new SpeakerEnrollment({ dim, normalization, metadata: { model: v.checkpoint, cohort: cohortDir } });
  book.setCohort(cohortRows.filter((_, i) => i % 2 === 0));
  const impostors = cohortRows.filter((_, i) => i % 2 === 1);
  const targetScores: number[] = [];
  const nonTargetScores: number[] = [];
  const indexOf = new Map(utterances.map((u, i) => [u, i]));
  for (const [speaker, us] of bySpeaker) {
    const own = us.map((u) => rows[indexOf.get(u)!]!);
    const rest = '\u0000leave-one-out'; // no file name makes this speaker
    own.forEach((e, i) => {
      book.enroll(rest, own.filter((_, j) => j !== i));
      targetScores.push(book.score(rest, e));
    });
    book.remove(rest);
    book.enroll(speaker, own);
  }
  for (const speaker of bySpeaker.keys()) {
    for (const e of impostors) nonTargetScores.push(book.score(speaker, e));
    utterances.forEach((u, i) => {
      if (u.speaker !== speaker) nonTargetScores.push(book.score(speaker, rows[i]!));
    });
  }
  const calibration = book.calibrate(targetScores, nonTargetScores);
  const { eer } = equalErrorRate([...targetScores, ...nonTargetScores], [...targetScores.map(() => 1), ...nonTargetScores.map(() => 0)]);
  const path = join(out, ENROLLMENT_FILE);
  saveEnrollment(book, path);
  const counts = Object.fromEntries([...bySpeaker].map(([s, us]) => [s, us.length]));
  log(`${NAME}: enrolled ${Object.entries(counts).map(([s, n]) => `${s} (${n} utterances)`).join(', ')} with ${v.checkpoint}; cohort ${others.length} held-out utterances of ${[...new Set(others.map((u) => u.speaker))].join(', ')}`);
  log(`calibration (${normalization}): ${targetScores.length} target, ${nonTargetScores.length} non-target trials, EER ${pct(eer)}; threshold ${calibration.threshold.toFixed(4)} (FAR ${pct(calibration.far)}, FRR ${pct(calibration.frr)})`);
  log(`wrote ${path}`);
  return { enrollment: book, path, counts, eer, targets: targetScores.length, impostors: nonTargetScores.length };
}

/** One speaker's verdict on a recording. */
export interface SpeakerVerdict {
  speaker: string;
  score: number;
  accepted: boolean;
}

/**
 * Scores the recording `file` (any WAV) against every speaker of `enrollment`, best first; logs a
 * line per speaker and, last, the verdict.
 */
export function verifyFile(v: Verifier, enrollment: SpeakerEnrollment, file: string, log: (line: string) => void): SpeakerVerdict[] {
  if (!existsSync(file)) throw new Error(`${NAME}: --verify '${file}' does not exist`);
  if (enrollment.speakers.length === 0) throw new Error(`${NAME}: the enrollment holds no speaker; run --enroll DIR first`);
  const utterance: DigitUtterance = { path: file, file: basename(file), digit: -1, speaker: '?', index: -1 };
  const e = embedRows(v, [utterance])[0]!;
  const verdicts = enrollment.speakers.map((speaker) => {
    const r = enrollment.verify(speaker, e);
    return { speaker, score: r.score, accepted: r.accepted };
  });
  verdicts.sort((a, b) => b.score - a.score);
  for (const d of verdicts) log(`  ${d.speaker}: score ${d.score.toFixed(4)} ${d.accepted ? 'accepted' : 'rejected'}`);
  const best = verdicts[0]!;
  const t = enrollment.threshold!.toFixed(4);
  log(best.accepted ? `verify: ${basename(file)} is ${best.speaker} (score ${best.score.toFixed(4)} >= threshold ${t})` : `verify: ${basename(file)} matches no enrolled speaker (best ${best.speaker}, score ${best.score.toFixed(4)} < threshold ${t})`);
  return verdicts;
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
