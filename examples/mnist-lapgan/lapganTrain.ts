/**
 * LAPGAN's training as one stream of core's events: every epoch trains each level of the pyramid
 * as an ordinary GAN with `adversarialTrain` on the real pyramids of the digits (Denton et al.
 * 2015 train the levels independently), coarsest first; one epoch event closes the epoch with
 * the LAPGAN's whole state (all nets, all optimizers, the generators), so core's checkpoint and
 * `--resume` work as for one GAN.
 */
import { map, Observable, type Subscription } from 'rxjs';
import { OptimizerGroup, withEpochContext, type Batch, type Generator, type Optimizer, type TrainEvent, type TrainState } from '@eole/core';
import { adversarialTrain, type GeneratorLossKind, type LAPGAN } from '@eole/gan';

/** The two optimizers of one level. */
export interface LevelOptimizers {
  generator: Optimizer;
  discriminator: Optimizer;
}

/** Options of {@link lapganTrain}. */
export interface LapganTrainOptions {
  lapgan: LAPGAN;
  /** One pair per level, finest first (as `lapgan.level(k)`). */
  optimizers: readonly LevelOptimizers[];
  /** Real digits x [N, 1, size, size] in [−1, 1] with their classes y; subscribed once per level and epoch. */
  data: Observable<Batch>;
  /** Generator of every level's noise (listed in `rngs` so a checkpoint keeps it). */
  noise: Generator;
  loss?: GeneratorLossKind;
  smoothing?: number;
  epochs: number;
  startEpoch?: number;
  rngs?: Record<string, Generator>;
}

/**
 * The checkpoint state of a LAPGAN run: the module (every level's generator and discriminator),
 * the optimizers as one group (level 0's generator and discriminator, then level 1's, …), the generators.
 *
 * @example
 * const start = resumeRun(run.out, lapganTrainState(options), flags.resume);
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
 * Trains every level of `lapgan` for `epochs`: within an epoch, level K (from noise), then K − 1, …,
 * 0, each one pass of `adversarialTrain` over `data` cut into that level's batches
 * (`lapgan.levelBatches`: x = h_k, y = l_k and the classes) with `lapgan.conditioning(k)`. Step
 * events are numbered through the epoch (levels × batches steps) and carry the level's
 * {@link AdversarialTerms} and `level`; an epoch event's terms are the means over the levels and
 * each level's losses (`lossD@28`, `lossG@28`, …, by image side).
 *
 * @example
 * lapganTrain({ lapgan, optimizers, data: realBatches(...), noise, epochs: 8, rngs })
 *   .pipe(progressBar(), jsonLines('runs/mnist-lapgan/events.jsonl')).subscribe();
 */
export function lapganTrain(o: LapganTrainOptions): Observable<TrainEvent> {
  const { lapgan, epochs } = o;
  const startEpoch = o.startEpoch ?? 1;
  if (o.optimizers.length !== lapgan.levels) throw new RangeError(`lapganTrain: optimizers must hold ${lapgan.levels} pairs (one per level), got ${o.optimizers.length}`);
  const state = lapganTrainState(o);
  return new Observable<TrainEvent>((subscriber) => {
    let inner: Subscription | null = null;
    let stopped = false;
    const level = (k: number, epoch: number, offset: number, steps: number | null): Promise<TrainEvent & { type: 'epoch' }> =>
      new Promise((resolve, reject) => {
        const { generator, discriminator } = lapgan.level(k);
        const conditioning = lapgan.conditioning(k);
        let closing: (TrainEvent & { type: 'epoch' }) | null = null;
        inner = adversarialTrain({
          generator,
          discriminator,
          generatorOptimizer: o.optimizers[k]!.generator,
          discriminatorOptimizer: o.optimizers[k]!.discriminator,
          data: o.data.pipe(map((b) => lapgan.levelBatches(b.x, lapgan.classes > 0 ? b.y : undefined)[k]!)),
          noise: (n) => lapgan.noise(k, n, o.noise),
          ...(conditioning ? { conditioning } : {}),
          ...(o.loss ? { loss: o.loss } : {}),
          ...(o.smoothing !== undefined ? { smoothing: o.smoothing } : {}),
          epochs: epoch,
          startEpoch: epoch,
        }).subscribe({
          next: (e) => {
            if (e.type === 'step') subscriber.next({ ...e, step: offset + e.step, steps, terms: { ...e.terms, level: k } });
            if (e.type === 'epoch') closing = e;
          },
          error: reject,
          complete: () => (closing ? resolve(closing) : reject(new Error(`lapganTrain: level ${k} ended epoch ${epoch} without an epoch event`))),
        });
      });
    const run = async (): Promise<void> => {
      const started = performance.now();
      subscriber.next({ type: 'start', epochs, startEpoch, parameters: lapgan.parameters().reduce((s, p) => s + p.size, 0) });
      let known: number | null = null;
      for (let epoch = startEpoch; epoch <= epochs && !stopped; epoch++) {
        const byLevel: (TrainEvent & { type: 'epoch' })[] = [];
        let offset = 0;
        for (let k = lapgan.levels - 1; k >= 0 && !stopped; k--) {
          const e = await level(k, epoch, offset, known);
          offset += e.steps;
          byLevel[k] = e;
        }
        if (stopped) return;
        known = offset;
        const terms: Record<string, number> = {};
        for (const name of TERMS) terms[name] = byLevel.reduce((s, e) => s + (e.terms?.[name] ?? Number.NaN), 0) / byLevel.length;
        byLevel.forEach((e, k) => {
          for (const name of ['lossD', 'lossG'] as const) terms[`${name}@${lapgan.sizes[k]}`] = e.terms?.[name] ?? Number.NaN;
        });
        const event: TrainEvent & { type: 'epoch' } = {
          type: 'epoch',
          epoch,
          epochs,
          loss: terms['lossD']!,
          steps: offset,
          samples: byLevel[0]!.samples,
          seconds: byLevel.reduce((s, e) => s + e.seconds, 0),
          lr: byLevel[0]!.lr,
          backend: [...new Set(byLevel.flatMap((e) => e.backend.split('+')))].join('+'),
          terms,
        };
        subscriber.next(withEpochContext(event, state));
      }
      if (!stopped) {
        subscriber.next({ type: 'done', epochs, seconds: (performance.now() - started) / 1000 });
        subscriber.complete();
      }
    };
    run().catch((error: unknown) => {
      if (!stopped) subscriber.error(error);
    });
    return () => {
      stopped = true;
      inner?.unsubscribe();
    };
  });
}
