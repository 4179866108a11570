import test from 'ava';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { anbnBatch, main } from '../stack-rnn/main.js';

test('anbnBatch marks the deterministic part: the predictions made after reading each b', (t) => {
  const { x, targets, mask, det, T } = anbnBatch([2, 1]);
  t.is(T, 5);
  // $ a a b b → targets a a b b $; the deterministic positions read b (t = 3, 4)
  const ids = (row: number): number[] => Array.from({ length: T }, (_, i) => [0, 1, 2].find((k) => x.data[(row * T + i) * 3 + k] === 1)!);
  t.deepEqual(ids(0), [0, 1, 1, 2, 2]);
  t.deepEqual([...targets.data.subarray(0, 5)], [1, 1, 2, 2, 0]);
  t.deepEqual([...det.data.subarray(0, 5)], [0, 0, 0, 1, 1]);
  t.deepEqual([...mask.data.subarray(5, 10)], [1, 1, 1, 0, 0], 'n = 1 is padded after its 3 predictions');
  t.deepEqual([...det.data.subarray(5, 10)], [0, 0, 1, 0, 0]);
});

// A CI-sized run (measured: about 15 s here): trained on n ≤ 5 for 500 steps, the best of 2 restarts of the
// stack RNN (seed 1) is right on every n ≤ 5 and the run writes its table, plot and summary.
test.serial('stack-rnn: a short run learns aⁿbⁿ for n ≤ 5 and writes its plot', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'eole-stack-rnn-'));
  const lines: string[] = [];
  const r = await main(['--seed', '1', '--epochs', '500', '--restarts', '2', '--train-max', '5', '--test-max', '8', '--out', out], (l) => lines.push(l));
  t.is(r.stack.accuracy.length, 8);
  t.is(r.stack.validationAccuracy, 1);
  t.true(r.stack.solvedUpTo >= 5, `stack RNN right up to n = ${r.stack.solvedUpTo}`);
  t.true(r.lstm.validationAccuracy > 0.5, `LSTM validation ${r.lstm.validationAccuracy}`);
  t.true(lines.some((l) => /^ {2}8 {2}(right|wrong) +(right|wrong)$/.test(l)), 'prints the n table');
  t.true(lines.some((l) => /generaliz/.test(l)), 'says which generalizes further');
  const png = PNG.sync.read(readFileSync(r.plot));
  t.true(png.width > 100 && png.height > 100);
  t.true(existsSync(join(out, 'summary.json')));
});
