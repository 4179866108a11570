import test from 'ava';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { Generator, loadModule, parseSafetensors } from '@eole/core';
import { DEFAULT_DATA, main, type CharLSTMSummary } from '../char-lstm/main.js';
import { CharLSTM, sample } from '../char-lstm/model.js';
import { CharVocabulary, splitText, StreamBatches } from '../char-lstm/text.js';

const hasData = existsSync(DEFAULT_DATA);
const dataTest = hasData ? test.serial : test.skip;
const skipped = hasData ? '' : ` (skipped: needs tinyshakespeare/input.txt under EOLE_DATA, absent at ${DEFAULT_DATA})`;
const tmp = (): string => mkdtempSync(join(tmpdir(), 'eole-char-lstm-'));
const quiet = (): void => {};

// A CI-sized version of the README's 15-minute run: a smaller LSTM for 150 steps of 16 × 32
// characters (measured: validation 2.55 nats/char on the first 5,000 validation characters after
// 150 steps, against ln 65 = 4.17 for a uniform guess).
const SMALL = ['--seed', '3', '--hidden', '64', '--embed', '16', '--batch', '16', '--seq', '32', '--val-chars', '5000', '--sample-length', '60'];

dataTest(`char-lstm: a short run falls well below ln(65) nats/char, writes its files, and --eval reads the weights back${skipped}`, async (t) => {
  const out = tmp();
  const lines: string[] = [];
  const run: CharLSTMSummary = await main([...SMALL, '--steps', '150', '--eval-every', '75', '--out', out], (l) => lines.push(l));
  t.is(run.steps, 150);
  t.deepEqual(run.history.map((h) => h.step), [75, 150]);
  t.true(run.validation < 3.0, `validation ${run.validation} nats/char`);
  t.true(run.history[1]!.validation < run.history[0]!.validation, 'validation falls');
  t.true(lines.some((l) => /^step 150 {2}epoch 1 .* validation \d\.\d{3} nats\/char$/.test(l)), 'reports validation nats/char');
  t.true(lines.some((l) => l.startsWith('--- sample')), 'prints samples');
  t.is(run.sample.length, 60);
  for (const f of ['char-lstm.safetensors', 'checkpoint.safetensors', 'progress.json', 'events.jsonl', 'curves.png']) t.true(existsSync(join(out, f)), f);
  const png = PNG.sync.read(readFileSync(join(out, 'curves.png')));
  t.true(png.width > 100 && png.height > 100);

  const evalLines: string[] = [];
  const evaluated = await main(['--eval', run.checkpoint, '--val-chars', '5000', '--sample-length', '60', '--seed', '3'], (l) => evalLines.push(l));
  t.regex(evalLines.at(-1)!, /^cross-entropy: \d\.\d{3} nats\/char$/);
  t.is(evaluated.validation, run.validation, '--eval measures the same cross-entropy on the same characters');
  t.is(evaluated.sample, run.sample, 'the same weights and seed generate the same text');
});

dataTest(`char-lstm: generation is deterministic per seed, and --resume continues bit for bit${skipped}`, async (t) => {
  const straight = tmp();
  const resumed = tmp();
  const args = [...SMALL, '--sample-length', '0', '--eval-every', '20'];
  await main([...args, '--steps', '40', '--out', straight], quiet);
  await main([...args, '--steps', '20', '--out', resumed], quiet);
  const lines: string[] = [];
  const continued = await main([...args, '--steps', '40', '--resume', '--out', resumed], (l) => lines.push(l));
  t.regex(lines[0]!, /^char-lstm: resuming from .*checkpoint\.safetensors at step 20 \(epoch 1/);
  t.deepEqual(continued.history.map((h) => h.step), [20, 40]);
  t.true(readFileSync(join(resumed, 'char-lstm.safetensors')).equals(readFileSync(join(straight, 'char-lstm.safetensors'))), 'the resumed run ends on the straight run\'s weights');

  const path = join(straight, 'char-lstm.safetensors');
  const meta = parseSafetensors(readFileSync(path)).metadata;
  const vocab = new CharVocabulary(JSON.parse(meta['vocab']!) as string[]);
  const model = new CharLSTM({ vocab: vocab.size, embed: 16, hidden: 64, layers: 1, dropout: 0 }, new Generator(0));
  loadModule(path, model);
  const a = sample(model, vocab, { length: 80, seed: 5, temperature: 0.8, prime: 'ROMEO:' });
  const b = sample(model, vocab, { length: 80, seed: 5, temperature: 0.8, prime: 'ROMEO:' });
  const c = sample(model, vocab, { length: 80, seed: 6, temperature: 0.8, prime: 'ROMEO:' });
  t.is(a, b);
  t.not(a, c);
  t.is(a.length, 80);
});

test('char-lstm text: vocabulary, 90/10 split and truncated-BPTT chunks that continue each other', (t) => {
  const text = 'abcdefghijklmnopqrstuvwxyz'.repeat(4);
  const vocab = CharVocabulary.of(text);
  t.is(vocab.size, 26);
  const ids = vocab.encode(text);
  t.is(vocab.decode(ids), text);
  t.throws(() => vocab.encode('a!'), { message: /character "!" at position 1 is not in the vocabulary of 26 characters/ });
  const { train, validation } = splitText(ids);
  t.is(train.length, 93);
  t.is(validation.length, 11);
  const batches = new StreamBatches(train, 3, 5);
  t.is(batches.streamLength, 31);
  t.is(batches.chunks, 6);
  const first = batches.chunk(0);
  const second = batches.chunk(1);
  t.deepEqual([...first.x.shape], [3, 5]);
  t.is(vocab.decode(first.x.data.subarray(0, 5)), 'abcde');
  t.is(vocab.decode(first.y.data.subarray(0, 5)), 'bcdef');
  t.is(vocab.decode(second.x.data.subarray(0, 5)), 'fghij', 'chunk 1 continues chunk 0 in every stream');
  t.is(vocab.decode(first.x.data.subarray(5, 10)), vocab.decode(train.subarray(31, 36)), 'stream 1 starts a third of the way in');
});
