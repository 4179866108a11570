/**
 * char-lstm: the lecture's "how can neural nets remember things?" on characters. A character LSTM
 * (embedding → LSTM → linear read-out; Hochreiter & Schmidhuber 1997, as in Karpathy's char-rnn)
 * learns tiny-shakespeare: the first 90% of the file trains, the last 10% validates.
 *
 * Training is truncated backpropagation through time (Williams & Peng 1990): the training text is
 * cut into `--batch` contiguous streams read `--seq` characters at a time; the final state of one
 * chunk, detached from its graph, is the initial state of the next, so the LSTM sees an unbroken
 * text while gradients flow back at most `--seq` steps. Adam with gradient-norm clipping (Pascanu
 * et al. 2013). Every `--eval-every` steps the run reports the validation cross-entropy in nats per
 * character, prints a sample (seeded, with `--temperature`), and writes to `--out` the weights
 * (`char-lstm.safetensors`), a checkpoint for `--resume` (`checkpoint.safetensors` with the
 * optimizer and generator states, `progress.json` with the position in the text and the carried
 * state), the log `events.jsonl` and the curves `curves.png`. Training stops after `--epochs`
 * epochs, `--steps` steps or `--minutes` minutes, whichever comes first. With `--live PORT` the
 * dashboard counts each `--eval-every` steps as an epoch: its steps' losses (samples: characters),
 * then its validation cross-entropy.
 *
 * Run: `npm run -w examples char-lstm -- --seed 1 --out runs/char-lstm`
 * Evaluate: `npm run -w examples char-lstm -- --eval runs/char-lstm/char-lstm.safetensors [--test FILE]`
 */
import { existsSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Adam, clipGradNorm, CrossEntropyCriterion, Generator, kernels, loadModule, loadTrainState, parseSafetensors, saveModule, saveTrainState, Tensor, writeFileAtomic } from '@eole/core';
import { lineChart, type ChartSpec } from '@eole/core/charts';
import { ChartFile } from '@eole/core/report';
import { detachState, type LSTMState } from '@eole/rnn-memory';
import { numberFlag, optionalFlag, parseCli, runCli } from '../lib/cli.js';
import { EpochReporter, publishLive } from '../lib/live.js';
import { dataFolder, startRun } from '../lib/run.js';
import { CharLSTM, crossEntropy, sample, type CharLSTMSizes } from './model.js';
import { CharVocabulary, splitText, StreamBatches } from './text.js';

/** `<EOLE_DATA>/tinyshakespeare/input.txt`, EOLE_DATA defaulting to `<repo>/../shared/data`. */
export const DEFAULT_DATA = dataFolder('tinyshakespeare', 'input.txt');

const CLI = {
  name: 'char-lstm',
  summary: 'a character LSTM on tiny-shakespeare, truncated BPTT, validation nats/char and samples',
  seed: 1,
  epochs: 100,
  epochsHelp: 'passes over the training text (the time budget usually ends the run first)',
  uses: ['resume', 'eval'],
  flags: {
    data: optionalFlag(`tiny-shakespeare's input.txt, or any UTF-8 text (default: ${DEFAULT_DATA})`, 'FILE'),
    test: optionalFlag('a text file for --eval (default: the validation 10% of --data)', 'FILE'),
    minutes: numberFlag(15, 'time budget of the run in minutes, evaluations included (continued by --resume)', { min: 0 }),
    steps: numberFlag(0, 'stop after this many training steps (0: no limit)', { integer: true, min: 0 }),
    hidden: numberFlag(128, 'LSTM hidden units', { integer: true, min: 1 }),
    layers: numberFlag(1, 'stacked LSTM layers', { integer: true, min: 1 }),
    embed: numberFlag(32, 'character embedding size', { integer: true, min: 1 }),
    dropout: numberFlag(0, 'dropout between LSTM layers', { min: 0, max: 0.99 }),
    batch: numberFlag(32, 'parallel text streams per step', { integer: true, min: 1 }),
    seq: numberFlag(64, 'characters per truncated-BPTT chunk', { integer: true, min: 1 }),
    lr: numberFlag(3e-3, 'Adam learning rate', { min: 0 }),
    clip: numberFlag(5, 'gradient-norm clipping threshold', { min: 0 }),
    'eval-every': numberFlag(200, 'steps between validations, samples and checkpoints', { integer: true, min: 1 }),
    'val-chars': numberFlag(0, 'validate (and --eval) on the first N characters of the text (0: all of it)', { integer: true, min: 0 }),
    'sample-length': numberFlag(300, 'characters per printed sample', { integer: true, min: 0 }),
    temperature: numberFlag(0.8, 'sampling temperature', { min: 0.01 }),
  },
} as const;

/** One validation of the run. */
export interface EvalRecord {
  step: number;
  epoch: number;
  /** Minutes of the run so far (training and evaluations, resumed runs included). */
  minutes: number;
  /** Mean time of a training step since the previous validation, in milliseconds. */
  msPerStep: number;
  /** Mean training cross-entropy since the previous validation, nats/char. */
  train: number;
  /** Validation cross-entropy, nats/char. */
  validation: number;
}

/** What {@link main} returns. */
export interface CharLSTMSummary {
  mode: 'train' | 'eval';
  /** The last validation (or, for --eval, the cross-entropy on the test text), nats/char. */
  validation: number;
  history: EvalRecord[];
  /** The last printed sample. */
  sample: string;
  steps: number;
  checkpoint: string;
  files: string[];
}

/** The position of a run, saved beside the checkpoint so that --resume continues exactly. */
interface Progress {
  step: number;
  epoch: number;
  chunk: number;
  offset: number;
  seconds: number;
  history: EvalRecord[];
  state: { h: number[]; c: number[]; shape: number[] } | null;
}

export async function main(argv: string[], log: (line: string) => void = console.log): Promise<CharLSTMSummary> {
  const flags = parseCli(argv, CLI);
  const run = startRun(flags, { data: ['tinyshakespeare', 'input.txt'] });
  if (flags.eval !== undefined) return evaluateCheckpoint(flags.eval, flags.test ?? run.data, flags.test === undefined, flags, log);
  const dataPath = run.data;
  if (!existsSync(dataPath)) throw new Error(`--data: no file '${dataPath}' (tiny-shakespeare's input.txt; set --data or EOLE_DATA)`);
  const text = readFileSync(dataPath, 'utf8');
  const vocab = CharVocabulary.of(text);
  const { train, validation: valAll } = splitText(vocab.encode(text));
  const validation = flags['val-chars'] > 0 ? valAll.subarray(0, flags['val-chars']) : valAll;
  const { out } = run;

  const sizes: CharLSTMSizes = { vocab: vocab.size, embed: flags.embed, hidden: flags.hidden, layers: flags.layers, dropout: flags.dropout };
  const dataRng = new Generator(flags.seed);
  const dropoutRng = new Generator(flags.seed + 1);
  const model = new CharLSTM(sizes, new Generator(flags.seed), dropoutRng);
  const params = model.parameters();
  const optimizer = new Adam(params, { lr: flags.lr });
  const criterion = new CrossEntropyCriterion();
  const trainState = { model, optimizer, rngs: { data: dataRng, dropout: dropoutRng } };
  const weights = join(out, 'char-lstm.safetensors');
  const progressPath = join(out, 'progress.json');
  const eventsPath = join(out, 'events.jsonl');
  const curvesPath = join(out, 'curves.png');
  const curves = new ChartFile(curvesPath);
  const metadata = (step: number): Record<string, string> => ({
    example: 'char-lstm',
    vocab: JSON.stringify(vocab.chars),
    embed: String(sizes.embed),
    hidden: String(sizes.hidden),
    layers: String(sizes.layers),
    dropout: String(sizes.dropout),
    seed: String(flags.seed),
    step: String(step),
  });

  let progress: Progress = { step: 0, epoch: 1, chunk: 0, offset: 0, seconds: 0, history: [], state: null };
  if (flags.resume) {
    if (!existsSync(progressPath)) throw new Error(`--resume: no progress.json in '${out}' (run without --resume first, with the same --out)`);
    progress = JSON.parse(readFileSync(progressPath, 'utf8')) as Progress;
    const saved = loadTrainState(out, trainState);
    if (saved !== progress.step) throw new Error(`--resume: checkpoint.safetensors is at step ${saved} but progress.json at step ${progress.step}; the folder was changed`);
    log(`char-lstm: resuming from ${join(out, 'checkpoint.safetensors')} at step ${progress.step} (epoch ${progress.epoch}, ${(progress.seconds / 60).toFixed(1)} min done)`);
  } else {
    writeFileSync(eventsPath, '');
  }
  log(`char-lstm: ${text.length} characters, vocabulary ${vocab.size}, ${train.length} train / ${validation.length} validation; seed ${flags.seed}, backend ${flags.backend}`);
  log(`${model.toString()}: ${params.reduce((s, p) => s + p.size, 0)} parameters; batch ${flags.batch} x ${flags.seq} characters, Adam lr ${flags.lr}, clip ${flags.clip}`);

  const history = [...progress.history];
  let step = progress.step;
  let epoch = progress.epoch;
  let chunk = progress.chunk;
  let batches = new StreamBatches(train, flags.batch, flags.seq, progress.offset);
  let carried: LSTMState | undefined = progress.state ? restoreState(progress.state) : undefined;
  const started = performance.now() - progress.seconds * 1000;
  const elapsed = (): number => (performance.now() - started) / 1000;
  const budget = flags.minutes * 60;
  let lastEvalSeconds = 0;
  let lossSum = 0;
  let lossCount = 0;
  let lastSample = '';
  let stepSeconds = 0;
  let stepSecondsSum = 0;
  let firstBelow = history.find((h) => h.validation <= 1.9);

  // --live: one dashboard epoch per validation period (its steps, then its validation)
  const period = flags['eval-every'];
  const planned = Math.min(flags.steps > 0 ? flags.steps : Infinity, flags.epochs * batches.chunks);
  const epochs = Math.max(history.length + 1, Math.ceil(planned / period));
  const live = new EpochReporter({ epochs, startEpoch: history.length + 1, steps: period, lr: flags.lr });
  if (live.active) publishHistory(history, epochs, flags.lr, flags.batch * flags.seq);

  const validate = (): EvalRecord => {
    live.endEpoch();
    const t0 = performance.now();
    const train = lossCount > 0 ? lossSum / lossCount : Number.NaN;
    const msPerStep = lossCount > 0 ? (1000 * stepSecondsSum) / lossCount : Number.NaN;
    const record: EvalRecord = { step, epoch, minutes: 0, msPerStep, train, validation: crossEntropy(model, validation) };
    lastSample = sample(model, vocab, { length: flags['sample-length'], temperature: flags.temperature, seed: flags.seed });
    lastEvalSeconds = (performance.now() - t0) / 1000;
    record.minutes = elapsed() / 60;
    lossSum = 0;
    lossCount = 0;
    stepSecondsSum = 0;
    history.push(record);
    live.validation({ loss: record.validation, samples: validation.length });
    if (!firstBelow && record.validation <= 1.9) firstBelow = record;
    log(`step ${step}  epoch ${epoch}  ${record.minutes.toFixed(1)} min  ${msPerStep.toFixed(0)} ms/step  train ${record.train.toFixed(3)}  validation ${record.validation.toFixed(3)} nats/char`);
    if (flags['sample-length'] > 0) log(`--- sample (temperature ${flags.temperature}, seed ${flags.seed}) ---\n${lastSample}\n---`);
    appendFileSync(eventsPath, `${JSON.stringify({ time: new Date().toISOString(), type: 'validation', ...record, backend: kernels.backend, sample: lastSample })}\n`);
    saveRun();
    return record;
  };

  const saveRun = (): void => {
    saveModule(weights, model, metadata(step));
    saveTrainState(out, trainState, step);
    const p: Progress = { step, epoch, chunk, offset: batches.offset, seconds: elapsed(), history, state: carried ? { h: Array.from(carried.h.data), c: Array.from(carried.c.data), shape: [...carried.h.shape] } : null };
    writeFileAtomic(progressPath, new TextEncoder().encode(JSON.stringify(p)));
    if (history.length > 0) curves.draw(historyChart(history));
  };

  live.start(params.reduce((s, p) => s + p.size, 0));
  const stepLimit = flags.steps > 0 ? flags.steps : Infinity;
  const outOfTime = (): boolean => elapsed() + stepSeconds + lastEvalSeconds * 1.5 >= budget;
  while (step < stepLimit && epoch <= flags.epochs && !outOfTime()) {
    if (chunk >= batches.chunks) {
      epoch++;
      chunk = 0;
      carried = undefined;
      batches = new StreamBatches(train, flags.batch, flags.seq, StreamBatches.drawOffset(dataRng, flags.seq));
      if (epoch > flags.epochs) break;
    }
    const stepStart = performance.now();
    const { x, y } = batches.chunk(chunk++);
    const { logits, state } = model.run(x, carried);
    const loss = criterion.forward(logits, y);
    optimizer.zeroGrad();
    loss.backward();
    clipGradNorm(params, flags.clip);
    optimizer.step();
    carried = detachState(state);
    const value = loss.item();
    lossSum += value;
    lossCount++;
    step++;
    stepSeconds = (performance.now() - stepStart) / 1000;
    stepSecondsSum += stepSeconds;
    live.step(value, flags.batch * flags.seq, { seconds: stepSeconds });
    if (step % flags['eval-every'] === 0) {
      validate();
      await curves.flush();
    }
    if (live.active) await live.turn();
  }
  const last = history.at(-1);
  if (!last || last.step !== step) validate();
  await curves.flush();
  live.done();
  const final = history.at(-1)!;
  log(`validation: ${final.validation.toFixed(3)} nats/char after ${final.minutes.toFixed(1)} min (step ${final.step}, epoch ${final.epoch})`);
  if (firstBelow) log(`validation reached ${firstBelow.validation.toFixed(3)} <= 1.9 nats/char at ${firstBelow.minutes.toFixed(1)} min (step ${firstBelow.step})`);
  const files = [weights, join(out, 'checkpoint.safetensors'), progressPath, eventsPath, curvesPath];
  log(`wrote ${files.join(', ')}`);
  return { mode: 'train', validation: final.validation, history, sample: lastSample, steps: step, checkpoint: weights, files };
}

/** The validations of the run before this process (a resumed run's) as dashboard epochs: each its steps' mean loss, then its validation. */
function publishHistory(history: readonly EvalRecord[], epochs: number, lr: number, charsPerStep: number): void {
  let before = 0;
  history.forEach((h, i) => {
    const steps = h.step - before;
    before = h.step;
    publishLive({ type: 'epoch', epoch: i + 1, epochs, loss: h.train, steps, samples: steps * charsPerStep, seconds: (h.msPerStep * steps) / 1000, lr, backend: kernels.backend });
    publishLive({ type: 'validation', epoch: i + 1, metrics: { loss: h.validation, samples: 0 } });
  });
}

/** A carried state from progress.json. */
function restoreState(s: NonNullable<Progress['state']>): LSTMState {
  return { h: new Tensor(Float32Array.from(s.h), s.shape), c: new Tensor(Float32Array.from(s.c), s.shape) };
}

/** Training and validation cross-entropy against minutes, with the 1.9 nats/char target. */
function historyChart(history: readonly EvalRecord[]): ChartSpec {
  const xMax = Math.max(...history.map((h) => h.minutes), 0.1);
  return lineChart({
    title: 'char-lstm on tiny-shakespeare',
    xLabel: 'minutes',
    yLabel: 'cross-entropy (nats/char)',
    series: [
      { name: 'train', points: history.filter((h) => Number.isFinite(h.train)).map((h) => [h.minutes, h.train] as [number, number]) },
      { name: 'validation', points: history.map((h) => [h.minutes, h.validation] as [number, number]) },
      { name: 'target 1.9', points: [[0, 1.9], [xMax, 1.9]], dash: [6, 4] },
    ],
  });
}

/** `--eval CHECKPOINT [--test FILE]`: the cross-entropy of a saved model on a text, and a sample. */
function evaluateCheckpoint(path: string, textPath: string, validationOnly: boolean, flags: { seed: number; temperature: number; 'sample-length': number; 'val-chars': number }, log: (line: string) => void): CharLSTMSummary {
  const meta = parseSafetensors(readFileSync(path)).metadata;
  if (meta['example'] !== 'char-lstm' || meta['vocab'] === undefined) throw new Error(`--eval: '${path}' is not a char-lstm checkpoint (no vocabulary in its metadata)`);
  const vocab = new CharVocabulary(JSON.parse(meta['vocab']) as string[]);
  const sizes: CharLSTMSizes = { vocab: vocab.size, embed: Number(meta['embed']), hidden: Number(meta['hidden']), layers: Number(meta['layers']), dropout: Number(meta['dropout'] ?? 0) };
  const model = new CharLSTM(sizes, new Generator(0));
  loadModule(path, model);
  if (!existsSync(textPath)) throw new Error(`--test: no file '${textPath}'`);
  const ids = vocab.encode(readFileSync(textPath, 'utf8'));
  const part = validationOnly ? splitText(ids).validation : ids;
  const text = flags['val-chars'] > 0 ? part.subarray(0, flags['val-chars']) : part;
  const value = crossEntropy(model, text);
  const generated = sample(model, vocab, { length: flags['sample-length'], temperature: flags.temperature, seed: flags.seed });
  log(`evaluated ${path} (step ${meta['step'] ?? '?'}) on ${validationOnly ? `the last 10% of ${textPath}` : textPath}: ${text.length} characters`);
  log(`--- sample (temperature ${flags.temperature}, seed ${flags.seed}) ---\n${generated}\n---`);
  log(`cross-entropy: ${value.toFixed(3)} nats/char`);
  return { mode: 'eval', validation: value, history: [], sample: generated, steps: Number(meta['step'] ?? 0), checkpoint: path, files: [] };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(main);
