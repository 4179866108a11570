/**
 * Stack-augmented RNN on aⁿbⁿ (Joulin & Mikolov, "Inferring Algorithmic Patterns with
 * Stack-Augmented Recurrent Nets", NIPS 2015), beside an LSTM of about the same size.
 *
 * The task: next-symbol prediction on `$ aⁿ bⁿ $` (symbols $, a, b). Only the deterministic part
 * counts: once the first b is read, every following b and the final $ are determined. A sequence
 * is right when all n of those predictions (argmax) are right; accuracy at n is then 0 or 1 (one
 * sequence per n). Training uses n ≤ `--train-max` (10); every step is one batch holding every
 * training n, with the cross-entropy of all next-symbol predictions. Each model is trained from
 * `--restarts` seeds and the restart with the best validation accuracy (n ≤ 10, then the lowest
 * deterministic-part loss) is kept, as the paper does. The stack RNN is validated both with its
 * actions rounded to push/pop/no-op (the paper's test-time discretization) and with continuous
 * actions; the rounded mode is preferred at equal validation accuracy. Both models are then tested
 * on n = 1…`--test-max`.
 *
 * Run: `npm run -w examples stack-rnn -- --seed 1 --epochs 2000 --restarts 6` (about 5 minutes here)
 * Writes `<out>/accuracy.png` (accuracy vs n for both) and `<out>/summary.json`. With `--live PORT`
 * the dashboard counts each restart as an epoch (the stack RNN's, then the LSTM's): its steps'
 * losses, and its validation accuracy and deterministic-part loss.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Adam, clipGradNorm, Generator, Linear, Module, noGrad, Tensor } from '@eole/core';
import { lineChart } from '@eole/core/charts';
import { renderPng } from '@eole/core/report';
import { LSTM, StackRNN } from '@eole/rnn-memory';
import { booleanFlag, numberFlag, parseCli, runCli } from '../lib/cli.js';
import { EpochReporter } from '../lib/live.js';
import { startRun } from '../lib/run.js';

const CLI = {
  name: 'stack-rnn',
  summary: 'a stack-augmented RNN and an LSTM learn aⁿbⁿ on n ≤ 10 and are tested up to n = 20',
  seed: 1,
  epochs: 2000,
  epochsHelp: 'training steps per restart (each step: one batch of every training n)',
  flags: {
    restarts: numberFlag(6, 'seeded restarts per model; the best on validation (n ≤ train-max) is kept', { integer: true, min: 1 }),
    'train-max': numberFlag(10, 'largest n in training and validation', { integer: true, min: 1 }),
    'test-max': numberFlag(20, 'largest n tested', { integer: true, min: 1 }),
    hidden: numberFlag(10, 'hidden units of the stack RNN', { integer: true, min: 1 }),
    'lstm-hidden': numberFlag(6, 'hidden units of the LSTM (6 gives about the stack RNN’s parameter count)', { integer: true, min: 1 }),
    stacks: numberFlag(1, 'stacks of the stack RNN', { integer: true, min: 1 }),
    'no-recurrent': booleanFlag('drop the stack RNN’s recurrent matrix R: the stack is its only memory'),
    lr: numberFlag(0.02, 'Adam learning rate', { min: 0 }),
    clip: numberFlag(5, 'gradient-norm clipping', { min: 0 }),
  },
} as const;

/** Symbols: $ (start and end), a, b. */
export const SYMBOLS = ['$', 'a', 'b'] as const;

/** A sequence model: one-hot [N, T, 3] → next-symbol logits [N, T, 3]. */
export class NextSymbol extends Module {
  constructor(
    readonly core: StackRNN | LSTM,
    readonly decoder: Linear,
  ) {
    super();
    this.registerModule('core', core);
    this.registerModule('decoder', decoder);
  }

  protected updateOutput(input: Tensor): Tensor {
    const h = this.core.forward(input);
    const [N, T, H] = h.shape as [number, number, number];
    return this.decoder.forward(h.reshape([N * T, H])).reshape([N, T, 3]);
  }
}

/** Builds either model with the decoder H → 3. */
export function makeModel(kind: 'stack' | 'lstm', hidden: number, stacks: number, depth: number, rng: Generator, recurrent = true): NextSymbol {
  const core = kind === 'stack' ? new StackRNN(3, hidden, { numStacks: stacks, stackDepth: depth, recurrent, rng }) : new LSTM(3, hidden, { rng, batchFirst: true });
  return new NextSymbol(core, new Linear(hidden, 3, { rng }));
}

/** A batch of `$ aⁿ bⁿ $` for each n in `ns`, padded: one-hot inputs, targets, loss mask and deterministic mask [N, T]. */
export function anbnBatch(ns: readonly number[]): { x: Tensor; targets: Tensor; mask: Tensor; det: Tensor; T: number } {
  const T = 2 * Math.max(...ns) + 1;
  const N = ns.length;
  const x = Tensor.zeros([N, T, 3]);
  const targets = Tensor.zeros([N, T, 1]);
  const mask = Tensor.zeros([N, T, 1]);
  const det = Tensor.zeros([N, T, 1]);
  ns.forEach((n, i) => {
    const seq = [0, ...Array<number>(n).fill(1), ...Array<number>(n).fill(2), 0];
    for (let t = 0; t < T; t++) {
      const inp = t < seq.length - 1 ? seq[t]! : 0;
      x.data[(i * T + t) * 3 + inp] = 1;
      if (t < seq.length - 1) {
        targets.data[i * T + t] = seq[t + 1]!;
        mask.data[i * T + t] = 1;
        if (t >= n + 1) det.data[i * T + t] = 1; // input is a b: the next symbol is determined
      }
    }
  });
  return { x, targets, mask, det, T };
}

/** Mean cross-entropy of the positions where `mask` is 1. */
function maskedLoss(logits: Tensor, targets: Tensor, mask: Tensor): Tensor {
  const count = mask.data.reduce((s, v) => s + v, 0);
  return logits.logSoftmax(2).gather(2, targets).mul(mask).sum().mul(-1 / count);
}

/** For each n, whether every deterministic prediction is right, and the deterministic-part loss. */
export function evaluateAnbn(model: NextSymbol, ns: readonly number[]): { correct: boolean[]; loss: number } {
  model.evaluate();
  const { x, targets, det, T } = anbnBatch(ns);
  const result = noGrad(() => {
    const logits = model.forward(x);
    const loss = maskedLoss(logits, targets, det).item();
    const correct = ns.map((_, i) => {
      for (let t = 0; t < T; t++) {
        if (det.data[i * T + t] !== 1) continue;
        const o = (i * T + t) * 3;
        const pred = logits.data[o + 1]! > logits.data[o]! ? (logits.data[o + 2]! > logits.data[o + 1]! ? 2 : 1) : logits.data[o + 2]! > logits.data[o]! ? 2 : 0;
        if (pred !== targets.data[i * T + t]) return false;
      }
      return true;
    });
    return { correct, loss };
  });
  model.train();
  return result;
}

/**
 * Trains one model for `steps` steps on every n in 1…trainMax per step. Returns the final training loss.
 * With an active `live` reporter, each step is reported and the loop gives the event loop its turns.
 */
export async function trainAnbn(model: NextSymbol, steps: number, trainMax: number, lr: number, clip: number, live?: EpochReporter): Promise<number> {
  const ns = Array.from({ length: trainMax }, (_, i) => i + 1);
  const { x, targets, mask } = anbnBatch(ns);
  const optimizer = new Adam(model.parameters(), { lr });
  let last = NaN;
  model.train();
  for (let s = 0; s < steps; s++) {
    model.zeroGradParameters();
    const loss = maskedLoss(model.forward(x), targets, mask);
    loss.backward();
    clipGradNorm(model.parameters(), clip);
    optimizer.step();
    last = loss.item();
    if (live?.active) {
      live.step(last, ns.length);
      await live.turn();
    }
  }
  return last;
}

/** One model's result. */
export interface ModelResult {
  name: string;
  parameters: number;
  /** Accuracy (0 or 1) for n = 1…testMax. */
  accuracy: number[];
  /** Largest n such that every n' ≤ n is right (0 if n = 1 fails). */
  solvedUpTo: number;
  validationAccuracy: number;
  bestRestart: number;
  seconds: number;
}

/** What {@link main} returns. */
export interface StackRNNSummary {
  stack: ModelResult;
  lstm: ModelResult;
  plot: string;
}

async function trainBest(kind: 'stack' | 'lstm', flags: ReturnType<typeof parseCli<typeof CLI.flags>>, log: (line: string) => void, live: EpochReporter): Promise<ModelResult> {
  const t0 = performance.now();
  const trainNs = Array.from({ length: flags['train-max'] }, (_, i) => i + 1);
  const testNs = Array.from({ length: flags['test-max'] }, (_, i) => i + 1);
  const hidden = kind === 'stack' ? flags.hidden : flags['lstm-hidden'];
  const depth = 2 * Math.max(flags['test-max'], flags['train-max']);
  let best: { model: NextSymbol; acc: number; loss: number; restart: number; discrete: boolean } | null = null;
  for (let r = 0; r < flags.restarts; r++) {
    const rng = new Generator(flags.seed * 1000 + r * 7 + (kind === 'stack' ? 1 : 2));
    const model = makeModel(kind, hidden, flags.stacks, depth, rng, !flags['no-recurrent']);
    live.start(model.parameters().reduce((s, p) => s + p.size, 0));
    const trainLoss = await trainAnbn(model, flags.epochs, flags['train-max'], flags.lr, flags.clip, live);
    live.endEpoch();
    let shown: { acc: number; loss: number } | null = null;
    // the stack RNN is validated with rounded (the paper's test-time discretization) and with
    // continuous actions; rounded wins ties in accuracy. The LSTM has one mode
    const modes = model.core instanceof StackRNN ? [true, false] : [false];
    for (const discrete of modes) {
      if (model.core instanceof StackRNN) model.core.discreteInEval = discrete;
      const v = evaluateAnbn(model, trainNs);
      const acc = v.correct.filter(Boolean).length / trainNs.length;
      const mode = model.core instanceof StackRNN ? (discrete ? ' (rounded actions)' : ' (continuous actions)') : '';
      log(`  ${kind} restart ${r + 1}/${flags.restarts}${mode}: training loss ${trainLoss.toFixed(4)}, validation accuracy ${(100 * acc).toFixed(0)}% (n ≤ ${flags['train-max']}), deterministic loss ${v.loss.toFixed(4)}`);
      // ranking: validation accuracy, then the paper's rounded actions over continuous ones, then the loss
      const better = !best || acc > best.acc || (acc === best.acc && (discrete && !best.discrete || (discrete === best.discrete && v.loss < best.loss)));
      if (better) best = { model, acc, loss: v.loss, restart: r + 1, discrete };
      if (!shown || acc > shown.acc || (acc === shown.acc && v.loss < shown.loss)) shown = { acc, loss: v.loss };
    }
    live.validation({ loss: shown!.loss, accuracy: shown!.acc, samples: trainNs.length });
  }
  if (best!.model.core instanceof StackRNN) best!.model.core.discreteInEval = best!.discrete;
  const { correct } = evaluateAnbn(best!.model, testNs);
  let solvedUpTo = 0;
  while (solvedUpTo < correct.length && correct[solvedUpTo]) solvedUpTo++;
  return {
    name: kind === 'stack' ? `StackRNN (H=${hidden}, ${flags.stacks} stack${flags['no-recurrent'] ? ', no R' : ''}, ${best!.discrete ? 'rounded' : 'continuous'} actions)` : `LSTM (H=${hidden})`,
    parameters: best!.model.parameters().reduce((s, p) => s + p.size, 0),
    accuracy: correct.map((c) => (c ? 1 : 0)),
    solvedUpTo,
    validationAccuracy: best!.acc,
    bestRestart: best!.restart,
    seconds: (performance.now() - t0) / 1000,
  };
}

export async function main(argv: string[], log: (line: string) => void = console.log): Promise<StackRNNSummary> {
  const flags = parseCli(argv, CLI);
  const run = startRun(flags);
  log(`stack-rnn: aⁿbⁿ, training n ≤ ${flags['train-max']}, testing n ≤ ${flags['test-max']}, ${flags.epochs} steps × ${flags.restarts} restarts per model, backend ${flags.backend}`);
  // --live: one epoch per restart, the stack RNN's then the LSTM's (the start event counts the stack RNN's parameters)
  const live = new EpochReporter({ epochs: 2 * flags.restarts, steps: flags.epochs, lr: flags.lr });
  const stack = await trainBest('stack', flags, log, live);
  const lstm = await trainBest('lstm', flags, log, live);
  live.done();
  log('');
  log(`${'n'.padStart(3)}  ${'StackRNN'.padEnd(9)} LSTM`);
  for (let i = 0; i < flags['test-max']; i++) {
    log(`${String(i + 1).padStart(3)}  ${(stack.accuracy[i] ? 'right' : 'wrong').padEnd(9)} ${lstm.accuracy[i] ? 'right' : 'wrong'}`);
  }
  for (const m of [stack, lstm]) {
    const total = m.accuracy.reduce((s, v) => s + v, 0);
    log(`${m.name}: ${m.parameters} parameters, best restart ${m.bestRestart}, validation ${(100 * m.validationAccuracy).toFixed(0)}%, right on ${total}/${m.accuracy.length} n, all right up to n = ${m.solvedUpTo}; ${m.seconds.toFixed(1)}s`);
  }
  const verdict =
    stack.solvedUpTo > lstm.solvedUpTo
      ? `the stack RNN generalizes further (n ≤ ${stack.solvedUpTo} against n ≤ ${lstm.solvedUpTo})`
      : stack.solvedUpTo === lstm.solvedUpTo
        ? `neither generalizes further: both are right up to n = ${stack.solvedUpTo}`
        : `the stack RNN did NOT generalize further: the LSTM is right up to n = ${lstm.solvedUpTo}, the stack RNN up to n = ${stack.solvedUpTo}`;
  log(verdict);
  const plot = run.file('accuracy.png');
  const points = (m: ModelResult): [number, number][] => m.accuracy.map((a, i) => [i + 1, a]);
  await renderPng(lineChart({
    title: `a^n b^n, trained on n <= ${flags['train-max']}`,
    xLabel: 'n',
    yLabel: 'accuracy',
    yRange: [-0.05, 1.05],
    width: 480,
    height: 320,
    legend: 'bottom-left',
    series: [
      { name: 'StackRNN', points: points(stack) },
      { name: 'LSTM', points: points(lstm), dash: [6, 4] },
    ],
  }), plot);
  writeFileSync(run.file('summary.json'), `${JSON.stringify({ stack, lstm, verdict }, null, 2)}\n`);
  log(`wrote ${plot}`);
  return { stack, lstm, plot };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(main);
