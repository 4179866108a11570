import test from 'ava';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator } from '@eole/core';
import { dataTest } from '@eole/core/testing';
import { main } from '../word2vec/main.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'eole-w2v-'));

/** Sentences where the words of a pair share every context: (cat, dog), (car, bus), (apple, bread). */
function corpus(seed: number, sentences: number): string {
  const rng = new Generator(seed);
  const groups: [string[], string[]][] = [
    [['cat', 'dog'], ['My X sleeps on the mat.', 'The X chases the mouse!', 'A hungry X wants milk.']],
    [['car', 'bus'], ['I drive the X to work.', 'The X needs more fuel.', 'A red X stops at lights.']],
    [['apple', 'bread'], ["She eats an X for lunch.", 'The X tastes sweet today.', 'Buy X at the market.']],
  ];
  const out: string[] = [];
  for (let i = 0; i < sentences; i++) {
    const [pair, templates] = groups[rng.int(3)]!;
    out.push(templates[rng.int(3)]!.replace('X', pair[rng.int(2)]!));
  }
  return out.join('\n');
}

test('word2vec on a text file: words that share their contexts come out as nearest neighbours', async (t) => {
  const dir = tmp();
  const file = join(dir, 'corpus.txt');
  writeFileSync(file, corpus(3, 1500));
  const lines: string[] = [];
  const summary = await main(
    ['--data', file, '--epochs', '4', '--dim', '16', '--window', '3', '--min-count', '1', '--subsample', '0', '--batch', '64', '--lr', '0.02', '--words', 'cat,car,apple,zebra', '--out', dir],
    (l) => lines.push(l),
  );
  t.is(summary.neighbours['cat']![0]!.word, 'dog');
  t.is(summary.neighbours['car']![0]!.word, 'bus');
  t.is(summary.neighbours['apple']![0]!.word, 'bread');
  t.true(lines.includes('zebra: not in the vocabulary'));
  t.true(summary.losses.at(-1)! < summary.losses[0]!, `the loss falls: ${summary.losses.join(', ')}`);
  t.true(existsSync(summary.checkpoint));
});

// One epoch of the README's run (5 epochs): the royal names already gather around 'king'.
dataTest(test, 'word2vec on tiny-shakespeare, 1 epoch: the neighbours of king include the kings of the history plays', ['tinyshakespeare', 'input.txt'], async (t) => {
  const summary = await main(['--epochs', '1', '--words', 'king,lord', '--out', tmp()], () => {});
  const king = summary.neighbours['king']!.map((n) => n.word);
  t.log(`king: ${king.join(', ')}`);
  t.true(king.filter((w) => ['richard', 'henry', 'edward', 'ii', 'iii', 'iv', 'vi', 'bolingbroke', 'york'].includes(w)).length >= 3, king.join(', '));
});
