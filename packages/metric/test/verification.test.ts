import test from 'ava';
import { Generator } from '@eole/core';
import { equalErrorRate, rocCurve } from '@eole/metric';

test('equalErrorRate: perfectly separated scores give 0, the threshold between the two groups', (t) => {
  const r = equalErrorRate([0.9, 0.8, 0.7, 0.2, 0.1], [1, 1, 1, 0, 0]);
  t.is(r.eer, 0);
  t.true(r.threshold > 0.2 && r.threshold <= 0.7, `threshold ${r.threshold}`);
  t.is(r.targets, 3);
  t.is(r.impostors, 2);
});

test('equalErrorRate: reversed scores give 1; equal scores give exactly 0.5', (t) => {
  t.is(equalErrorRate([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0]).eer, 1);
  t.is(equalErrorRate([3, 3, 3, 3, 3], [1, 0, 0, 1, 0]).eer, 0.5);
});

test('equalErrorRate: targets and impostors from one distribution give about 0.5', (t) => {
  const rng = new Generator(7);
  const scores = Array.from({ length: 20000 }, () => rng.normal());
  const labels = scores.map((_, i) => i % 4 === 0 ? 1 : 0);
  const { eer } = equalErrorRate(scores, labels);
  t.true(Math.abs(eer - 0.5) < 0.02, `eer ${eer}`);
});

test('equalErrorRate: two unit Gaussians 2 apart give Φ(−1) = 15.87%', (t) => {
  const rng = new Generator(3);
  const n = 40000;
  const scores = Array.from({ length: n }, (_, i) => rng.normal(i % 2 === 0 ? 1 : -1));
  const labels = scores.map((_, i) => (i % 2 === 0 ? 1 : 0));
  t.true(Math.abs(equalErrorRate(scores, labels).eer - 0.158655) < 0.01);
});

test('equalErrorRate: a hand-computed case (targets 0.9 0.8 0.4, impostors 0.7 0.3 0.2 0.1) is 25%', (t) => {
  // Thresholds from the top: (FAR, FRR) = (0, 1), (0, 2/3), (0, 1/3), (1/4, 1/3) at 0.7, (1/4, 0) at 0.4.
  // FAR − FRR changes sign between 0.7 and 0.4, where FAR stays 1/4: EER = 1/4, at s = (1/12)/(1/3) = 1/4
  // of the way from 0.7 to 0.4, i.e. threshold 0.625.
  const scores = [0.9, 0.8, 0.4, 0.7, 0.3, 0.2, 0.1];
  const labels = [1, 1, 1, 0, 0, 0, 0];
  const r = equalErrorRate(scores, labels);
  t.true(Math.abs(r.eer - 0.25) < 1e-12, `eer ${r.eer}`);
  t.true(Math.abs(r.threshold - 0.625) < 1e-12, `threshold ${r.threshold}`);
  const roc = rocCurve(scores, labels);
  t.deepEqual(roc.map((p) => [p.far, +p.frr.toFixed(4)]), [[0, 1], [0, 0.6667], [0, 0.3333], [0.25, 0.3333], [0.25, 0], [0.5, 0], [0.75, 0], [1, 0]]);
});

test('equalErrorRate: a case that interpolates both rates (a tie of a target and an impostor)', (t) => {
  // Targets 0.9 and 0.5, impostors 0.5 and 0.1: at 0.9 (FAR, FRR) = (0, 1/2), at 0.5 (1/2, 0) — the tie
  // is one diagonal step, which crosses FAR = FRR halfway: EER 1/4.
  t.is(equalErrorRate([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0]).eer, 0.25);
});

test('equalErrorRate and rocCurve refuse bad input with a clear message', (t) => {
  t.throws(() => equalErrorRate([1, 2], [1]), { message: /same length, got 2 scores and 1 labels/ });
  t.throws(() => equalErrorRate([1, 2], [1, 1]), { message: /needs both target \(label 1\) and impostor \(label 0\) trials, got 2 and 0/ });
  t.throws(() => equalErrorRate([1, 2], [1, 2]), { message: /labels must be 1 \(same\) or 0 \(different\), got 2 at index 1/ });
  t.throws(() => rocCurve([1, Number.NaN], [1, 0]), { message: /scores must be finite, got NaN at index 1/ });
});

test('rocCurve: one point per distinct score from (FAR 0, FRR 1) to (1, 0), a tie is one diagonal step', (t) => {
  t.deepEqual(rocCurve([0.9, 0.2], [1, 0]), [
    { threshold: Number.POSITIVE_INFINITY, far: 0, frr: 1 },
    { threshold: 0.9, far: 0, frr: 0 },
    { threshold: 0.2, far: 1, frr: 0 },
  ]);
  const tied = rocCurve([0.5, 0.5, 0.9], [1, 0, 1]);
  t.deepEqual(tied.map((p) => [p.threshold, p.far, p.frr]), [[Number.POSITIVE_INFINITY, 0, 1], [0.9, 0, 0.5], [0.5, 1, 0]]);
  // FAR never falls and FRR never rises as the threshold is lowered.
  const rng = new Generator(11);
  const scores = Array.from({ length: 500 }, () => Math.round(rng.normal() * 20) / 20);
  const roc = rocCurve(scores, scores.map((_, i) => (i % 3 === 0 ? 1 : 0)));
  for (let k = 1; k < roc.length; k++) t.true(roc[k]!.far >= roc[k - 1]!.far && roc[k]!.frr <= roc[k - 1]!.frr && roc[k]!.threshold < roc[k - 1]!.threshold);
  t.deepEqual([roc.at(-1)!.far, roc.at(-1)!.frr], [1, 0]);
});

test('equalErrorRate of distances: score with the negated distance', (t) => {
  const distances = [0.1, 0.2, 0.9, 1.2];
  t.is(equalErrorRate(distances.map((d) => -d), [1, 1, 0, 0]).eer, 0);
  t.is(equalErrorRate(distances, [1, 1, 0, 0]).eer, 1, 'distances taken as scores rank the trials backwards');
});
