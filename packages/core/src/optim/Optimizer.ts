import { Tensor } from '../tensor/Tensor.js';
import { describeValue } from '../tensor/describeValue.js';

/** Per-parameter optimizer state: buffers (one value per parameter element) and counters. */
export type ParamState = Record<string, Float32Array | number>;

/** A hyperparameter value as it appears in a state dict. */
export type OptionValue = number | boolean | number[];

/**
 * An optimizer's state as plain JSON-able data: float32 buffers become `number[]`, which
 * `JSON.stringify`/`JSON.parse` carry exactly (every float32 value is a double that prints and
 * parses back to itself), so a resumed run continues bit for bit. Non-finite buffer values
 * (NaN, ±Infinity) do not survive JSON; a diverged run is not worth resuming anyway.
 */
export interface OptimizerStateDict {
  /** The optimizer's class, e.g. `SGD`. */
  type: string;
  /** The learning rate when the state was taken. */
  lr: number;
  /** The other hyperparameters (momentum, betas, ...). */
  options: Record<string, OptionValue>;
  /** State of each parameter, by position in `params`; `null` before its first update. */
  state: (Record<string, number | number[]> | null)[];
}

/**
 * Base of the first-order optimizers (DESIGN.md, layer 5), as `torch.optim.Optimizer` with a single
 * parameter group: it holds the parameters, the learning rate `lr` (a schedule changes it between
 * steps), per-parameter state, and the verbs `step()`, `zeroGrad()`, `stateDict()`,
 * `loadStateDict()`. Subclasses implement the update θ ← θ − lr·u(∇θ, state) in {@link Optimizer.step}
 * as registry kernels, writing results back into `param.data` so the parameter tensors stay the
 * module's own. Parameters whose `grad` is `null` are skipped.
 *
 * @example
 * const opt = new SGD(net.parameters(), { lr: 0.1 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 * const saved = JSON.stringify(opt.stateDict());
 */
export abstract class Optimizer {
  /** The tensors this optimizer updates, in order (the state dict refers to them by position). */
  readonly params: readonly Tensor[];
  /** The learning rate of the next step. */
  lr: number;
  /** State of each parameter, by position; empty until its first update. */
  protected readonly state: ParamState[];

  protected constructor(readonly type: string, params: Iterable<Tensor>, lr: number) {
    const list = [...params];
    list.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TypeError(`${type}: params[${i}] must be a Tensor, got ${describeValue(p)}`);
      const first = list.indexOf(p);
      if (first !== i) throw new Error(`${type}: params[${i}] is the same tensor as params[${first}]; each parameter may appear once`);
    });
    checkNonNegative(type, 'lr', lr);
    this.params = Object.freeze(list);
    this.lr = lr;
    this.state = list.map(() => ({}));
  }

  /** Applies one update to every parameter that has a gradient. */
  abstract step(): void;

  /** Hyperparameters other than `lr`, as saved in the state dict. */
  protected abstract options(): Record<string, OptionValue>;

  /** Restores hyperparameters from a state dict (validated as the constructor does). */
  protected abstract setOptions(options: Record<string, unknown>): void;

  /**
   * Clears the gradients before the next backward pass: fills them with zeros (Torch7
   * `zeroGradParameters`), or drops them when `setToNone` (PyTorch's default).
   */
  zeroGrad(setToNone = false): void {
    for (const p of this.params) {
      if (setToNone) p.grad = null;
      else p.zeroGrad();
    }
  }

  /** A JSON-able copy of the learning rate, hyperparameters and per-parameter state. */
  stateDict(): OptimizerStateDict {
    return {
      type: this.type,
      lr: this.lr,
      options: this.options(),
      state: this.state.map((s) => {
        const entries = Object.entries(s);
        if (entries.length === 0) return null;
        return Object.fromEntries(entries.map(([k, v]) => [k, typeof v === 'number' ? v : Array.from(v)]));
      }),
    };
  }

  /**
   * Restores a state from {@link Optimizer.stateDict} (possibly after a JSON round trip): the
   * learning rate, the hyperparameters and every buffer. The dict must come from the same optimizer
   * type over parameters of the same sizes, in the same order.
   */
  loadStateDict(dict: OptimizerStateDict): this {
    const where = `${this.type}.loadStateDict`;
    if (typeof dict !== 'object' || dict === null) throw new TypeError(`${where}: expected a state dict object, got ${describeValue(dict)}`);
    if (dict.type !== this.type) throw new Error(`${where}: the state dict is for a ${String(dict.type)} optimizer, not ${this.type}`);
    if (!Array.isArray(dict.state) || dict.state.length !== this.params.length) {
      throw new Error(`${where}: the state dict has state for ${Array.isArray(dict.state) ? dict.state.length : 'no'} parameters, this optimizer has ${this.params.length}`);
    }
    checkNonNegative(where, 'lr', dict.lr);
    const restored = dict.state.map((s, i) => this.parseParamState(where, s, i));
    this.setOptions(dict.options ?? {});
    this.lr = dict.lr;
    restored.forEach((s, i) => {
      const target = this.state[i]!;
      for (const k of Object.keys(target)) delete target[k];
      Object.assign(target, s);
    });
    return this;
  }

  private parseParamState(where: string, s: Record<string, number | number[]> | null, i: number): ParamState {
    if (s === null) return {};
    if (typeof s !== 'object') throw new TypeError(`${where}: state[${i}] must be an object or null, got ${describeValue(s)}`);
    const size = this.params[i]!.size;
    const out: ParamState = {};
    for (const [k, v] of Object.entries(s)) {
      if (typeof v === 'number') {
        out[k] = v;
      } else if (Array.isArray(v)) {
        if (v.length !== size) throw new Error(`${where}: state[${i}].${k} has ${v.length} values, parameter ${i} has ${size}`);
        if (!v.every((x) => typeof x === 'number')) throw new TypeError(`${where}: state[${i}].${k} must hold numbers only`);
        out[k] = Float32Array.from(v);
      } else {
        throw new TypeError(`${where}: state[${i}].${k} must be a number or an array of numbers, got ${describeValue(v)}`);
      }
    }
    return out;
  }
}

/** Throws unless `value` is a finite number ≥ 0. */
export function checkNonNegative(where: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${where}: ${name} must be a finite number >= 0, got ${String(value)}`);
  }
}
