import test from 'ava';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, loadModule } from '@eole/core';
import { Seq2Seq } from '@eole/rnn-memory';
import { BOS, EOS, main, reverseBatch, scoreReversal } from '../seq2seq/main.js';

test('reverseBatch pads sources, shifts the reversed target right after BOS and masks the padding', (t) => {
  const b = reverseBatch([[1, 2, 3], [4, 5]]);
  t.deepEqual([...b.source.data], [1, 2, 3, 4, 5, 0]);
  t.deepEqual(b.lengths, [3, 2]);
  t.deepEqual([...b.decoderInput.data], [BOS, 3, 2, 1, BOS, 5, 4, EOS]);
  t.deepEqual([...b.targets.data], [3, 2, 1, EOS, 5, 4, EOS, EOS]);
  t.deepEqual([...b.mask.data], [1, 1, 1, 1, 1, 1, 1, 0]);
});

// A CI-sized run: hidden 64, strings of length 3 to 5, 300 steps of 32 strings. Measured here:
// 98.7% exact match (99.5% per token) on 300 held-out strings after about 35 s of training; the
// test asks for 90%.
const THRESHOLD = 0.9;
test.serial('seq2seq: a short run reverses most held-out strings of length 3–5 exactly', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'eole-seq2seq-'));
  const lines: string[] = [];
  const r = await main(['--seed', '1', '--epochs', '3', '--batches', '100', '--hidden', '64', '--min-length', '3', '--max-length', '5', '--test-size', '300', '--out', out], (l) => lines.push(l));
  t.true(r.exact >= THRESHOLD, `held-out exact match ${r.exact}`);
  t.true(r.token > r.exact - 1e-9);
  t.is(r.history.length, 3);
  t.true(existsSync(r.checkpoint));
  t.regex(lines.at(-1)!, /^held-out exact match \d+\.\d%, per-token accuracy \d+\.\d%; training \d+s; wrote /);
  const net = new Seq2Seq(10, 12, { embedSize: 16, hiddenSize: 64, bos: BOS, eos: EOS, rng: new Generator(9) });
  loadModule(r.checkpoint, net);
  t.true(scoreReversal(net, [[1, 2, 3, 4]]).token >= 0);
});
