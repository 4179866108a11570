import type { Observable } from 'rxjs';
import { OptimizerGroup, samplesOf, trainLoop, type Batch, type EpochSource, type Generator, type Module, type Optimizer, type Tensor, type TrainEvent, type TrainState } from '@eole/core';
import { sigmoidMean } from '../functional/sigmoidMean.js';
import { discriminatorLoss, generatorLoss, type GeneratorLossKind } from '../functional/adversarialLosses.js';
import { GAN } from '../nn/GAN.js';

/** How a conditional GAN feeds the condition y (a batch's `y`) to each net. */
export interface Conditioning {
  /** The generator's input for codes z and conditions y (e.g. `concat([z, oneHot(y, 10)], 1)`). */
  generator(z: Tensor, y: Tensor): Tensor;
  /** The discriminator's input for samples x (real or generated) and conditions y (e.g. `labelPlanes(x, y, 10)`). */
  discriminator(x: Tensor, y: Tensor): Tensor;
}

/** Options of {@link adversarialTrain}. */
export interface AdversarialTrainOptions {
  generator: Module;
  discriminator: Module;
  generatorOptimizer: Optimizer;
  discriminatorOptimizer: Optimizer;
  /** Real samples `x` in the generator's output range (and conditions `y` for a conditional GAN), one epoch per subscription. */
  data: EpochSource;
  /** n latent codes, drawn from a seeded generator listed in `rngs` (e.g. `(n) => latentNoise(n, 64, noiseRng)`). */
  noise: (n: number) => Tensor;
  /** Feeds the batch's `y` to both nets; absent: an unconditional GAN (`y` is ignored). */
  conditioning?: Conditioning;
  /** The generator's objective (default `'nonSaturating'`). */
  loss?: GeneratorLossKind;
  /** One-sided label smoothing of the discriminator's real targets (default 0). */
  smoothing?: number;
  epochs: number;
  /** Generators whose state a checkpoint keeps (the data order and the noise): a resumed run continues bit for bit. */
  rngs?: Record<string, Generator>;
  /** The first epoch to run (1-based; from `resume`). */
  startEpoch?: number;
}

/** The figures of one adversarial step, in `terms` of the step and epoch events. */
export interface AdversarialTerms {
  /** The discriminator's loss (its `loss` too). */
  lossD: number;
  /** The generator's loss. */
  lossG: number;
  /** Mean D(x) over the real batch, before the discriminator's update. */
  'D(x)': number;
  /** Mean D(G(z)) over the generated batch, before the discriminator's update. */
  'D(G(z))': number;
}

/**
 * The state a GAN's checkpoint holds: both nets as one {@link GAN} module (`generator.*`,
 * `discriminator.*`), both optimizers as one `OptimizerGroup`, and the run's generators.
 *
 * @example
 * resume(dir, ganTrainState(options)); // before adversarialTrain({ ...options, startEpoch })
 */
export function ganTrainState(o: Pick<AdversarialTrainOptions, 'generator' | 'discriminator' | 'generatorOptimizer' | 'discriminatorOptimizer' | 'rngs'>): TrainState {
  return {
    model: new GAN(o.generator, o.discriminator),
    optimizer: new OptimizerGroup([o.generatorOptimizer, o.discriminatorOptimizer]),
    ...(o.rngs ? { rngs: o.rngs } : {}),
  };
}

/**
 * Adversarial training as a stream (Goodfellow et al., "Generative adversarial nets", NIPS 2014,
 * Algorithm 1 with k = 1), in the shape of core's `train(...)`: subscribing runs the loop, the
 * events are core's (start, step, epoch, done), so the progress bar, the JSON log, `checkpoint(dir)`
 * and the run kits consume them unchanged. Each batch of real samples x (and conditions y) makes
 * one step:
 *
 * 1. fake = G(z), z from `noise` (one generator forward per step, as PyTorch's DCGAN example);
 * 2. discriminator: L_D = −mean log σ(D(x)) − mean log σ(−D(fake)) (one-sided smoothing
 *    optional), fake detached, one update of D;
 * 3. generator: L_G = −mean log σ(D(fake)) (non-saturating) or mean log σ(−D(fake)) (minimax),
 *    through the updated D (its parameters frozen for this pass) into G, one update of G.
 *
 * A step event's `loss` is L_D and its `terms` are {@link AdversarialTerms}; the epoch event
 * carries their means and the state (`ganTrainState`) for checkpoints, so `--resume` continues
 * bit for bit. A non-finite loss ends the stream with an error naming the epoch and the step.
 *
 * @example
 * adversarialTrain({ generator: g, discriminator: d, generatorOptimizer: og, discriminatorOptimizer: od,
 *   data: realBatches, noise: (n) => latentNoise(n, 64, noiseRng), epochs: 10, rngs: { data, noise: noiseRng } })
 *   .pipe(progressBar(), jsonLines('runs/gan/events.jsonl'), checkpoint('runs/gan')).subscribe();
 */
export function adversarialTrain(options: AdversarialTrainOptions): Observable<TrainEvent> {
  const { generator, discriminator } = options;
  return trainLoop({
    name: 'adversarialTrain',
    data: options.data,
    epochs: options.epochs,
    ...(options.startEpoch !== undefined ? { startEpoch: options.startEpoch } : {}),
    state: ganTrainState(options),
    beginEpoch: () => {
      generator.train();
      discriminator.train();
    },
    step: (b, where) => {
      const terms = adversarialStep(options, b, where);
      return { loss: terms.lossD, terms: { ...terms } };
    },
  });
}

/** What one {@link adversarialStep} needs: the nets, their optimizers, the noise, the conditioning and the losses. */
export type AdversarialStepOptions = Pick<AdversarialTrainOptions, 'generator' | 'discriminator' | 'generatorOptimizer' | 'discriminatorOptimizer' | 'noise' | 'conditioning' | 'loss' | 'smoothing'>;

/**
 * One step of {@link adversarialTrain} on batch `b`: one update of the discriminator, then one of
 * the generator through it (its parameters frozen meanwhile). Errors start with `where`. For loops
 * that train several GANs on one stream (LAPGAN's levels).
 *
 * @example
 * const terms = adversarialStep({ generator, discriminator, generatorOptimizer, discriminatorOptimizer, noise }, batch, 'mine: step 3');
 * terms.lossD; terms['D(G(z))'];
 */
export function adversarialStep(o: AdversarialStepOptions, b: Batch, where: string): AdversarialTerms {
  try {
    const n = samplesOf(b);
    const c = o.conditioning;
    const z = o.noise(n);
    if (z.shape[0] !== n) throw new RangeError(`noise(${n}) returned ${z.shape[0]} codes, expected ${n}`);
    const fake = o.generator.forward(c ? c.generator(z, b.y) : z);
    const dIn = (x: Tensor): Tensor => (c ? c.discriminator(x, b.y) : x);

    o.discriminatorOptimizer.zeroGrad();
    const realLogits = o.discriminator.forward(dIn(b.x));
    const fakeLogits = o.discriminator.forward(dIn(fake.detach()));
    const lossD = discriminatorLoss(realLogits, fakeLogits, { smoothing: o.smoothing ?? 0 });
    const terms = { lossD: lossD.item(), 'D(x)': sigmoidMean(realLogits), 'D(G(z))': sigmoidMean(fakeLogits) };
    finite(terms.lossD, 'the discriminator loss');
    lossD.backward();
    o.discriminatorOptimizer.step();

    // D's parameters take no gradient in G's step (it would be discarded): its weight-gradient
    // launches are skipped.
    o.generatorOptimizer.zeroGrad();
    const frozen = o.discriminator.parameters().filter((p) => p.requiresGrad);
    for (const p of frozen) p.requiresGrad_(false);
    let g: number;
    try {
      const lossG = generatorLoss(o.discriminator.forward(dIn(fake)), o.loss ?? 'nonSaturating');
      g = lossG.item();
      finite(g, 'the generator loss');
      lossG.backward();
    } finally {
      for (const p of frozen) p.requiresGrad_(true);
    }
    o.generatorOptimizer.step();
    return { lossD: terms.lossD, lossG: g, 'D(x)': terms['D(x)'], 'D(G(z))': terms['D(G(z))'] };
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (message.startsWith(where)) throw error;
    throw new Error(`${where}: ${message}`, { cause: error });
  }
}

function finite(value: number, what: string): void {
  if (!Number.isFinite(value)) throw new Error(`${what} is ${value}; lower the learning rates or check the inputs`);
}
