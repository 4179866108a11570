import { from, lastValueFrom, tap } from 'rxjs';
import { ClassNLLCriterion, clipGradNorm, Generator, jsonLines, LRScheduler, noGrad, SGD, train, type Batch, type Tensor } from '@eole/core';
import { babiBatch, MemN2N, type BabiItem, type Vocabulary } from '@eole/rnn-memory';
import { live } from '../lib/live.js';

/**
 * SGD that clips each parameter's gradient to an ℓ2 norm of at most `maxNorm` before its step, as
 * the authors' MemN2N code clips each weight matrix (the paper: "gradients with an ℓ2 norm larger
 * than 40 are divided by a scalar to have norm 40").
 */
export class ClippedSGD extends SGD {
  constructor(
    params: Iterable<Tensor>,
    lr: number,
    readonly maxNorm: number,
  ) {
    super(params, { lr });
  }

  override step(): void {
    for (const p of this.params) clipGradNorm([p], this.maxNorm);
    super.step();
  }
}

/**
 * The paper's schedule (Sukhbaatar et al. 2015, section 4.2) as an epoch-wise schedule: at most
 * `lsEpochs` epochs of linear start (the hops' softmax removed) at the base rate, then the softmax
 * back and the rate halved every `anneal` epochs. It switches the model's `linearStart` as it steps;
 * {@link MemN2NSchedule.endLinearStart} ends linear start early ("when the validation loss stopped
 * decreasing, the softmax layers were re-inserted").
 */
export class MemN2NSchedule extends LRScheduler {
  constructor(
    optimizer: SGD,
    readonly model: MemN2N,
    public lsEpochs: number,
    readonly anneal: number,
  ) {
    super('MemN2NSchedule', optimizer);
    model.linearStart = lsEpochs > 0;
  }

  /** Ends linear start after the current epoch: the next epoch has the softmax and the base rate. */
  endLinearStart(): void {
    if (this.lastEpoch >= this.lsEpochs) return;
    this.lsEpochs = this.lastEpoch;
    this.model.linearStart = false;
    this.optimizer.lr = this.lrAt(this.lastEpoch);
  }

  lrAt(epoch: number): number {
    if (epoch < this.lsEpochs) return this.baseLr;
    return this.baseLr * 0.5 ** Math.floor((epoch - this.lsEpochs) / this.anneal);
  }

  override step(): void {
    super.step();
    this.model.linearStart = this.lastEpoch < this.lsEpochs;
  }
}

/** The model's shape, saved as checkpoint metadata so that `--eval` can rebuild it. */
export interface ModelConfig {
  words: readonly string[];
  dim: number;
  hops: number;
  memory: number;
  noise: number;
  /** Leave empty slots out of the softmax. */
  maskEmpty: boolean;
}

/** A MemN2N for `config` (PE, TE, adjacent tying; RN in training). */
export function buildModel(config: ModelConfig, seed: number): MemN2N {
  const rng = new Generator(seed);
  return new MemN2N(config.words.length, config.dim, config.memory, { hops: config.hops, randomNoise: config.noise, maskEmpty: config.maskEmpty, rng, noiseRng: new Generator(seed + 7919) });
}

/** Options of {@link trainOnce}. */
export interface TrainRun {
  config: ModelConfig;
  vocab: Vocabulary;
  length: number;
  train: readonly BabiItem[];
  validation: readonly BabiItem[];
  seed: number;
  epochs: number;
  batch: number;
  /** The paper's η on the summed batch cost. */
  lr: number;
  lsEpochs: number;
  /** End linear start once the validation loss has not improved for this many epochs (0: never early). */
  lsPatience: number;
  anneal: number;
  /** The paper's clipping norm on the summed batch cost, per weight matrix. */
  clip: number;
  eventsPath: string;
  log: (line: string) => void;
}

/** What one training run ends with. */
export interface TrainedRun {
  model: MemN2N;
  seed: number;
  validationAccuracy: number;
  validationLoss: number;
  seconds: number;
}

/** Batches of `items` in the order `order`, `size` at a time. */
function batches(items: readonly BabiItem[], order: ArrayLike<number>, size: number, vocab: Vocabulary, memory: number, length: number): Batch[] {
  const out: Batch[] = [];
  for (let i = 0; i < order.length; i += size) {
    const chunk = Array.from({ length: Math.min(size, order.length - i) }, (_, k) => items[order[i + k]!]!);
    out.push(babiBatch(chunk, vocab, memory, length));
  }
  return out;
}

/**
 * Trains one MemN2N as a stream (`train(...)` of @eole/core): shuffled batches every epoch, the
 * validation stories after every epoch, every event logged to `eventsPath`. The criterion averages
 * over the batch where the paper sums, so the optimizer takes η·B and clips at 40/B: the same steps.
 */
export async function trainOnce(run: TrainRun): Promise<TrainedRun> {
  const started = performance.now();
  const model = buildModel(run.config, run.seed);
  const optimizer = new ClippedSGD(model.parameters(), run.lr * run.batch, run.clip / run.batch);
  const scheduler = new MemN2NSchedule(optimizer, model, run.lsEpochs, run.anneal);
  const rng = new Generator(run.seed + 1);
  const { memory } = run.config;
  const validation = batches(run.validation, Array.from(run.validation.keys()), 100, run.vocab, memory, run.length);
  let last = { loss: Infinity, accuracy: 0 };
  let bestLsLoss = Infinity;
  let stale = 0;
  const events$ = train({
    model,
    criterion: new ClassNLLCriterion(),
    optimizer,
    scheduler,
    epochs: run.epochs,
    data: () => from(batches(run.train, rng.permutation(run.train.length), run.batch, run.vocab, memory, run.length)),
    validation: from(validation),
    rngs: { data: rng },
  }).pipe(
    jsonLines(run.eventsPath, { steps: false }),
    live(),
    tap((e) => {
      if (e.type !== 'validation') return;
      last = { loss: e.metrics.loss, accuracy: e.metrics.accuracy ?? 0 };
      if (model.linearStart && run.lsPatience > 0) {
        stale = last.loss < bestLsLoss ? 0 : stale + 1;
        bestLsLoss = Math.min(bestLsLoss, last.loss);
        if (stale >= run.lsPatience) {
          scheduler.endLinearStart();
          run.log(`  epoch ${e.epoch}: validation loss stopped decreasing for ${run.lsPatience} epochs; linear start ends`);
        }
      }
      if (e.epoch % 10 === 0 || e.epoch === run.epochs) {
        run.log(`  epoch ${e.epoch}/${run.epochs}: validation loss ${last.loss.toFixed(4)}, accuracy ${pct(last.accuracy)}${e.epoch <= scheduler.lsEpochs ? ' (linear start)' : ''}`);
      }
    }),
  );
  await lastValueFrom(events$, { defaultValue: null });
  model.evaluate();
  return { model, seed: run.seed, validationAccuracy: last.accuracy, validationLoss: last.loss, seconds: (performance.now() - started) / 1000 };
}

/** Predictions and accuracy of `model` on `items`, in batches of 100, without the graph. */
export function predict(model: MemN2N, items: readonly BabiItem[], vocab: Vocabulary, length: number): { predictions: number[]; accuracy: number; attention: Float32Array[][] } {
  model.evaluate();
  const predictions: number[] = [];
  const attention: Float32Array[][] = [];
  let correct = 0;
  noGrad(() => {
    for (let i = 0; i < items.length; i += 100) {
      const chunk = items.slice(i, i + 100);
      const { x, y } = babiBatch(chunk, vocab, model.memorySize, length);
      const pred = model.forward(x).argmax(1).data;
      chunk.forEach((_, n) => {
        predictions.push(pred[n]!);
        if (pred[n] === y.data[n]) correct++;
        attention.push(model.attention.map((p) => p.data.slice(n * model.memorySize, (n + 1) * model.memorySize)));
      });
    }
  });
  return { predictions, accuracy: items.length > 0 ? correct / items.length : 0, attention };
}

/**
 * For an item: its question, the predicted and true answers, and for each hop the `top` sentences
 * with the most attention (slot 0 is the newest sentence).
 */
export function explain(item: BabiItem, predicted: string, attention: readonly Float32Array[], top = 3): string[] {
  const { story, question } = item;
  const slots = question.memory.slice(-attention[0]!.length).reverse();
  const mark = predicted === question.answer ? 'right' : 'WRONG';
  const lines = [`Q: ${question.question.join(' ')}?  predicted: ${predicted}, true: ${question.answer} (${mark}); supporting: ${question.supporting.map((s) => `"${story.sentences[s]!.join(' ')}"`).join(', ')}`];
  attention.forEach((p, hop) => {
    const ranked = slots.map((s, slot) => ({ s, w: p[slot]! })).sort((a, b) => b.w - a.w).slice(0, top);
    lines.push(`  hop ${hop + 1}: ${ranked.map(({ s, w }) => `${w.toFixed(2)} "${story.sentences[s]!.join(' ')}"`).join('  |  ')}`);
  });
  return lines;
}

/** A fraction as a percentage with two decimals. */
export function pct(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}
