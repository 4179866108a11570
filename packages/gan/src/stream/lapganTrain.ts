import type { Observable } from 'rxjs';
import { OptimizerGroup, trainLoop, type EpochSource, type Generator, type Optimizer, type TrainEvent, type TrainState } from '@eole/core';
import type { GeneratorLossKind } from '../functional/adversarialLosses.js';
import type { LAPGAN } from '../nn/LAPGAN.js';
import { adversarialStep } from './adversarialTrain.js';

/** The two optimizers of one LAPGAN level. */
export interface LevelOptimizers {
  generator: Optimizer;
  discriminator: Optimizer;
}

/** Options of {@link lapganTrain}. */
export interface LapganTrainOptions {
  lapgan: LAPGAN;
  /** One pair per level, finest first (as `lapgan.level(k)`). */
  optimizers: readonly LevelOptimizers[];
  /** Real digits x [N, 1, size, size] in [−1, 1] with their classes y, one epoch per subscription. */
  data: EpochSource;
  /** Generator of every level's noise (list it in `rngs` so a checkpoint keeps it). */
  noise: Generator;
  loss?: GeneratorLossKind;
  smoothing?: number;
  epochs: number;
  startEpoch?: number;
  rngs?: Record<string, Generator>;
}

/**
 * The checkpoint state of a LAPGAN run: the module (every level's generator and discriminator),
 * the optimizers as one group (level 0's generator and discriminator, then level 1's, …) and the
 * generators.
 *
 * @example
 * const start = resume(dir, lapganTrainState({ lapgan, optimizers, rngs }));
 */
export function lapganTrainState(o: Pick<LapganTrainOptions, 'lapgan' | 'optimizers' | 'rngs'>): TrainState {
  return {
    model: o.lapgan,
    optimizer: new OptimizerGroup(o.optimizers.flatMap((p) => [p.generator, p.discriminator])),
    ...(o.rngs ? { rngs: o.rngs } : {}),
  };
}

const TERMS = ['lossD', 'lossG', 'D(x)', 'D(G(z))'] as const;

/**
 * LAPGAN's training (Denton, Chintala, Szlam & Fergus, NIPS 2015) as one stream of core's events:
 * the levels are independent GANs on the real pyramids, so every batch of digits is cut into each
 * level's batch (`lapgan.levelBatches`: x = h_k, y = l_k and the classes) and each level makes one
 * adversarial step on it ({@link adversarialStep} with `lapgan.conditioning(k)`), coarsest first.
 * A step's terms are the means over the levels of {@link AdversarialTerms} and each level's losses
 * (`lossD@28`, `lossG@28`, …, by image side); its loss is the mean discriminator loss. The epoch
 * event carries {@link lapganTrainState}, so `checkpoint` and `resume` work as for one GAN.
 *
 * @example
 * lapganTrain({ lapgan, optimizers, data: digitBatches, noise, epochs: 8, rngs: { data, noise } })
 *   .pipe(progressBar(), checkpoint('runs/mnist-lapgan')).subscribe();
 */
export function lapganTrain(o: LapganTrainOptions): Observable<TrainEvent> {
  const { lapgan } = o;
  if (o.optimizers.length !== lapgan.levels) throw new RangeError(`lapganTrain: optimizers must hold ${lapgan.levels} pairs (one per level), got ${o.optimizers.length}`);
  return trainLoop({
    name: 'lapganTrain',
    data: o.data,
    epochs: o.epochs,
    ...(o.startEpoch !== undefined ? { startEpoch: o.startEpoch } : {}),
    state: lapganTrainState(o),
    beginEpoch: () => lapgan.train(),
    step: (b, where) => {
      const batches = lapgan.levelBatches(b.x, lapgan.classes > 0 ? b.y : undefined);
      const terms: Record<string, number> = Object.fromEntries(TERMS.map((k) => [k, 0]));
      for (let k = lapgan.levels - 1; k >= 0; k--) {
        const { generator, discriminator } = lapgan.level(k);
        const conditioning = lapgan.conditioning(k);
        const level = adversarialStep(
          {
            generator,
            discriminator,
            generatorOptimizer: o.optimizers[k]!.generator,
            discriminatorOptimizer: o.optimizers[k]!.discriminator,
            noise: (n) => lapgan.noise(k, n, o.noise),
            ...(conditioning ? { conditioning } : {}),
            ...(o.loss ? { loss: o.loss } : {}),
            ...(o.smoothing !== undefined ? { smoothing: o.smoothing } : {}),
          },
          batches[k]!,
          `${where}, level ${k} (${lapgan.sizes[k]}×${lapgan.sizes[k]})`,
        );
        for (const name of TERMS) terms[name]! += level[name] / lapgan.levels;
        terms[`lossD@${lapgan.sizes[k]}`] = level.lossD;
        terms[`lossG@${lapgan.sizes[k]}`] = level.lossG;
      }
      return { loss: terms['lossD']!, terms };
    },
  });
}
