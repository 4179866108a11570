import { Optimizer, type OptimizerStateDict, type OptionValue } from './Optimizer.js';
import { describeValue } from '../tensor/describeValue.js';

/**
 * Several optimizers seen as one, for what takes one optimizer (a checkpoint, `resume`): a GAN's
 * generator and discriminator optimizers, or two parts of a net trained at different rates (what a
 * PyTorch optimizer's parameter groups do). `step()` and `zeroGrad()` call every member; the state
 * dict holds the members' per-parameter states one after the other and their learning rates and
 * options as `<member>.lr`, `<member>.<option>`, so a checkpoint restores each member exactly.
 * The members' parameters must be disjoint. The group's own `lr` is the first member's at
 * construction and is informative only (set each member's `lr`, or give each its scheduler).
 *
 * @example
 * const both = new OptimizerGroup([new Adam(g.parameters(), { lr: 2e-4 }), new Adam(d.parameters(), { lr: 2e-4 })]);
 * saveTrainState('runs/gan', { model: pair, optimizer: both }, epoch);
 * both.members[1].step(); // the discriminator's update alone
 */
export class OptimizerGroup extends Optimizer {
  readonly members: readonly Optimizer[];

  constructor(members: readonly Optimizer[]) {
    if (!Array.isArray(members) || members.length === 0) throw new TypeError(`OptimizerGroup: members must be a non-empty array of optimizers, got ${describeValue(members)}`);
    members.forEach((m, i) => {
      if (!(m instanceof Optimizer)) throw new TypeError(`OptimizerGroup: members[${i}] must be an Optimizer, got ${describeValue(m)}`);
    });
    super('OptimizerGroup', members.flatMap((m) => [...m.params]), members[0]!.lr);
    this.members = Object.freeze([...members]);
  }

  /** Steps every member in order. */
  step(): void {
    for (const m of this.members) m.step();
  }

  override zeroGrad(setToNone = false): void {
    for (const m of this.members) m.zeroGrad(setToNone);
  }

  protected options(): Record<string, OptionValue> {
    const out: Record<string, OptionValue> = {};
    this.members.forEach((m, i) => {
      const dict = m.stateDict();
      out[`${i}.lr`] = dict.lr;
      for (const [k, v] of Object.entries(dict.options)) out[`${i}.${k}`] = v;
    });
    return out;
  }

  protected setOptions(): void {}

  override stateDict(): OptimizerStateDict {
    return { type: this.type, lr: this.lr, options: this.options(), state: this.members.flatMap((m) => m.stateDict().state) };
  }

  /**
   * Restores every member from a dict of {@link OptimizerGroup.stateDict}: each member gets its
   * slice of `state`, its `<i>.lr` and `<i>.*` options, and checks them as its own
   * `loadStateDict` does. A member that refuses leaves every member as it was.
   */
  override loadStateDict(dict: OptimizerStateDict): this {
    const where = 'OptimizerGroup.loadStateDict';
    if (typeof dict !== 'object' || dict === null) throw new TypeError(`${where}: expected a state dict object, got ${describeValue(dict)}`);
    if (dict.type !== this.type) throw new Error(`${where}: the state dict is for a ${String(dict.type)} optimizer, not ${this.type}`);
    if (!Array.isArray(dict.state) || dict.state.length !== this.params.length) {
      throw new Error(`${where}: the state dict has state for ${Array.isArray(dict.state) ? dict.state.length : 'no'} parameters, this group has ${this.params.length}`);
    }
    const before = this.members.map((m) => m.stateDict());
    try {
      let offset = 0;
      this.members.forEach((m, i) => {
        const options: Record<string, OptionValue> = {};
        for (const [k, v] of Object.entries(dict.options ?? {})) if (k.startsWith(`${i}.`) && k !== `${i}.lr`) options[k.slice(String(i).length + 1)] = v;
        const lr = dict.options?.[`${i}.lr`];
        if (typeof lr !== 'number') throw new Error(`${where}: options['${i}.lr'] must be a number (member ${i}'s learning rate), got ${describeValue(lr)}`);
        const state = dict.state.slice(offset, offset + m.params.length);
        offset += m.params.length;
        m.loadStateDict({ type: m.type, lr, options, state });
      });
    } catch (e) {
      this.members.forEach((m, i) => m.loadStateDict(before[i]!));
      throw e;
    }
    this.lr = dict.lr;
    return this;
  }
}
