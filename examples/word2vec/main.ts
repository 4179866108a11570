/**
 * word2vec (Mikolov et al. 2013): skip-gram with negative sampling on tiny-shakespeare, then the
 * nearest neighbours (cosine) of a few words. The corpus is lower-cased words; words seen fewer than
 * `--min-count` times are dropped, frequent words are subsampled (t = `--subsample`), each center
 * word sees a window drawn in 1…`--window`, and every (center, context) pair brings `--negatives`
 * noise words from the unigram distribution to the 3/4. Training is SGD on the summed loss of
 * batches of pairs with the learning rate decaying linearly to zero, as word2vec does.
 *
 * Run: `npm run -w examples word2vec -- --epochs 5 --dim 100 --window 5`
 * (corpus from `--data FILE`, default `$EOLE_DATA/tinyshakespeare/input.txt`). Measured: 72 s on
 * this 2-core machine (730,000 pairs an epoch); king: ii, iii, richard, vi…; queen: elizabeth,
 * margaret, grey…; lord: buckingham, hastings, catesby, mayor, liege, grace, gracious…
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Generator, saveModule, SGD } from '@eole/core';
import { SkipGramSampler, Word2Vec } from '@eole/rnn-memory';
import { numberFlag, parseCli, runCli, stringFlag } from '../lib/cli.js';
import { EpochReporter } from '../lib/live.js';
import { startRun } from '../lib/run.js';

const CLI = {
  name: 'word2vec',
  summary: 'skip-gram with negative sampling (word2vec) on tiny-shakespeare, with nearest neighbours',
  seed: 1,
  epochs: 5,
  epochsHelp: 'passes over the corpus',
  uses: ['data'],
  flags: {
    dim: numberFlag(100, 'vector size d', { integer: true, min: 1 }),
    window: numberFlag(5, 'largest distance between a center and a context word', { integer: true, min: 1 }),
    negatives: numberFlag(5, 'noise words per pair', { integer: true, min: 1 }),
    'min-count': numberFlag(5, 'drop words seen fewer times', { integer: true, min: 1 }),
    subsample: numberFlag(1e-3, 'subsampling threshold t of frequent words (0: keep all)', { min: 0 }),
    batch: numberFlag(256, 'pairs per step', { integer: true, min: 1 }),
    lr: numberFlag(0.025, 'initial learning rate (on the summed loss, decaying linearly to 0)', { min: 0 }),
    words: stringFlag('king,queen,love,death,lord,good,france,night', 'words whose neighbours are printed', { metavar: 'W1,W2' }),
    neighbours: numberFlag(8, 'neighbours printed per word', { integer: true, min: 1 }),
  },
} as const;

/** What {@link main} returns. */
export interface Word2VecSummary {
  /** Mean loss per pair of each epoch. */
  losses: number[];
  /** For each printed word, its neighbours (words) and their cosine similarities. */
  neighbours: Record<string, { word: string; similarity: number }[]>;
  vocabulary: number;
  pairs: number;
  seconds: number;
  checkpoint: string;
}

/** Lower-cased words (letters, inner apostrophes) of a text. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z]+(?:'[a-z]+)*/g) ?? [];
}

export async function main(argv: string[], log: (line: string) => void = console.log): Promise<Word2VecSummary> {
  const flags = parseCli(argv, CLI);
  const run = startRun(flags, { data: ['tinyshakespeare', 'input.txt'] });
  const started = performance.now();
  const file = run.data;
  const tokens = words(readFileSync(file, 'utf8'));
  const sampler = new SkipGramSampler(tokens, { window: flags.window, negatives: flags.negatives, subsample: flags.subsample, minCount: flags['min-count'] });
  const rng = new Generator(flags.seed);
  const net = new Word2Vec(sampler.vocab.size, flags.dim, { rng: new Generator(flags.seed + 1) });
  const optimizer = new SGD(net.parameters(), { lr: flags.lr });
  log(`word2vec: ${file}: ${tokens.length} words, ${sampler.vocab.size - 1} kept (seen ≥ ${flags['min-count']} times); ${net.toString()}, window ${flags.window}, ${flags.negatives} negatives, backend ${flags.backend}`);

  const estimated = sampler.pairs(new Generator(flags.seed)).length / 2;
  const totalSteps = Math.max(1, Math.ceil(estimated / flags.batch) * flags.epochs);
  let step = 0;
  let pairs = 0;
  const losses: number[] = [];
  // --live: core's events of this loop for the dashboard (losses per pair, as printed)
  const live = new EpochReporter({ epochs: flags.epochs, lr: flags.lr });
  live.start(net.parameters().reduce((s, p) => s + p.size, 0));
  for (let epoch = 1; epoch <= flags.epochs; epoch++) {
    const t0 = performance.now();
    let total = 0;
    let count = 0;
    for (const ids of sampler.batches(flags.batch, rng)) {
      optimizer.lr = flags.lr * Math.max(1e-4, 1 - step / totalSteps);
      optimizer.zeroGrad();
      const loss = Word2Vec.loss(net.forward(ids), false);
      loss.backward();
      optimizer.step();
      const value = loss.item();
      total += value;
      count += ids.shape[0]!;
      step++;
      live.step(value / ids.shape[0]!, ids.shape[0]!, { lr: optimizer.lr });
      if (live.active) await live.turn();
    }
    pairs += count;
    live.endEpoch({ loss: total / count, lr: optimizer.lr });
    losses.push(total / count);
    log(`epoch ${epoch}/${flags.epochs}: loss ${(total / count).toFixed(4)} per pair over ${count} pairs, ${((performance.now() - t0) / 1000).toFixed(1)}s`);
  }

  live.done();
  const neighbours: Word2VecSummary['neighbours'] = {};
  for (const w of flags.words.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '')) {
    if (!sampler.vocab.has(w)) {
      log(`${w}: not in the vocabulary`);
      continue;
    }
    const near = net.nearest(sampler.vocab.id(w), flags.neighbours).map((n) => ({ word: sampler.vocab.word(n.id), similarity: n.similarity }));
    neighbours[w] = near;
    log(`${w}: ${near.map((n) => `${n.word} ${n.similarity.toFixed(2)}`).join(', ')}`);
  }
  const checkpoint = run.file('word2vec.safetensors');
  saveModule(checkpoint, net, { example: 'word2vec', words: JSON.stringify(sampler.vocab.words), dim: String(flags.dim) });
  const seconds = (performance.now() - started) / 1000;
  log(`wrote ${checkpoint}; ${seconds.toFixed(1)}s in all`);
  return { losses, neighbours, vocabulary: sampler.vocab.size - 1, pairs, seconds, checkpoint };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(main);
