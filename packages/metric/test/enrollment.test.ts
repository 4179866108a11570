import test from 'ava';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, Tensor } from '@eole/core';
import { tempDir } from '@eole/core/testing';
import { calibrateThreshold, cohortStatistics, cosineScore, equalErrorRate, l2Normalize, loadEnrollment, normalizeScore, saveEnrollment, SpeakerEnrollment } from '@eole/metric';

const near = (a: number, b: number, tol = 1e-12): boolean => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
const a = Math.SQRT1_2;

test('cosineScore and l2Normalize on known vectors', (t) => {
  t.true(near(cosineScore([1, 0], [1, 1]), a));
  t.true(near(cosineScore([3, 4], [4, 3]), 24 / 25));
  t.true(near(cosineScore([1, 2, 3], [-2, -4, -6]), -1));
  t.is(cosineScore([0, 0], [1, 2]), 0);
  t.deepEqual(Array.from(l2Normalize([3, 4])), [0.6, 0.8]);
  t.throws(() => cosineScore([1, 2], [1, 2, 3]), { instanceOf: RangeError, message: /same dimension, got 2 and 3/ });
});

test('enroll: the model is the mean of the L2-normalised embeddings; scores are cosines', (t) => {
  const book = new SpeakerEnrollment({ dim: 2 }).enroll('ana', [[2, 0], [0, 3]]);
  t.deepEqual(Array.from(book.model('ana')), [0.5, 0.5]);
  t.true(near(book.score('ana', [5, 5]), 1));
  t.true(near(book.score('ana', [1, 0]), a));
  t.true(near(book.score('ana', [-1, -1]), -1));
  // a Tensor [k, D] enrolls the same model
  book.enroll('bob', Tensor.from([2, 0, 0, 3], [2, 2]));
  t.deepEqual(Array.from(book.model('bob')), [0.5, 0.5]);
  t.deepEqual(book.speakers, ['ana', 'bob']);
  t.true(book.remove('bob'));
  t.false(book.has('bob'));
});

test('cohortStatistics and normalizeScore: hand-computed z-, t- and s-norm on a three-embedding cohort', (t) => {
  // model m = (a, a), cohort {(1, 0), (0, 1), (−1, 0)}: scores a, a, −a → mean a/3, std (2√2/3)·a = 2/3
  const cohort = [[1, 0], [0, 1], [-1, 0]];
  const enroll = cohortStatistics([a, a], cohort);
  t.true(near(enroll.mean, a / 3) && near(enroll.std, 2 / 3), JSON.stringify(enroll));
  // test e = (0, 1): scores 0, 1, 0 → mean 1/3, std √2/3; raw score cos(m, e) = a
  const testSide = cohortStatistics([0, 1], cohort);
  t.true(near(testSide.mean, 1 / 3) && near(testSide.std, Math.SQRT2 / 3), JSON.stringify(testSide));
  // z = (a − a/3)/(2/3) = a;  t = (a − 1/3)/(√2/3) = 3/2 − a;  s = ½(a + 3/2 − a) = 3/4
  t.true(near(normalizeScore(a, 'z-norm', enroll, testSide), a));
  t.true(near(normalizeScore(a, 't-norm', enroll, testSide), 1.5 - a));
  t.true(near(normalizeScore(a, 's-norm', enroll, testSide), 0.75));
  t.is(normalizeScore(a, 'none', null, null), a);
  // the same numbers through SpeakerEnrollment
  for (const [kind, want] of [['z-norm', a], ['t-norm', 1.5 - a], ['s-norm', 0.75]] as const) {
    const book = new SpeakerEnrollment({ dim: 2, normalization: kind }).setCohort(cohort).enroll('ana', [[3, 3]]);
    t.true(near(book.score('ana', [0, 2]), want), `${kind}: ${book.score('ana', [0, 2])}`);
  }
  // adaptive: the top-2 cohort scores of m are a, a (std floored), of e are 1, 0
  const top = cohortStatistics([0, 1], cohort, 2);
  t.true(near(top.mean, 0.5) && near(top.std, 0.5));
  t.is(cohortStatistics([a, a], cohort, 2).std, 1e-6);
});

test('calibrateThreshold: at the EER and at a chosen false acceptance rate (hand-computed)', (t) => {
  const targets = [0.9, 0.8, 0.4];
  const nonTargets = [0.7, 0.3, 0.2, 0.1];
  const eer = calibrateThreshold(targets, nonTargets);
  t.true(near(eer.threshold, 0.625), `${eer.threshold}`);
  t.true(near(eer.far, 0.25) && near(eer.frr, 1 / 3));
  t.true(near(eer.threshold, equalErrorRate([...targets, ...nonTargets], [1, 1, 1, 0, 0, 0, 0]).threshold));
  const strict = calibrateThreshold(targets, nonTargets, { far: 0 });
  t.deepEqual([strict.threshold, strict.far, strict.frr], [0.8, 0, 1 / 3]);
  const lenient = calibrateThreshold(targets, nonTargets, { far: 0.25 });
  t.deepEqual([lenient.threshold, lenient.far, lenient.frr], [0.4, 0.25, 0]);
  // the top score is a non-target: FAR 0 needs a threshold just above it
  const above = calibrateThreshold([0.5], [0.9, 0.1], { far: 0 });
  t.true(above.threshold > 0.9 && above.threshold < 0.9 + 1e-6 && above.far === 0 && above.frr === 1);
  t.throws(() => calibrateThreshold([], [0.1]), { instanceOf: RangeError, message: /targetScores must hold at least one score, got 0/ });
  t.throws(() => calibrateThreshold([1], [0], { far: 1.5 }), { instanceOf: RangeError, message: /far in \[0, 1\], got \{"far":1.5\}/ });
});

/** Speakers as random centres in R^16, utterances as noisy copies plus a random amount of one shared "channel" direction. */
const CHANNEL = Array.from({ length: 16 }, (_, i) => new Generator(99 + i).normal());
function synthetic(seed: number, speakers: number, perSpeaker: number): { id: number; index: number; e: number[] }[] {
  const rng = new Generator(seed);
  const centres = Array.from({ length: speakers }, () => Array.from({ length: 16 }, () => rng.normal()));
  return centres.flatMap((c, id) =>
    Array.from({ length: perSpeaker }, (_, index) => {
      const k = rng.uniform(0, 1.5);
      return { id, index, e: c.map((v, i) => v + 0.5 * rng.normal() + k * CHANNEL[i]!) };
    }),
  );
}

test('verify: a threshold calibrated on some speakers accepts targets and rejects impostors of unseen ones', (t) => {
  const dev = synthetic(1, 6, 8);
  const unseen = synthetic(2, 4, 8);
  const cohort = synthetic(3, 10, 3).map((u) => u.e);
  for (const normalization of ['none', 's-norm'] as const) {
    const book = new SpeakerEnrollment({ dim: 16, normalization, topK: 20 }).setCohort(cohort);
    const enrollAll = (set: typeof dev, prefix: string, n: number): void => {
      for (let s = 0; s < n; s++) book.enroll(`${prefix}${s}`, set.filter((u) => u.id === s && u.index < 3).map((u) => u.e));
    };
    const trials = (set: typeof dev, prefix: string, n: number): { target: boolean; speaker: string; e: number[] }[] =>
      Array.from({ length: n }, (_, s) => set.filter((u) => u.id !== s || u.index >= 3).map((u) => ({ target: u.id === s, speaker: `${prefix}${s}`, e: u.e }))).flat();
    enrollAll(dev, 'dev', 6);
    const devTrials = trials(dev, 'dev', 6);
    const score = (tr: { speaker: string; e: number[] }): number => book.score(tr.speaker, tr.e);
    const calibration = book.calibrate(devTrials.filter((x) => x.target).map(score), devTrials.filter((x) => !x.target).map(score));
    t.is(book.threshold, calibration.threshold);
    enrollAll(unseen, 'new', 4);
    let errors = 0;
    const testTrials = trials(unseen, 'new', 4);
    for (const tr of testTrials) {
      const r = book.verify(tr.speaker, tr.e);
      t.is(r.accepted, r.score >= r.threshold);
      errors += Number(r.accepted !== tr.target);
    }
    t.true(errors / testTrials.length < 0.1, `${normalization}: ${errors} errors in ${testTrials.length} trials`);
  }
});

test('save/load: a JSON round trip written atomically gives the same scores and decisions', (t) => {
  const dir = tempDir('enrollment');
  const path = join(dir, 'speakers.json');
  const book = new SpeakerEnrollment({ dim: 3, normalization: 's-norm', topK: 3, metadata: { model: 'net.safetensors' } }).setCohort([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]]).enroll('ana', [[1, 2, 0.5], [1.5, 2, 0]]).enroll('bob', [[0, -1, 2]]);
  book.threshold = 0.3;
  writeFileSync(path, 'old content');
  saveEnrollment(book, path);
  t.deepEqual(readdirSync(dir), ['speakers.json'], 'no temporary file left');
  const back = loadEnrollment(path);
  t.deepEqual(back.toJSON(), book.toJSON());
  t.deepEqual(back.metadata, { model: 'net.safetensors' });
  for (const e of [[1, 2, 0], [0, 0, 1], [-1, 0.5, 2]]) for (const s of ['ana', 'bob']) t.deepEqual(back.verify(s, e), book.verify(s, e));
  t.true(existsSync(path));
});

test('clear errors: dimension mismatch, empty enrollment, unknown speaker, no threshold, no cohort, bad files', (t) => {
  const book = new SpeakerEnrollment({ dim: 3 });
  t.throws(() => book.enroll('ana', []), { instanceOf: RangeError, message: /enroll: embeddings needs at least 1 embedding, got 0/ });
  t.throws(() => book.enroll('ana', [[1, 2, 3], [1, 2]]), { instanceOf: RangeError, message: /embeddings\[1\] has dimension 2, expected 3/ });
  t.throws(() => book.enroll('ana', Tensor.zeros([2, 4])), { message: /embeddings\[0\] has dimension 4, expected 3/ });
  t.throws(() => book.enroll('ana', [[1, NaN, 3]]), { message: /embeddings\[0\]\[1\] must be finite, got NaN/ });
  t.throws(() => book.enroll('', [[1, 2, 3]]), { instanceOf: TypeError, message: /speaker must be a non-empty string/ });
  book.enroll('ana', [[1, 2, 3]]);
  t.throws(() => book.score('ana', [1, 2]), { message: /embedding\[0\] has dimension 2, expected 3/ });
  t.throws(() => book.score('bob', [1, 2, 3]), { instanceOf: RangeError, message: /speaker 'bob' is not enrolled \(enrolled: ana\)/ });
  t.throws(() => book.verify('ana', [1, 2, 3]), { message: /no threshold yet/ });
  t.throws(() => new SpeakerEnrollment({ dim: 3, normalization: 's-norm' }).enroll('ana', [[1, 2, 3]]).score('ana', [1, 2, 3]), { message: /s-norm needs a cohort of at least 2 embeddings \(setCohort\), got 0/ });
  t.throws(() => book.setCohort([[1, 2, 3]]), { message: /setCohort: embeddings needs at least 2 embeddings, got 1/ });
  t.throws(() => new SpeakerEnrollment({ dim: 0 }), { message: /dim must be a positive integer, got 0/ });
  t.throws(() => new SpeakerEnrollment({ dim: 2, normalization: 'q-norm' as 'none' }), { message: /normalization must be one of none, z-norm, t-norm, s-norm, got q-norm/ });
  const dir = tempDir('enrollment-bad');
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"format": "eole-speaker-enrollment", "version": 1, "dim": 2, "normalization": "none", "topK": 0, "threshold": 0.5, "speakers": {"ana": {"model": [1, 2, 3], "count": 1}}, "cohort": []}');
  t.throws(() => loadEnrollment(bad), { message: /loadEnrollment\('.*bad\.json'\): .*speakers\.ana\.model\[0\] has dimension 3, expected 2/ });
  writeFileSync(bad, '{"format": "something-else"}');
  t.throws(() => loadEnrollment(bad), { message: /format must be 'eole-speaker-enrollment', got "something-else"/ });
  writeFileSync(bad, '{"format": ');
  t.throws(() => loadEnrollment(bad), { message: /could not read '.*bad\.json' as JSON/ });
});
