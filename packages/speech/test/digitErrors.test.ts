import test from 'ava';
import { digitErrors } from '@eole/speech';

test('digitErrors: Levenshtein alignment counts and rate', (t) => {
  t.deepEqual(digitErrors([1, 2, 3], [1, 2, 3]), { substitutions: 0, deletions: 0, insertions: 0, rate: 0 });
  t.deepEqual(digitErrors([1, 2, 3], [1, 3]), { substitutions: 0, deletions: 1, insertions: 0, rate: 1 / 3 });
  t.deepEqual(digitErrors([1, 2, 3], [1, 2, 7, 3]), { substitutions: 0, deletions: 0, insertions: 1, rate: 1 / 3 });
  t.deepEqual(digitErrors([1, 2, 3, 4], [1, 5, 3, 4]), { substitutions: 1, deletions: 0, insertions: 0, rate: 1 / 4 });
  t.is(digitErrors([], []).rate, 0);
});

test('digitErrors: empty sides, a tie broken towards substitution, and the rate above 1', (t) => {
  t.deepEqual(digitErrors([], [4, 5]), { substitutions: 0, deletions: 0, insertions: 2, rate: 1 });
  t.deepEqual(digitErrors([4, 5], []), { substitutions: 0, deletions: 2, insertions: 0, rate: 1 });
  // [1, 2] against [2, 1]: two substitutions or a deletion and an insertion, both cost 2.
  t.deepEqual(digitErrors([1, 2], [2, 1]), { substitutions: 2, deletions: 0, insertions: 0, rate: 1 });
  t.deepEqual(digitErrors([7], [1, 2, 3]), { substitutions: 1, deletions: 0, insertions: 2, rate: 3 });
});

test('digitErrors: the counts add up to the edit distance of an independent oracle', (t) => {
  const levenshtein = (a: readonly number[], b: readonly number[]): number => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      row = next;
    }
    return row[b.length]!;
  };
  let seed = 12345;
  const digit = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % 10;
  for (let k = 0; k < 50; k++) {
    const ref = Array.from({ length: 1 + (k % 9) }, digit);
    const hyp = Array.from({ length: k % 7 }, digit);
    const e = digitErrors(ref, hyp);
    t.is(e.substitutions + e.deletions + e.insertions, levenshtein(ref, hyp));
    t.is(e.deletions - e.insertions, ref.length - hyp.length, 'every reference digit is matched, substituted or deleted');
    t.is(e.rate, levenshtein(ref, hyp) / ref.length);
  }
});
