/**
 * Unsupervised speaker adaptation by self-training on pseudo-labels: a speaker never heard is
 * recognised, the utterances the net is surest of are taken as labelled by its own predictions, and
 * the net is fine-tuned on them, in rounds that take a larger share each time (after Yarowsky 1995
 * and Lee, "Pseudo-label", ICML 2013 workshop; in speech, unsupervised adaptation of an acoustic model
 * to a new speaker, as Kaldi's and HTK's adaptation passes do). No label of the new speaker is read.
 */
import { Adam, ClassNLLCriterion, Dropout, Generator, Tensor, type Module } from '@eole/core';
import { classifyWindows } from '@eole/speech';
import { averageViews, INPUT_SIZE } from './data.js';

/** Options of {@link adaptToSpeaker}. */
export interface AdaptOptions {
  /** Share of each predicted class taken in each round, its most confident utterances first (default 0.5 then 0.8). */
  rounds?: readonly number[];
  /** Passes over the chosen windows per round (default 4). */
  epochs?: number;
  /** Adam learning rate (default 2e-4: a tenth of the training rate's start). */
  lr?: number;
  /** Windows per step (default 32). */
  batch?: number;
  /** Label smoothing of the pseudo-labels (default 0.1, as in training). */
  labelSmoothing?: number;
  /** Shuffles the windows (seed it for a run that repeats). */
  rng: Generator;
  /** The generator of the k-th Dropout module met depth first (its masks during the steps; whatever generators the model was built or loaded with are replaced, so the steps repeat). */
  dropoutRng: (k: number) => Generator;
}

/** One speaker's windows: `views` [count, viewCount, 1600] score an utterance (posteriors averaged), `train` [count, trainCount, 1600] are fine-tuned on. */
export interface SpeakerWindows {
  count: number;
  views: Float32Array;
  viewCount: number;
  train: Float32Array;
  trainCount: number;
}

/** What one round did. */
export interface AdaptRound {
  share: number;
  /** Utterances taken with their pseudo-labels. */
  chosen: number;
  /** The pseudo-labels of the chosen utterances, to compare with the truth where it is known. */
  indices: number[];
  labels: number[];
}

/**
 * Log of the mean posterior over each utterance's views, [count, classes] (the model in evaluate
 * mode).
 */
export function speakerPosteriors(model: Module, w: SpeakerWindows): Float32Array {
  model.evaluate();
  return averageViews(classifyWindows(model, w.views, w.count * w.viewCount), w.count, w.viewCount);
}

/**
 * Adapts `model` in place to one speaker's utterances (no labels): each round scores them
 * ({@link speakerPosteriors}), takes in every predicted class the `share` of its utterances with the
 * highest posterior (class-balanced, so that a digit the net over-predicts does not fill the set),
 * and fine-tunes on all their `train` windows with the predicted digit as target (NLL with label
 * smoothing, Adam; dropout on, which keeps the net from merely confirming its own mistakes: on the
 * leave-one-speaker-out nets, seed 1, 92.60% with it against 88.40% without). Returns the rounds; score the adapted model with {@link speakerPosteriors}.
 */
export function adaptToSpeaker(model: Module, w: SpeakerWindows, classes: number, options: AdaptOptions): AdaptRound[] {
  const rounds = options.rounds ?? [0.5, 0.8];
  const epochs = options.epochs ?? 4;
  const batch = options.batch ?? 32;
  if (!(w.count > 0)) throw new RangeError(`adaptToSpeaker: w.count must be positive, got ${w.count}`);
  if (w.views.length !== w.count * w.viewCount * INPUT_SIZE) throw new RangeError(`adaptToSpeaker: w.views must hold count × viewCount × ${INPUT_SIZE} = ${w.count * w.viewCount * INPUT_SIZE} values, got ${w.views.length}`);
  if (w.train.length !== w.count * w.trainCount * INPUT_SIZE) throw new RangeError(`adaptToSpeaker: w.train must hold count × trainCount × ${INPUT_SIZE} = ${w.count * w.trainCount * INPUT_SIZE} values, got ${w.train.length}`);
  for (const share of rounds) if (!(share > 0 && share <= 1)) throw new RangeError(`adaptToSpeaker: options.rounds must be shares in (0, 1], got ${share}`);
  const optimizer = new Adam(model.parameters(), { lr: options.lr ?? 2e-4 });
  const criterion = new ClassNLLCriterion({ labelSmoothing: options.labelSmoothing ?? 0.1 });
  dropouts(model).forEach((d, k) => d.setGenerator(options.dropoutRng(k)));
  const done: AdaptRound[] = [];
  for (const share of rounds) {
    const logp = speakerPosteriors(model, w);
    const { indices, labels } = confidentShare(logp, w.count, classes, share);
    const items = indices.length * w.trainCount;
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = options.rng.permutation(items);
      // full batches only (the last partial one is dropped), or one short batch when fewer windows than a batch
      const steps = items >= batch ? Math.floor(items / batch) : items > 0 ? 1 : 0;
      for (let step = 0; step < steps; step++) {
        const s = step * batch;
        const n = Math.min(batch, items - s);
        const x = new Float32Array(n * INPUT_SIZE);
        const y = new Float32Array(n);
        for (let b = 0; b < n; b++) {
          const item = order[s + b]!;
          const k = Math.floor(item / w.trainCount);
          const u = indices[k]!;
          const v = item % w.trainCount;
          x.set(w.train.subarray((u * w.trainCount + v) * INPUT_SIZE, (u * w.trainCount + v + 1) * INPUT_SIZE), b * INPUT_SIZE);
          y[b] = labels[k]!;
        }
        model.train();
        optimizer.zeroGrad();
        const loss = criterion.forward(model.forward(new Tensor(x, [n, INPUT_SIZE])), new Tensor(y, [n]));
        loss.backward();
        optimizer.step();
      }
    }
    done.push({ share, chosen: indices.length, indices, labels });
  }
  model.evaluate();
  return done;
}

/** In every predicted class, the `share` (rounded) of its utterances with the highest log-probability: their indices and predicted labels. */
export function confidentShare(logp: Float32Array, count: number, classes: number, share: number): { indices: number[]; labels: number[] } {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  const best = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let k = 0;
    for (let c = 1; c < classes; c++) if (logp[i * classes + c]! > logp[i * classes + k]!) k = c;
    best[i] = logp[i * classes + k]!;
    byClass[k]!.push(i);
  }
  const indices: number[] = [];
  const labels: number[] = [];
  byClass.forEach((members, c) => {
    members.sort((a, b) => best[b]! - best[a]! || a - b);
    for (const i of members.slice(0, Math.round(members.length * share))) {
      indices.push(i);
      labels.push(c);
    }
  });
  return { indices, labels };
}

/** The Dropout modules of `model`, depth first. */
function dropouts(model: Module): Dropout[] {
  return model instanceof Dropout ? [model] : model.children().flatMap(dropouts);
}
