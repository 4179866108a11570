import { defaultGenerator, formatShape, linear, maskRows, Module, ShapeError, stackTensors, Tensor, unbind, type Generator } from '@eole/core';
import { checkSize, initBound, type RecurrentCellOptions } from './cellOptions.js';
import { HiddenProjection } from './HiddenProjection.js';

/** The state of a recurrent layer: h [L, N, H], and for an LSTM the cell state c [L, N, H]. */
export interface RecurrentState {
  h: Tensor;
  c?: Tensor;
}

/** Options of the sequence layers {@link RNN}, {@link LSTM} and {@link GRU}. */
export interface RecurrentOptions extends RecurrentCellOptions {
  /** Stacked layers L; layer l + 1 reads the output sequence of layer l (default 1). */
  numLayers?: number;
  /**
   * Dropout probability on the outputs of every layer but the last, in training mode (default 0),
   * the non-recurrent connections of Zaremba, Sutskever & Vinyals ("Recurrent neural network
   * regularization", 2014). The masks come from `rng`.
   */
  dropout?: number;
  /**
   * The layout of the input and output sequences: `false` (default, as PyTorch's
   * `batch_first=False`) reads x [T, N, in] and returns [T, N, H]; `true` reads x [N, T, in] and
   * returns [N, T, H]. The state is [L, N, H] either way, and `lengths` holds one length per sequence.
   */
  batchFirst?: boolean;
}

/** Options of {@link Recurrent.forwardWithState}. */
export interface SequenceOptions<S extends RecurrentState = RecurrentState> {
  /** The state before the first step, [L, N, H] each (default zeros). Pass a detached final state to continue a sequence (truncated BPTT). */
  initial?: S;
  /**
   * The length of each of the N sequences (1 ≤ length ≤ T) of a padded batch: steps at or past a
   * sequence's length leave its state unchanged and give zero outputs, so the final state is the
   * state after its last real step.
   */
  lengths?: ArrayLike<number> | Tensor;
}

/**
 * What {@link Recurrent.forwardWithState} returns: the last layer's outputs ([T, N, H], or
 * [N, T, H] with `batchFirst`) and the final state ([L, N, H] each, for either layout).
 */
export interface SequenceResult<S extends RecurrentState = RecurrentState> {
  output: Tensor;
  state: S;
}

/** One layer's state while unrolling: h [N, H] and, for an LSTM, c [N, H]. */
export interface StepState {
  h: Tensor;
  c: Tensor | null;
}

/** The parameters of one layer. */
interface LayerWeights {
  ih: Tensor;
  hh: Tensor;
  bih: Tensor | null;
  bhh: Tensor | null;
}

/**
 * Base of the sequence layers: a recurrent cell unrolled over time, stacked in layers, as
 * `torch.nn.RNN/LSTM/GRU` with the same parameter names (`weight_ih_l0`, `weight_hh_l0`,
 * `bias_ih_l0`, `bias_hh_l0`, `…_l1`, …) and layout, so a state dict loads in PyTorch. As in
 * PyTorch, sequences are time-major by default (input [T, N, in], output [T, N, H]); with
 * `batchFirst: true` (PyTorch's `batch_first=True`) they are [N, T, in] and [N, T, H]. The final
 * state h (and c) is [L, N, H] in both layouts; the layout is not part of the state dict.
 *
 * The unrolled graph (backpropagation through time: Werbos, "Backpropagation through time: what it
 * does and how to do it", Proc. IEEE 1990) is built step by step and differentiated by core's
 * autograd engine. To keep it fast, each layer projects the inputs of all T steps with one matmul
 * (x·W_ihᵀ + b, [T·N, G·H], read per step as views by {@link unbind}), each step adds only h·W_hhᵀ
 * and the cell's fused gate kernel, and the gradient of W_hh is one matmul over all steps
 * ({@link HiddenProjection}). Layers are stacked with dropout between them; variable lengths are
 * masked ({@link maskRows}). Truncated BPTT (Williams & Peng, Neural Computation 1990): feed the
 * detached final state of one chunk ({@link detachState}) as `initial` of the next.
 */
export abstract class Recurrent<S extends RecurrentState = RecurrentState> extends Module {
  /** The final state of the last `forward` or `forwardWithState`. */
  finalState: S | null = null;
  readonly numLayers: number;
  readonly dropout: number;
  /** Whether sequences are [N, T, ·] (true) or [T, N, ·] (false, the default, as PyTorch). */
  readonly batchFirst: boolean;
  private readonly rng: Generator;
  private readonly layers: LayerWeights[] = [];

  protected constructor(
    kind: string,
    /** Gate blocks G in the weights: 1 (RNN), 4 (LSTM), 3 (GRU). */
    protected readonly gates: number,
    /** Whether the state carries a cell c (LSTM). */
    protected readonly hasCell: boolean,
    readonly inputSize: number,
    readonly hiddenSize: number,
    options: RecurrentOptions,
  ) {
    super();
    checkSize(kind, 'inputSize', inputSize);
    checkSize(kind, 'hiddenSize', hiddenSize);
    this.numLayers = options.numLayers ?? 1;
    checkSize(kind, 'numLayers', this.numLayers);
    this.dropout = options.dropout ?? 0;
    if (typeof this.dropout !== 'number' || !(this.dropout >= 0 && this.dropout < 1)) throw new RangeError(`${kind}: dropout must be a probability in [0, 1), got ${String(this.dropout)}`);
    this.batchFirst = options.batchFirst ?? false;
    if (typeof this.batchFirst !== 'boolean') throw new TypeError(`${kind}: batchFirst must be a boolean, got ${String(this.batchFirst)}`);
    this.rng = options.rng ?? defaultGenerator;
    const k = initBound(hiddenSize);
    const G = gates * hiddenSize;
    for (let l = 0; l < this.numLayers; l++) {
      const inSize = l === 0 ? inputSize : hiddenSize;
      const ih = this.registerParameter(`weight_ih_l${l}`, Tensor.uniform([G, inSize], this.rng, -k, k));
      const hh = this.registerParameter(`weight_hh_l${l}`, Tensor.uniform([G, hiddenSize], this.rng, -k, k));
      const bias = options.bias !== false;
      const bih = bias ? this.registerParameter(`bias_ih_l${l}`, Tensor.uniform([G], this.rng, -k, k)) : null;
      const bhh = bias ? this.registerParameter(`bias_hh_l${l}`, Tensor.uniform([G], this.rng, -k, k)) : null;
      this.layers.push({ ih, hh, bih, bhh });
    }
  }

  /**
   * Whether b_hh can be folded into the input projection (RNN, LSTM: the gates see b_ih + b_hh);
   * the GRU keeps it with h·W_hhᵀ because r multiplies it.
   */
  protected abstract readonly foldsHiddenBias: boolean;

  /** One step of the cell: the new state from the input gates xg and the hidden gates hg [N, G·H]. */
  protected abstract cellStep(xg: Tensor, hg: Tensor, prev: StepState): StepState;

  /** The output sequence ([T, N, H], or [N, T, H] with `batchFirst`) from the zero state; the final state goes to {@link Recurrent.finalState}. */
  protected updateOutput(input: Tensor): Tensor {
    return this.forwardWithState(input).output;
  }

  /**
   * Runs the layers over x ([T, N, in], or [N, T, in] with `batchFirst`) from `initial` (default
   * zeros), masking steps past each sequence's `lengths`. Returns the last layer's outputs in the
   * input's layout ([T, N, H] or [N, T, H]) and the final state of every layer ([L, N, H] each).
   *
   * @example
   * const { output, state } = lstm.forwardWithState(x, { initial: detachState(prev) });
   */
  forwardWithState(x: Tensor, options: SequenceOptions<S> = {}): SequenceResult<S> {
    const [N, T] = this.checkInput(x);
    const lengths = options.lengths === undefined ? null : this.checkLengths(options.lengths, N, T);
    const initial = this.initialStates(options.initial, N);
    const H = this.hiddenSize;
    let input = this.batchFirst ? x.permute([1, 0, 2]) : x;
    const finals: StepState[] = [];
    for (let l = 0; l < this.numLayers; l++) {
      const { ys, last } = this.runLayer(this.layers[l]!, input, initial[l]!, lengths, N, T);
      finals.push(last);
      input = stackTensors(ys);
      if (l < this.numLayers - 1 && this.training && this.dropout > 0) input = input.mul(this.dropoutMask([T, N, H]));
    }
    const output = this.batchFirst ? input.permute([1, 0, 2]) : input;
    const h = stackTensors(finals.map((s) => s.h));
    const state = (this.hasCell ? { h, c: stackTensors(finals.map((s) => s.c!)) } : { h }) as S;
    this.output = output;
    this.finalState = state;
    return { output, state };
  }

  private runLayer(w: LayerWeights, input: Tensor, initial: StepState, lengths: Int32Array | null, N: number, T: number): { ys: Tensor[]; last: StepState } {
    const H = this.hiddenSize;
    const G = this.gates * H;
    const inSize = input.shape[2]!;
    const bias = this.foldsHiddenBias && w.bih && w.bhh ? w.bih.add(w.bhh) : w.bih;
    const xs = unbind(linear(input.reshape([T * N, inSize]), w.ih, bias).reshape([T, N, G]));
    const projection = new HiddenProjection(w.hh, this.foldsHiddenBias ? null : w.bhh, T);
    let minLen = T;
    let maxLen = T;
    if (lengths) {
      minLen = Math.min(...lengths);
      maxLen = Math.max(...lengths);
    }
    let state = initial;
    const ys: Tensor[] = [];
    for (let t = 0; t < T; t++) {
      if (t >= maxLen) {
        ys.push(Tensor.zeros([N, H]));
        continue;
      }
      const next = this.cellStep(xs[t]!, projection.apply(state.h, t), state);
      if (lengths && t >= minLen) {
        const keep = Float32Array.from(lengths, (len) => (t < len ? 1 : 0));
        ys.push(maskRows(next.h, null, keep));
        state = { h: maskRows(next.h, state.h, keep), c: next.c && state.c ? maskRows(next.c, state.c, keep) : null };
      } else {
        ys.push(next.h);
        state = next;
      }
    }
    return { ys, last: state };
  }

  /** Checks x and returns [N, T] whatever the layout. */
  private checkInput(x: Tensor): [number, number] {
    const layout = this.batchFirst ? `batch-first [N, T, ${this.inputSize}]` : `time-major [T, N, ${this.inputSize}] (batchFirst: false)`;
    if (!(x instanceof Tensor)) throw new TypeError(`${this.typeName()}: input must be a Tensor ${layout}`);
    if (x.ndim !== 3 || x.shape[2] !== this.inputSize) {
      throw new ShapeError(this.typeName(), `input must be ${layout}, got ${formatShape(x.shape)}`);
    }
    const [N, T] = (this.batchFirst ? [x.shape[0]!, x.shape[1]!] : [x.shape[1]!, x.shape[0]!]) as [number, number];
    if (N < 1 || T < 1) throw new ShapeError(this.typeName(), `input needs at least one sequence and one step, got ${formatShape(x.shape)}`);
    return [N, T];
  }

  private checkLengths(lengths: ArrayLike<number> | Tensor, N: number, T: number): Int32Array {
    const values = lengths instanceof Tensor ? lengths.data : lengths;
    if (values.length !== N) throw new ShapeError(this.typeName(), `lengths must hold one length per sequence (${N}), got ${values.length}`);
    const out = new Int32Array(N);
    for (let i = 0; i < N; i++) {
      const v = values[i]!;
      if (!Number.isInteger(v) || v < 1 || v > T) throw new RangeError(`${this.typeName()}: lengths[${i}] must be an integer in [1, ${T}] (the input has T = ${T} steps), got ${v}`);
      out[i] = v;
    }
    return out;
  }

  private initialStates(initial: S | undefined, N: number): StepState[] {
    const L = this.numLayers;
    const H = this.hiddenSize;
    if (!initial) return Array.from({ length: L }, () => ({ h: Tensor.zeros([N, H]), c: this.hasCell ? Tensor.zeros([N, H]) : null }));
    const check = (name: string, t: Tensor | undefined): Tensor => {
      if (!(t instanceof Tensor)) throw new TypeError(`${this.typeName()}: initial.${name} must be a Tensor [${L}, ${N}, ${H}]`);
      if (t.ndim !== 3 || t.shape[0] !== L || t.shape[1] !== N || t.shape[2] !== H) {
        throw new ShapeError(this.typeName(), `initial.${name} must be [numLayers, N, H] = [${L}, ${N}, ${H}], got ${formatShape(t.shape)}`);
      }
      return t;
    };
    const hs = unbind(check('h', initial.h));
    if (!this.hasCell && initial.c !== undefined) throw new Error(`${this.typeName()}: initial.c is only for an LSTM; give { h }`);
    const cs = this.hasCell ? unbind(check('c', initial.c)) : null;
    return hs.map((h, l) => ({ h, c: cs ? cs[l]! : null }));
  }

  private dropoutMask(shape: number[]): Tensor {
    const keep = 1 - this.dropout;
    const mask = Tensor.zeros(shape);
    for (let i = 0; i < mask.size; i++) mask.data[i] = this.rng.uniform() < keep ? 1 / keep : 0;
    return mask;
  }

  override toString(): string {
    const extra = [
      this.numLayers > 1 ? `${this.numLayers} layers` : '',
      this.dropout > 0 ? `dropout ${this.dropout}` : '',
      this.layers[0]!.bih ? '' : 'without bias',
      this.batchFirst ? 'batch first' : '',
    ].filter((s) => s !== '');
    return `${this.typeName()}(${this.inputSize} -> ${this.hiddenSize}${extra.map((e) => `, ${e}`).join('')})`;
  }
}

/**
 * A state cut from the graph that produced it, for truncated backpropagation through time: the
 * next chunk starts from the same values without backpropagating into the previous one.
 *
 * @example
 * state = detachState(lstm.forwardWithState(chunk, { initial: state }).state);
 */
export function detachState<S extends RecurrentState>(state: S): S {
  return (state.c ? { ...state, h: state.h.detach(), c: state.c.detach() } : { ...state, h: state.h.detach() }) as S;
}
