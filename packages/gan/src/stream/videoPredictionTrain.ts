import type { Observable } from 'rxjs';
import { concat, narrow, OptimizerGroup, trainLoop, type Batch, type EpochSource, type Generator, type Module, type Optimizer, type Tensor, type TrainEvent, type TrainState } from '@eole/core';
import { sigmoidMean } from '../functional/sigmoidMean.js';
import { discriminatorLoss, generatorLoss } from '../functional/adversarialLosses.js';
import { gaussianPyramid } from '../functional/gaussianPyramid.js';
import { gradientDifferenceLoss } from '../functional/gradientDifferenceLoss.js';
import { lpLoss } from '../functional/lpLoss.js';
import { GAN } from '../nn/GAN.js';
import type { MultiScaleDiscriminator } from '../nn/MultiScaleDiscriminator.js';
import type { MultiScaleGenerator } from '../nn/MultiScaleGenerator.js';

/** The weights of the combined loss (Mathieu, Couprie & LeCun 2016, eq. 6). */
export interface VideoLossWeights {
  /** p of the ℓp term (2: squared error, 1: absolute error) (default 2). */
  p?: number;
  /** λ_ℓp (default 1). */
  lambdaLp?: number;
  /** λ_gdl, the gradient difference loss's weight (default 0). */
  lambdaGdl?: number;
  /** α of the gradient difference loss (default 1). */
  alpha?: number;
  /** λ_adv, the adversarial term's weight; > 0 needs a discriminator (default 0). */
  lambdaAdv?: number;
  /**
   * Which predictions of a recursive step the discriminator judges: `'first'` (default) the first
   * only, `'all'` every one, each beside the real frames before it.
   */
  adversarialFrames?: 'first' | 'all';
}

/** Options of {@link videoPredictionTrain}. */
export interface VideoPredictionTrainOptions {
  generator: MultiScaleGenerator;
  generatorOptimizer: Optimizer;
  /** The multi-scale discriminator of an adversarial run (`lambdaAdv` > 0). */
  discriminator?: MultiScaleDiscriminator;
  discriminatorOptimizer?: Optimizer;
  /**
   * Batches x = K context frames [N, K, s, s], y = the next R frames [N, R, s, s] (R = 1: next-frame
   * training; R > 1: recursive training, see {@link videoPredictionStep}), pixels in [−1, 1]; one
   * epoch per subscription.
   */
  data: EpochSource;
  loss?: VideoLossWeights;
  epochs: number;
  startEpoch?: number;
  /** Generators whose state a checkpoint keeps (the data): a resumed run continues bit for bit. */
  rngs?: Record<string, Generator>;
}

/**
 * The figures of one step, in `terms` of the step and epoch events: `l2` or `l1`, `gdl`, and with a
 * discriminator `lossD`, `lossG` (the adversarial term), `D(x)` and `D(G(z))` (z: the context), the
 * names `adversarialTrain` uses, so `plotAdversarialCurves` draws them.
 */
export type VideoTerms = Record<string, number>;

/**
 * The checkpoint state of a video-prediction run: the generator alone, or the generator and the
 * discriminator as one {@link GAN} module, with their optimizers as one group.
 */
export function videoPredictionTrainState(o: Pick<VideoPredictionTrainOptions, 'generator' | 'generatorOptimizer' | 'discriminator' | 'discriminatorOptimizer' | 'rngs'>): TrainState {
  const adversarial = o.discriminator !== undefined && o.discriminatorOptimizer !== undefined;
  return {
    model: adversarial ? new GAN(o.generator, o.discriminator!) : o.generator,
    optimizer: adversarial ? new OptimizerGroup([o.generatorOptimizer, o.discriminatorOptimizer!]) : o.generatorOptimizer,
    ...(o.rngs ? { rngs: o.rngs } : {}),
  };
}

/**
 * One step of {@link videoPredictionTrain} on batch `b` (x the K context frames, y the next R
 * frames): the generator predicts Ŷ_k at every scale; with a discriminator, it first makes one
 * update on real [X_k, Y_k] against generated [X_k, Ŷ_k] (detached); then the generator makes
 * one update on
 *
 *   L_G = λ_ℓp · mean_{r,k} ℓp(Ŷ_k, Y_k) + λ_gdl · mean_{r,k} GDL(Ŷ_k, Y_k) + λ_adv · L_adv(D(X, Ŷ)),
 *
 * Y_k the truth's Gaussian pyramid and L_adv the non-saturating generator loss averaged over the
 * scales (D's parameters frozen meanwhile). With R > 1 frames in y the prediction is recursive, as
 * at test time: the r-th prediction reads the last K frames of [X, Ŷ_1, …, Ŷ_{r−1}] and the
 * gradient flows back through the earlier predictions (backpropagation through the recursion), so
 * the net learns to read its own, blurrier, output; the adversarial term judges the first
 * prediction, or with `adversarialFrames: 'all'` every Ŷ_r beside the K real frames before Y_r
 * (one batch of R·N pairs). Errors start with `where`.
 */
export function videoPredictionStep(o: Omit<VideoPredictionTrainOptions, 'data' | 'epochs' | 'startEpoch' | 'rngs'>, b: Batch, where: string): { loss: number; terms: VideoTerms } {
  const w = { p: 2, lambdaLp: 1, lambdaGdl: 0, alpha: 1, lambdaAdv: 0, ...o.loss };
  const D = w.lambdaAdv > 0 ? o.discriminator : undefined;
  if (w.lambdaAdv > 0 && (!D || !o.discriminatorOptimizer)) throw new Error(`${where}: lambdaAdv ${w.lambdaAdv} needs a discriminator and its optimizer`);
  try {
    const S = o.generator.scales;
    const K = o.generator.context;
    const R = b.y.ndim === 4 ? b.y.shape[1]! : 0;
    if (R < 1 || b.y.shape[0] !== b.x.shape[0]) throw new RangeError(`y must be the next frames [${b.x.shape[0]}, R ≥ 1, H, W], got [${b.y.shape.join(', ')}]`);
    const steps: { preds: Tensor[]; targets: Tensor[] }[] = [];
    let context = b.x;
    for (let r = 0; r < R; r++) {
      const preds = o.generator.forwardScales(context);
      steps.push({ preds, targets: gaussianPyramid(R === 1 ? b.y : narrow(b.y, 1, r, 1), S) });
      if (r + 1 < R) context = K === 1 ? preds[0]! : concat([narrow(context, 1, 1, K - 1), preds[0]!], 1);
    }
    // The discriminator's pairs: for each judged prediction r, the K real frames before it (from [x, y]) at every scale.
    const judged = D ? (w.adversarialFrames === 'all' ? R : 1) : 0;
    const sequence = judged > 1 ? concat([b.x, b.y], 1) : b.x;
    const contexts = judged === 0 ? [] : gaussianPyramid(judged > 1 ? concat(Array.from({ length: judged }, (_, r) => narrow(sequence, 1, r, K)), 0) : b.x, S);
    const batchOf = (pick: (st: (typeof steps)[number]) => Tensor[], k: number): Tensor => (judged > 1 ? concat(steps.slice(0, judged).map((st) => pick(st)[k]!), 0) : pick(steps[0]!)[k]!);
    const targets = contexts.map((_, k) => batchOf((st) => st.targets, k));
    const preds = contexts.map((_, k) => batchOf((st) => st.preds, k));
    const terms: VideoTerms = {};
    if (D) {
      o.discriminatorOptimizer!.zeroGrad();
      const real = D.forwardScales(contexts.map((c, k) => concat([c, targets[k]!], 1)));
      const fake = D.forwardScales(contexts.map((c, k) => concat([c, preds[k]!.detach()], 1)));
      const lossD = discriminatorLoss(real, fake);
      terms['lossD'] = lossD.item();
      terms['D(x)'] = sigmoidMean(real);
      terms['D(G(z))'] = sigmoidMean(fake);
      finite(terms['lossD']!, 'the discriminator loss');
      lossD.backward();
      o.discriminatorOptimizer!.step();
    }
    o.generatorOptimizer.zeroGrad();
    let total: Tensor | null = null;
    const add = (t: Tensor, weight: number): void => {
      const scaled = t.mul(weight);
      total = total === null ? scaled : total.add(scaled);
    };
    const meanOver = (f: (step: (typeof steps)[number], k: number) => Tensor): Tensor => {
      let s: Tensor | null = null;
      for (const step of steps) for (let k = 0; k < S; k++) s = s === null ? f(step, k) : s.add(f(step, k));
      return s!.mul(1 / (S * R));
    };
    const lp = meanOver((st, k) => lpLoss(st.preds[k]!, st.targets[k]!, w.p));
    terms[`l${w.p}`] = lp.item();
    if (w.lambdaLp > 0) add(lp, w.lambdaLp);
    if (w.lambdaGdl > 0) {
      const gdl = meanOver((st, k) => gradientDifferenceLoss(st.preds[k]!, st.targets[k]!, w.alpha));
      terms['gdl'] = gdl.item();
      add(gdl, w.lambdaGdl);
    }
    const frozen: Tensor[] = D ? D.parameters().filter((p) => p.requiresGrad) : [];
    for (const p of frozen) p.requiresGrad_(false);
    try {
      if (D) {
        const adv = generatorLoss(D.forwardScales(contexts.map((c, k) => concat([c, preds[k]!], 1))));
        terms['lossG'] = adv.item();
        add(adv, w.lambdaAdv);
      }
      if (total === null) throw new Error('every loss weight is 0: set lambdaLp, lambdaGdl or lambdaAdv');
      const loss = total as Tensor;
      const value = loss.item();
      finite(value, 'the generator loss');
      loss.backward();
      o.generatorOptimizer.step();
      return { loss: value, terms };
    } finally {
      for (const p of frozen) p.requiresGrad_(true);
    }
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (message.startsWith(where)) throw error;
    throw new Error(`${where}: ${message}`, { cause: error });
  }
}

/**
 * Video prediction training as a stream of core's events (Mathieu, Couprie & LeCun, "Deep
 * multi-scale video prediction beyond mean square error", ICLR 2016): every batch of (context,
 * next frame) makes one {@link videoPredictionStep}; with `lambdaAdv` > 0 and a discriminator, an
 * adversarial step first. The step event's loss is L_G and its terms the loss's parts (`l2` or
 * `l1`, `gdl`, `lossG` (adversarial), `lossD`, `D(x)`, `D(G(z))`); the epoch event carries
 * {@link videoPredictionTrainState} for `checkpoint` and `resume`.
 *
 * @example
 * videoPredictionTrain({ generator, generatorOptimizer: new Adam(generator.parameters(), { lr: 1e-3 }),
 *   data: crops, loss: { p: 2, lambdaGdl: 1 }, epochs: 10, rngs: { data } }).pipe(progressBar()).subscribe();
 */
export function videoPredictionTrain(o: VideoPredictionTrainOptions): Observable<TrainEvent> {
  const modules: Module[] = [o.generator, ...(o.discriminator ? [o.discriminator] : [])];
  return trainLoop({
    name: 'videoPredictionTrain',
    data: o.data,
    epochs: o.epochs,
    ...(o.startEpoch !== undefined ? { startEpoch: o.startEpoch } : {}),
    state: videoPredictionTrainState(o),
    beginEpoch: () => modules.forEach((m) => m.train()),
    step: (b, where) => videoPredictionStep(o, b, where),
  });
}

function finite(value: number, what: string): void {
  if (!Number.isFinite(value)) throw new Error(`${what} is ${value}; lower the learning rate or check the inputs`);
}
