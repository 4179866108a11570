import type { Optimizer } from './Optimizer.js';

/** A learning-rate schedule's state, JSON-able, to save beside the optimizer's. */
export interface LRSchedulerStateDict {
  /** The schedule's class, e.g. `StepLR`. */
  type: string;
  /** The learning rate the schedule started from. */
  baseLr: number;
  /** Number of `step()` calls so far (the epoch index). */
  lastEpoch: number;
}

/**
 * Base of the epoch-wise learning-rate schedules, as `torch.optim.lr_scheduler.LRScheduler` with
 * closed forms: the schedule is a function lr(e) of the epoch index e, with lr(0) = the optimizer's
 * learning rate at construction (`baseLr`). Call {@link LRScheduler.step} once per epoch, after
 * that epoch's optimizer steps; it sets `optimizer.lr = lr(e + 1)`.
 *
 * @example
 * const sched = new StepLR(opt, { stepSize: 30, gamma: 0.1 });
 * for (let epoch = 0; epoch < 90; epoch++) { trainOneEpoch(opt); sched.step(); }
 */
export abstract class LRScheduler {
  /** The learning rate at epoch 0. */
  baseLr: number;
  /** The current epoch index (number of `step()` calls). */
  lastEpoch = 0;
  private lastLr: number;

  protected constructor(readonly type: string, readonly optimizer: Optimizer) {
    if (typeof optimizer !== 'object' || optimizer === null || typeof optimizer.lr !== 'number') {
      throw new TypeError(`${type}: optimizer must be an Optimizer`);
    }
    this.baseLr = optimizer.lr;
    this.lastLr = optimizer.lr;
  }

  /** The closed-form learning rate at epoch `epoch`. */
  abstract lrAt(epoch: number): number;

  /** Advances one epoch and sets the optimizer's learning rate. */
  step(): void {
    this.lastEpoch += 1;
    this.apply();
  }

  /** The learning rate last set on the optimizer (PyTorch `get_last_lr()`, one group). */
  getLastLr(): number {
    return this.lastLr;
  }

  stateDict(): LRSchedulerStateDict {
    return { type: this.type, baseLr: this.baseLr, lastEpoch: this.lastEpoch };
  }

  /** Restores a state from {@link LRScheduler.stateDict} and sets the optimizer's learning rate to lr(lastEpoch). */
  loadStateDict(dict: LRSchedulerStateDict): this {
    const where = `${this.type}.loadStateDict`;
    if (dict?.type !== this.type) throw new Error(`${where}: the state dict is for a ${String(dict?.type)} schedule, not ${this.type}`);
    if (!Number.isInteger(dict.lastEpoch) || dict.lastEpoch < 0) throw new RangeError(`${where}: lastEpoch must be an integer >= 0, got ${String(dict.lastEpoch)}`);
    if (typeof dict.baseLr !== 'number' || !Number.isFinite(dict.baseLr) || dict.baseLr < 0) throw new RangeError(`${where}: baseLr must be a finite number >= 0, got ${String(dict.baseLr)}`);
    this.baseLr = dict.baseLr;
    this.lastEpoch = dict.lastEpoch;
    this.apply();
    return this;
  }

  private apply(): void {
    this.lastLr = this.lrAt(this.lastEpoch);
    this.optimizer.lr = this.lastLr;
  }
}
