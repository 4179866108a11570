import { defaultGenerator, formatShape, Linear, Module, noGrad, ShapeError, Tensor, type Generator } from '@eole/core';
import { checkSize } from './cellOptions.js';
import { LookupTable } from './LookupTable.js';
import { LSTM } from './LSTM.js';
import type { LSTMState } from './LSTMCell.js';

/** Options of {@link Seq2Seq}. */
export interface Seq2SeqOptions {
  /** Embedding size of source and target tokens (default 32). */
  embedSize?: number;
  /** Hidden size H of both LSTMs (default 128). */
  hiddenSize?: number;
  /** Stacked layers of both LSTMs (default 1; Sutskever et al. used 4). */
  numLayers?: number;
  /** Dropout between stacked layers in training (default 0). */
  dropout?: number;
  /** The target id that starts decoding (default: targetVocab − 2). */
  bos?: number;
  /** The target id that ends a sequence (default: targetVocab − 1). */
  eos?: number;
  /** Generator of the initial weights (default: the global one). */
  rng?: Generator;
}

/**
 * A sequence-to-sequence encoder-decoder on LSTMs without attention (Sutskever, Vinyals & Le,
 * "Sequence to Sequence Learning with Neural Networks", NIPS 2014). The encoder LSTM reads the
 * embedded source x_1…x_S; its final state (h_S, c_S) is the whole summary of the source and
 * initialises the decoder LSTM, which models
 *
 *   p(y_1…y_T | x) = Π_t softmax(W_o h′_t + b_o)[y_t],   h′_t = LSTM(emb(y_{t−1}), h′_{t−1}),  y_0 = BOS
 *
 * Training uses teacher forcing ({@link Seq2Seq.logits} with the true previous tokens); test uses
 * greedy decoding ({@link Seq2Seq.greedy}: feed back the argmax until EOS). Sources of different
 * lengths are padded and given `sourceLengths` (the encoder's final state is the state after each
 * source's last real token). Submodules: `source` and `target` ({@link LookupTable}), `encoder`
 * and `decoder` ({@link LSTM}, batch first: ids and logits are [N, ·]), `projection` (Linear H →
 * target vocabulary).
 *
 * @example
 * const net = new Seq2Seq(10, 12, { hiddenSize: 128, rng: new Generator(1) });  // BOS 10, EOS 11
 * const logits = net.logits(src, decoderInput, { sourceLengths });              // [N, T, 12]
 * const outputs = net.greedy(src, { sourceLengths, maxLength: 12 });            // number[][] without EOS
 */
export class Seq2Seq extends Module {
  readonly source: LookupTable;
  readonly target: LookupTable;
  readonly encoder: LSTM;
  readonly decoder: LSTM;
  readonly projection: Linear;
  readonly bos: number;
  readonly eos: number;

  constructor(
    readonly sourceVocab: number,
    readonly targetVocab: number,
    options: Seq2SeqOptions = {},
  ) {
    super();
    checkSize('Seq2Seq', 'sourceVocab', sourceVocab);
    checkSize('Seq2Seq', 'targetVocab', targetVocab);
    const rng = options.rng ?? defaultGenerator;
    const E = options.embedSize ?? 32;
    const H = options.hiddenSize ?? 128;
    const layers = { numLayers: options.numLayers ?? 1, dropout: options.dropout ?? 0, rng, batchFirst: true };
    this.bos = options.bos ?? targetVocab - 2;
    this.eos = options.eos ?? targetVocab - 1;
    for (const [name, v] of [['bos', this.bos], ['eos', this.eos]] as const) {
      if (!Number.isInteger(v) || v < 0 || v >= targetVocab) throw new RangeError(`Seq2Seq: ${name} must be a target id in [0, ${targetVocab}), got ${v}`);
    }
    this.source = this.registerModule('source', new LookupTable(sourceVocab, E, { rng }));
    this.target = this.registerModule('target', new LookupTable(targetVocab, E, { rng }));
    this.encoder = this.registerModule('encoder', new LSTM(E, H, layers));
    this.decoder = this.registerModule('decoder', new LSTM(E, H, layers));
    this.projection = this.registerModule('projection', new Linear(H, targetVocab, { rng }));
  }

  /** The encoder's final state { h, c } ([L, N, H] each) for source ids [N, S]. */
  encode(source: Tensor, sourceLengths?: ArrayLike<number>): LSTMState {
    if (source.ndim !== 2) throw new ShapeError(this.typeName(), `source must be ids [N, S], got ${formatShape(source.shape)}`);
    const { state } = this.encoder.forwardWithState(this.source.forward(source), sourceLengths === undefined ? {} : { lengths: sourceLengths });
    return state as LSTMState;
  }

  /** Decoder logits [N, T, targetVocab] for the decoder inputs [N, T] (BOS, y_1, …) from a state. */
  decode(decoderInput: Tensor, state: LSTMState): { logits: Tensor; state: LSTMState } {
    if (decoderInput.ndim !== 2) throw new ShapeError(this.typeName(), `decoder input must be ids [N, T], got ${formatShape(decoderInput.shape)}`);
    const [N, T] = decoderInput.shape as [number, number];
    const r = this.decoder.forwardWithState(this.target.forward(decoderInput), { initial: state });
    const H = this.decoder.hiddenSize;
    const logits = this.projection.forward(r.output.reshape([N * T, H])).reshape([N, T, this.targetVocab]);
    return { logits, state: r.state as LSTMState };
  }

  /**
   * Teacher-forced logits [N, T, targetVocab]: the encoder reads `source` [N, S], the decoder reads
   * `decoderInput` [N, T] (BOS followed by the target shifted right).
   */
  logits(source: Tensor, decoderInput: Tensor, options: { sourceLengths?: ArrayLike<number> } = {}): Tensor {
    if (source.shape[0] !== decoderInput.shape[0]) {
      throw new ShapeError(this.typeName(), `source ${formatShape(source.shape)} and decoder input ${formatShape(decoderInput.shape)} must have the same N`);
    }
    return this.decode(decoderInput, this.encode(source, options.sourceLengths)).logits;
  }

  /**
   * Greedy decoding without gradients: from BOS, feed back the most likely token until EOS or
   * `maxLength` tokens. Returns each sequence's tokens, EOS excluded.
   */
  greedy(source: Tensor, options: { sourceLengths?: ArrayLike<number>; maxLength?: number } = {}): number[][] {
    const maxLength = options.maxLength ?? 2 * source.shape[1]! + 2;
    const N = source.shape[0]!;
    const V = this.targetVocab;
    return noGrad(() => {
      let state = this.encode(source, options.sourceLengths);
      const out: number[][] = Array.from({ length: N }, () => []);
      const done = new Array<boolean>(N).fill(false);
      let input = Tensor.full([N, 1], this.bos);
      for (let t = 0; t < maxLength && done.some((d) => !d); t++) {
        const r = this.decode(input, state);
        state = r.state;
        const next = Tensor.zeros([N, 1]);
        for (let n = 0; n < N; n++) {
          let best = 0;
          for (let v = 1; v < V; v++) if (r.logits.data[n * V + v]! > r.logits.data[n * V + best]!) best = v;
          next.data[n] = best;
          if (done[n]) continue;
          if (best === this.eos) done[n] = true;
          else out[n]!.push(best);
        }
        input = next;
      }
      return out;
    });
  }

  /** Greedy decoding of `input` [N, S] as a tensor [N, maxLength] of ids, EOS-padded. */
  protected updateOutput(input: Tensor): Tensor {
    const seqs = this.greedy(input);
    const L = 2 * input.shape[1]! + 2;
    const out = Tensor.full([seqs.length, L], this.eos);
    seqs.forEach((s, n) => out.data.set(s, n * L));
    return out;
  }

  override toString(): string {
    return `${this.typeName()}(${this.sourceVocab} -> ${this.targetVocab}, embed ${this.source.nOutput}, hidden ${this.encoder.hiddenSize}${this.encoder.numLayers > 1 ? `, ${this.encoder.numLayers} layers` : ''})`;
  }
}
