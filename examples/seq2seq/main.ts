/**
 * Sequence to sequence (Sutskever, Vinyals & Le 2014, no attention): an LSTM encoder-decoder
 * learns to reverse random digit strings of length 5 to 10. The encoder reads the digits in their
 * given order (not reversed: for this task the natural order already puts the first output digit,
 * the last source digit, next to the decoder; reversing the source as the paper did would turn it
 * into a copy with the longest dependencies instead). Training strings come from a seeded generator
 * and exclude every string of the held-out set. Training is teacher-forced; evaluation is greedy
 * decoding, scored by exact match and per-token accuracy (position by position, over the target
 * length + EOS).
 *
 * Run: `npm run -w examples seq2seq -- --seed 1 --epochs 10`
 * Writes `<out>/seq2seq.safetensors` and `<out>/summary.json`.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Adam, clipGradNorm, Generator, saveModule, Tensor } from '@eole/core';
import { Seq2Seq } from '@eole/rnn-memory';
import { numberFlag, parseCli, runCli } from '../lib/cli.js';
import { EpochReporter } from '../lib/live.js';
import { startRun } from '../lib/run.js';

const CLI = {
  name: 'seq2seq',
  summary: 'an LSTM encoder-decoder (Sutskever et al. 2014) reverses random digit strings of length 5 to 10',
  seed: 1,
  epochs: 10,
  flags: {
    batches: numberFlag(100, 'batches per epoch (fresh random strings each)', { integer: true, min: 1 }),
    batch: numberFlag(32, 'strings per batch', { integer: true, min: 1 }),
    hidden: numberFlag(128, 'hidden units of both LSTMs', { integer: true, min: 1 }),
    embed: numberFlag(16, 'embedding size', { integer: true, min: 1 }),
    lr: numberFlag(0.01, 'Adam learning rate', { min: 0 }),
    clip: numberFlag(5, 'gradient-norm clipping', { min: 0 }),
    'min-length': numberFlag(5, 'shortest string', { integer: true, min: 1 }),
    'max-length': numberFlag(10, 'longest string', { integer: true, min: 1 }),
    'test-size': numberFlag(1000, 'held-out strings', { integer: true, min: 1 }),
  },
} as const;

/** Target ids: digits 0–9, BOS 10, EOS 11. */
export const BOS = 10;
export const EOS = 11;

/** A random digit string of length in [min, max]. */
export function randomDigits(rng: Generator, min: number, max: number): number[] {
  const len = min + rng.int(max - min + 1);
  return Array.from({ length: len }, () => rng.int(10));
}

/** A padded batch: source ids [N, S] with lengths, decoder input [N, T], targets [N, T, 1], loss mask [N, T, 1]. */
export function reverseBatch(strings: readonly number[][]): { source: Tensor; lengths: number[]; decoderInput: Tensor; targets: Tensor; mask: Tensor } {
  const N = strings.length;
  const S = Math.max(...strings.map((s) => s.length));
  const T = S + 1;
  const source = Tensor.zeros([N, S]);
  const decoderInput = Tensor.full([N, T], EOS);
  const targets = Tensor.full([N, T, 1], EOS);
  const mask = Tensor.zeros([N, T, 1]);
  strings.forEach((s, n) => {
    const rev = [...s].reverse();
    source.data.set(s, n * S);
    decoderInput.data.set([BOS, ...rev], n * T);
    targets.data.set([...rev, EOS], n * T);
    mask.data.fill(1, n * T, n * T + s.length + 1);
  });
  return { source, lengths: strings.map((s) => s.length), decoderInput, targets, mask };
}

/** Exact match and per-token accuracy of greedy decoding (target + EOS positions; a missing token is wrong). */
export function scoreReversal(net: Seq2Seq, strings: readonly number[][], batch = 250): { exact: number; token: number } {
  let exact = 0;
  let right = 0;
  let total = 0;
  net.evaluate();
  for (let i = 0; i < strings.length; i += batch) {
    const part = strings.slice(i, i + batch);
    const { source, lengths } = reverseBatch(part);
    const out = net.greedy(source, { sourceLengths: lengths, maxLength: Math.max(...lengths) + 2 });
    part.forEach((s, n) => {
      const want = [...[...s].reverse(), EOS];
      const got = [...out[n]!, EOS];
      let ok = got.length === want.length;
      for (let j = 0; j < want.length; j++) {
        if (got[j] === want[j]) right++;
        else ok = false;
      }
      total += want.length;
      if (ok) exact++;
    });
  }
  net.train();
  return { exact: exact / strings.length, token: right / total };
}

/** What {@link main} returns. */
export interface Seq2SeqSummary {
  exact: number;
  token: number;
  history: { epoch: number; loss: number; exact: number; token: number; seconds: number }[];
  trainingSeconds: number;
  checkpoint: string;
}

export async function main(argv: string[], log: (line: string) => void = console.log): Promise<Seq2SeqSummary> {
  const flags = parseCli(argv, CLI);
  const run = startRun(flags);
  const min = flags['min-length'];
  const max = Math.max(min, flags['max-length']);
  const data = new Generator(flags.seed);
  const key = (s: readonly number[]): string => s.join('');
  const heldOut = new Map<string, number[]>();
  while (heldOut.size < flags['test-size']) {
    const s = randomDigits(data, min, max);
    heldOut.set(key(s), s);
  }
  const test = [...heldOut.values()];
  const net = new Seq2Seq(10, 12, { embedSize: flags.embed, hiddenSize: flags.hidden, bos: BOS, eos: EOS, rng: new Generator(flags.seed + 1) });
  const optimizer = new Adam(net.parameters(), { lr: flags.lr });
  const parameters = net.parameters().reduce((s, p) => s + p.size, 0);
  log(`seq2seq: reverse digit strings of length ${min}–${max}; ${net.toString()}, ${parameters} parameters; ${test.length} held-out strings; backend ${flags.backend}`);
  // --live: core's events of this loop for the dashboard (held-out exact match as the validation accuracy)
  const live = new EpochReporter({ epochs: flags.epochs, steps: flags.batches, lr: flags.lr });
  live.start(parameters);
  const history: Seq2SeqSummary['history'] = [];
  const started = performance.now();
  let skipped = 0;
  for (let epoch = 1; epoch <= flags.epochs; epoch++) {
    let total = 0;
    for (let b = 0; b < flags.batches; b++) {
      const strings: number[][] = [];
      while (strings.length < flags.batch) {
        const s = randomDigits(data, min, max);
        if (heldOut.has(key(s))) skipped++;
        else strings.push(s);
      }
      const { source, lengths, decoderInput, targets, mask } = reverseBatch(strings);
      net.zeroGradParameters();
      const count = mask.data.reduce((s, v) => s + v, 0);
      const loss = net.logits(source, decoderInput, { sourceLengths: lengths }).logSoftmax(2).gather(2, targets).mul(mask).sum().mul(-1 / count);
      loss.backward();
      clipGradNorm(net.parameters(), flags.clip);
      optimizer.step();
      const value = loss.item();
      total += value;
      live.step(value, strings.length);
      if (live.active) await live.turn();
    }
    live.endEpoch();
    const seconds = (performance.now() - started) / 1000;
    const score = scoreReversal(net, test);
    live.validation({ loss: Number.NaN, accuracy: score.exact, samples: test.length });
    history.push({ epoch, loss: total / flags.batches, exact: score.exact, token: score.token, seconds });
    log(`epoch ${epoch}/${flags.epochs}: loss ${(total / flags.batches).toFixed(4)} per token, held-out exact match ${(100 * score.exact).toFixed(1)}%, per-token ${(100 * score.token).toFixed(1)}%, ${seconds.toFixed(0)}s`);
  }
  const trainingSeconds = (performance.now() - started) / 1000;
  live.done();
  const final = history.at(-1) ?? { ...scoreReversal(net, test) };
  const examples = test.slice(0, 3);
  const outs = net.greedy(reverseBatch(examples).source, { sourceLengths: examples.map((s) => s.length), maxLength: max + 2 });
  examples.forEach((s, i) => log(`  ${key(s)} -> ${outs[i]!.join('')}`));
  if (skipped > 0) log(`(${skipped} random training strings were held-out strings and were skipped)`);
  const checkpoint = run.file('seq2seq.safetensors');
  saveModule(checkpoint, net, { example: 'seq2seq', hidden: String(flags.hidden), embed: String(flags.embed) });
  const summary: Seq2SeqSummary = { exact: final.exact, token: final.token, history, trainingSeconds, checkpoint };
  writeFileSync(run.file('summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  log(`held-out exact match ${(100 * final.exact).toFixed(1)}%, per-token accuracy ${(100 * final.token).toFixed(1)}%; training ${trainingSeconds.toFixed(0)}s; wrote ${checkpoint}`);
  return summary;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(main);
