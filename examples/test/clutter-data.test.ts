import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDetectionFolder } from '@eole/conv';
import { clutterDigits, clutterTest, clutterTrain, clutterValidation } from '../lib/clutter.js';
import { main } from '../clutter-data/main.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'eole-clutter-'));

test('clutter-data: writes a folder that reads back as the generated split, byte for byte', async (t) => {
  for (const [split, make] of [['test', () => clutterTest(6)], ['validation', () => clutterValidation(6, 3)], ['train', () => clutterTrain(6, 3)]] as const) {
    const out = tmp();
    const lines: string[] = [];
    const seed = split === 'test' ? [] : ['--seed', '3'];
    const summary = await main(['--split', split, '--count', '6', ...seed, '--out', out], (l) => lines.push(l));
    const expected = make();
    const { samples } = readDetectionFolder(out);
    t.is(samples.length, 6);
    t.is(summary.digits, expected.reduce((n, s) => n + s.boxes.length, 0));
    samples.forEach((s, i) => {
      t.deepEqual(s.image, expected[i]!.image, `${split} image ${i}`);
      t.deepEqual(s.mask, expected[i]!.mask, `${split} mask ${i}`);
      t.deepEqual(s.boxes, expected[i]!.boxes, `${split} boxes ${i}`);
    });
    t.regex(lines[0]!, new RegExp(`6 images \\(${split} digits\\)`));
  }
});

test('clutter-data: the three splits draw from disjoint digits', (t) => {
  const { train, validation, test: held } = clutterDigits();
  t.deepEqual([train.count, validation.count, held.count], [8000, 1000, 1000]);
  const key = (set: typeof train, r: number): string => Buffer.from(set.images.buffer, set.images.byteOffset + r * 784 * 4, 784 * 4).toString('base64');
  const seen = new Set(Array.from({ length: train.count }, (_, r) => key(train, r)));
  const overlap = (set: typeof train): number => Array.from({ length: set.count }, (_, r) => key(set, r)).filter((k) => seen.has(k)).length;
  // the npm package holds a few exact duplicate digits; the splits are disjoint as rows of the permutation
  t.true(overlap(validation) <= 3 && overlap(held) <= 3, `validation ${overlap(validation)}, test ${overlap(held)} digits identical to training ones`);
});

test('clutter-data: a bad split is refused with the choices named', async (t) => {
  await t.throwsAsync(main(['--split', 'dev', '--out', tmp()], () => {}), { message: /--split.*dev/ });
});
