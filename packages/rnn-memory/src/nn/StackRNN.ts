import { concat, defaultGenerator, formatShape, linear, Module, narrow, ShapeError, stackTensors, Tensor, unbind, type Generator } from '@eole/core';
import { checkSize, initBound } from './cellOptions.js';

/** Options of {@link StackRNN}. */
export interface StackRNNOptions {
  /** Number of stacks K, each with its own actions and pushed value (default 1). */
  numStacks?: number;
  /** Depth bound D of every stack: cells below D are dropped on a push (default 40, i.e. 2 × a longest sequence of 20). */
  stackDepth?: number;
  /** How many top cells k of each stack the hidden state reads (default 2, as in the paper). */
  readDepth?: number;
  /** The value of an empty stack cell, pushed up from below D on a pop (default −1, outside σ's range (0, 1)). */
  emptyValue?: number;
  /**
   * In evaluation mode, replace the action probabilities by the one-hot of their argmax, so that
   * the stack does exact push/pop/no-op (the paper's "discretization" at test time, default true).
   * Training always uses the continuous actions.
   */
  discreteInEval?: boolean;
  /**
   * Keep the recurrent matrix R (default true). Without it (`weight_hh` absent) the only memory
   * from step to step is the stacks, which forces the net to count with them.
   */
  recurrent?: boolean;
  /** Generator of the initial weights (default: the global one). */
  rng?: Generator;
}

/** The state of a {@link StackRNN}: the hidden state h [N, H] and the stacks [N, K, D] (cell 0 is the top). */
export interface StackState {
  h: Tensor;
  stacks: Tensor;
}

/** What {@link StackRNN.forwardWithState} returns: the hidden states [N, T, H], the final state and the action probabilities [N, T, K, 3]. */
export interface StackSequenceResult {
  output: Tensor;
  state: StackState;
  actions: Tensor;
}

/**
 * A recurrent net with differentiable stacks (Joulin & Mikolov, "Inferring Algorithmic Patterns
 * with Stack-Augmented Recurrent Nets", NIPS 2015). At each step t, for input x_t [N, in],
 *
 *   h_t = σ(U x_t + R h_{t−1} + P s_{t−1}[0:k] + b)
 *   a_t = softmax(A h_t + b_A)           over {push, pop, no-op}, one softmax per stack
 *   s_t[0] = a_push · σ(D h_t + b_D) + a_pop · s_{t−1}[1] + a_noop · s_{t−1}[0]
 *   s_t[i] = a_push · s_{t−1}[i−1]  + a_pop · s_{t−1}[i+1] + a_noop · s_{t−1}[i]     (0 < i < D)
 *
 * with scalar stack cells, s_{t−1}[D] = the empty value (−1 by default) and the stacks starting
 * empty. Several stacks (K) each have their own rows of A, D and columns of P. The stack update is
 * built from core ops (narrow, concat, broadcasting mul/add), so autograd differentiates through
 * the unrolled steps (backpropagation through time). In evaluation mode the actions are rounded to
 * the one-hot of their argmax by default, as the paper does at test time.
 *
 * Parameters: `weight_ih` U [H, in], `bias_ih` b [H], `weight_hh` R [H, H] (absent with
 * `recurrent: false`, which leaves the stacks as the only memory), `weight_sh` P
 * [H, K·k], `weight_action` A [3K, H], `bias_action` [3K], `weight_push` D [K, H], `bias_push`
 * [K], uniform in ±1/√H. Input [N, T, in] (typically one-hot), output h [N, T, H].
 *
 * @example
 * const net = new StackRNN(3, 20, { stackDepth: 40, rng: new Generator(1) });
 * const { output, state, actions } = net.forwardWithState(oneHot);   // [N, T, 20]
 */
export class StackRNN extends Module {
  readonly weight_ih: Tensor;
  readonly bias_ih: Tensor;
  readonly weight_hh: Tensor | null;
  readonly weight_sh: Tensor;
  readonly weight_action: Tensor;
  readonly bias_action: Tensor;
  readonly weight_push: Tensor;
  readonly bias_push: Tensor;
  readonly numStacks: number;
  readonly stackDepth: number;
  readonly readDepth: number;
  readonly emptyValue: number;
  /** Whether evaluation mode rounds the actions (see {@link StackRNNOptions.discreteInEval}); may be changed. */
  discreteInEval: boolean;
  /** The final state of the last forward. */
  finalState: StackState | null = null;
  /** The action probabilities [N, T, K, 3] of the last forward (push, pop, no-op). */
  lastActions: Tensor | null = null;

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    options: StackRNNOptions = {},
  ) {
    super();
    checkSize('StackRNN', 'inputSize', inputSize);
    checkSize('StackRNN', 'hiddenSize', hiddenSize);
    this.numStacks = options.numStacks ?? 1;
    this.stackDepth = options.stackDepth ?? 40;
    this.readDepth = options.readDepth ?? 2;
    checkSize('StackRNN', 'numStacks', this.numStacks);
    checkSize('StackRNN', 'stackDepth', this.stackDepth);
    checkSize('StackRNN', 'readDepth', this.readDepth);
    if (this.stackDepth < 2) throw new RangeError(`StackRNN: stackDepth must be at least 2, got ${this.stackDepth}`);
    if (this.readDepth > this.stackDepth) throw new RangeError(`StackRNN: readDepth (${this.readDepth}) must not exceed stackDepth (${this.stackDepth})`);
    this.emptyValue = options.emptyValue ?? -1;
    if (!Number.isFinite(this.emptyValue)) throw new RangeError(`StackRNN: emptyValue must be a finite number, got ${String(this.emptyValue)}`);
    this.discreteInEval = options.discreteInEval ?? true;
    const rng = options.rng ?? defaultGenerator;
    const H = hiddenSize;
    const K = this.numStacks;
    const k = initBound(H);
    const u = (shape: number[]): Tensor => Tensor.uniform(shape, rng, -k, k);
    this.weight_ih = this.registerParameter('weight_ih', u([H, inputSize]));
    this.bias_ih = this.registerParameter('bias_ih', u([H]));
    this.weight_hh = options.recurrent === false ? null : this.registerParameter('weight_hh', u([H, H]));
    this.weight_sh = this.registerParameter('weight_sh', u([H, K * this.readDepth]));
    this.weight_action = this.registerParameter('weight_action', u([3 * K, H]));
    this.bias_action = this.registerParameter('bias_action', u([3 * K]));
    this.weight_push = this.registerParameter('weight_push', u([K, H]));
    this.bias_push = this.registerParameter('bias_push', u([K]));
  }

  /** The state before the first step: h = 0 and empty stacks, for N sequences. */
  initialState(N: number): StackState {
    return { h: Tensor.zeros([N, this.hiddenSize]), stacks: Tensor.full([N, this.numStacks, this.stackDepth], this.emptyValue) };
  }

  /**
   * One step from x [N, in] and the previous state; returns the new state and the actions [N, K, 3].
   *
   * @example
   * let s = net.initialState(N);
   * ({ state: s } = net.step(x0, s));
   */
  step(x: Tensor, prev: StackState): { state: StackState; actions: Tensor } {
    const N = x.shape[0]!;
    const K = this.numStacks;
    const D = this.stackDepth;
    if (x.ndim !== 2 || x.shape[1] !== this.inputSize) throw new ShapeError(this.typeName(), `step input must be [N, ${this.inputSize}], got ${formatShape(x.shape)}`);
    this.checkState(prev, N);
    const top = narrow(prev.stacks, 2, 0, this.readDepth).reshape([N, K * this.readDepth]);
    let pre = linear(x, this.weight_ih, this.bias_ih);
    if (this.weight_hh) pre = pre.add(linear(prev.h, this.weight_hh, null));
    const h = pre.add(linear(top, this.weight_sh, null)).sigmoid();
    let actions = linear(h, this.weight_action, this.bias_action).reshape([N, K, 3]).softmax(2);
    if (!this.training && this.discreteInEval) actions = oneHotArgmax(actions);
    const pushed = linear(h, this.weight_push, this.bias_push).sigmoid().reshape([N, K, 1]);
    const down = concat([pushed, narrow(prev.stacks, 2, 0, D - 1)], 2);
    const up = concat([narrow(prev.stacks, 2, 1, D - 1), Tensor.full([N, K, 1], this.emptyValue)], 2);
    const stacks = narrow(actions, 2, 0, 1).mul(down).add(narrow(actions, 2, 1, 1).mul(up)).add(narrow(actions, 2, 2, 1).mul(prev.stacks));
    return { state: { h, stacks }, actions };
  }

  /** The hidden states [N, T, H] from empty stacks; the final state goes to {@link StackRNN.finalState}. */
  protected updateOutput(input: Tensor): Tensor {
    return this.forwardWithState(input).output;
  }

  /**
   * Runs over x [N, T, in] from `initial` (default: h = 0, empty stacks). Returns the hidden
   * states [N, T, H], the final state and the actions [N, T, K, 3].
   */
  forwardWithState(x: Tensor, initial?: StackState): StackSequenceResult {
    if (!(x instanceof Tensor) || x.ndim !== 3 || x.shape[2] !== this.inputSize) {
      throw new ShapeError(this.typeName(), `input must be batch-first [N, T, ${this.inputSize}], got ${x instanceof Tensor ? `${formatShape(x.shape)}` : typeof x}`);
    }
    const [N, T] = x.shape as [number, number];
    let state = initial ?? this.initialState(N);
    const xs = unbind(x.permute([1, 0, 2]));
    const hs: Tensor[] = [];
    const acts: Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const r = this.step(xs[t]!, state);
      state = r.state;
      hs.push(state.h);
      acts.push(r.actions);
    }
    const output = stackTensors(hs).permute([1, 0, 2]);
    const actions = stackTensors(acts).permute([1, 0, 2, 3]);
    this.output = output;
    this.finalState = state;
    this.lastActions = actions;
    return { output, state, actions };
  }

  private checkState(s: StackState, N: number): void {
    const H = this.hiddenSize;
    if (!(s.h instanceof Tensor) || s.h.ndim !== 2 || s.h.shape[0] !== N || s.h.shape[1] !== H) {
      throw new ShapeError(this.typeName(), `state.h must be [N, H] = [${N}, ${H}], got ${s.h instanceof Tensor ? `${formatShape(s.h.shape)}` : typeof s.h}`);
    }
    const want = [N, this.numStacks, this.stackDepth];
    if (!(s.stacks instanceof Tensor) || s.stacks.ndim !== 3 || s.stacks.shape.some((d, i) => d !== want[i])) {
      throw new ShapeError(this.typeName(), `state.stacks must be [N, K, D] = ${formatShape(want)}, got ${s.stacks instanceof Tensor ? `${formatShape(s.stacks.shape)}` : typeof s.stacks}`);
    }
  }

  override toString(): string {
    return `${this.typeName()}(${this.inputSize} -> ${this.hiddenSize}, ${this.numStacks} stack${this.numStacks > 1 ? 's' : ''} of depth ${this.stackDepth}, reads top ${this.readDepth}${this.weight_hh ? '' : ', no recurrent matrix'})`;
  }
}

/** The one-hot of the argmax along the last axis (a constant: no gradient). */
function oneHotArgmax(p: Tensor): Tensor {
  const last = p.shape[p.ndim - 1]!;
  const out = Tensor.zeros(p.shape);
  for (let r = 0; r < p.size / last; r++) {
    let best = 0;
    for (let j = 1; j < last; j++) if (p.data[r * last + j]! > p.data[r * last + best]!) best = j;
    out.data[r * last + best] = 1;
  }
  return out;
}
