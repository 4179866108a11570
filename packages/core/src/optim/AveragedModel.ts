import type { Module } from '../nn/Module.js';
import type { Tensor } from '../tensor/Tensor.js';

/** Options of {@link AveragedModel}. */
export interface AveragedModelOptions {
  /**
   * Exponential moving average with this decay β ∈ [0, 1): θ̄ ← β·θ̄ + (1 − β)·θ after every
   * update. Without it, the plain running mean of every update (stochastic weight averaging).
   */
  decay?: number;
  /**
   * Updates before averaging begins (SWA's start, Izmailov et al. 2018: e.g. the steps of the first
   * three quarters of the epochs). Until then every update copies the model, so the running mean
   * covers updates start + 1, start + 2, … only. Default 0.
   */
  start?: number;
}

/** The state of an {@link AveragedModel} besides its tensors. */
export interface AveragedModelState {
  /** Updates averaged so far (0: the average still holds whatever it was built with). */
  count: number;
}

/**
 * An average of a model's weights over training, kept in a second module of the same structure,
 * as PyTorch's `torch.optim.swa_utils.AveragedModel`: Polyak–Ruppert averaging (Polyak &
 * Juditsky, "Acceleration of stochastic approximation by averaging", SIAM J. Control Optim. 1992),
 * either the running mean θ̄ₙ = θ̄ₙ₋₁ + (θₙ − θ̄ₙ₋₁)/n (stochastic weight averaging, Izmailov et
 * al., UAI 2018) or, with `decay` β, the exponential moving average θ̄ₙ = β·θ̄ₙ₋₁ + (1 − β)·θₙ. The
 * first update copies the model (with `start`, every update up to the first averaged one). Every tensor of the state dict is averaged (parameters and
 * buffers alike). `average` is the module that holds the averaged weights: evaluate it, save it.
 *
 * Give it to `train({ ..., average })` and it is updated after every optimizer step and saved in,
 * and restored from, the run's checkpoint.
 *
 * @example
 * const net = makeNet(new Generator(1));
 * const averaged = new AveragedModel(net, makeNet(new Generator(1)), { decay: 0.998 });
 * train({ model: net, criterion, optimizer, data, epochs: 8, average: averaged });
 * averaged.average.evaluate().forward(x); // the averaged weights
 * const swa = new AveragedModel(net, makeNet(new Generator(1)), { start: 6 * stepsPerEpoch }); // the last 2 of 8 epochs
 */
export class AveragedModel {
  readonly decay: number | undefined;
  readonly start: number;
  private countValue = 0;
  private readonly pairs: (readonly [name: string, source: Tensor, target: Tensor])[];

  /**
   * @param model the model being trained.
   * @param average a module of the same structure (same state-dict names and shapes), built apart
   *   (e.g. by the same factory); it is overwritten with the model's weights now.
   */
  constructor(
    readonly model: Module,
    readonly average: Module,
    options: AveragedModelOptions = {},
  ) {
    if (average === model) throw new TypeError('AveragedModel: average must be a separate module of the same structure as model, got the model itself');
    const { decay } = options;
    if (decay !== undefined && !(typeof decay === 'number' && decay >= 0 && decay < 1)) throw new RangeError(`AveragedModel: decay must be a number in [0, 1), got ${String(decay)}`);
    this.decay = decay;
    const start = options.start ?? 0;
    if (!(Number.isSafeInteger(start) && start >= 0)) throw new RangeError(`AveragedModel: start must be a non-negative integer (updates before averaging begins), got ${String(options.start)}`);
    this.start = start;
    const source = model.stateDict();
    const target = average.stateDict();
    const missing = [...source.keys()].filter((k) => !target.has(k));
    const extra = [...target.keys()].filter((k) => !source.has(k));
    if (missing.length > 0 || extra.length > 0) {
      throw new TypeError(`AveragedModel: average must have the model's state dict; missing ${JSON.stringify(missing)}, unexpected ${JSON.stringify(extra)}`);
    }
    this.pairs = [...source].map(([name, s]) => {
      const t = target.get(name)!;
      if (s.shape.join(',') !== t.shape.join(',')) throw new TypeError(`AveragedModel: '${name}' is [${s.shape.join(', ')}] in model but [${t.shape.join(', ')}] in average`);
      return [name, s, t] as const;
    });
    this.copy();
  }

  /** Updates averaged so far. */
  get count(): number {
    return this.countValue;
  }

  /** Folds the model's current weights into the average (after an optimizer step). */
  update(): void {
    this.countValue++;
    const n = this.countValue - this.start; // the updates averaged, this one included
    if (n <= 1) return this.copy();
    const w = this.decay === undefined ? 1 / n : 1 - this.decay;
    for (const [, s, t] of this.pairs) {
      const from = s.data;
      const to = t.data;
      for (let i = 0; i < to.length; i++) to[i] = to[i]! + w * (from[i]! - to[i]!);
    }
  }

  /** The count, for a checkpoint (the tensors are `average.stateDict()`). */
  stateDict(): AveragedModelState {
    return { count: this.countValue };
  }

  /** Restores {@link stateDict}'s count (the tensors go through `average.loadStateDict`). */
  loadStateDict(state: AveragedModelState): void {
    if (!(Number.isSafeInteger(state?.count) && state.count >= 0)) throw new RangeError(`AveragedModel: state.count must be a non-negative integer, got ${String(state?.count)}`);
    this.countValue = state.count;
  }

  private copy(): void {
    for (const [, s, t] of this.pairs) t.data.set(s.data);
  }
}
