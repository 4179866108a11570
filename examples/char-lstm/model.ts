/**
 * The char-lstm model: a character embedding, a stacked LSTM and a linear read-out to next-character
 * scores, with evaluation in nats per character and seeded sampling.
 */
import { Generator, Linear, Module, noGrad, Tensor } from '@eole/core';
import { LookupTable, LSTM, detachState, type LSTMState } from '@eole/rnn-memory';
import type { CharVocabulary } from './text.js';

/** Sizes of a {@link CharLSTM}. */
export interface CharLSTMSizes {
  vocab: number;
  embed: number;
  hidden: number;
  layers: number;
  dropout: number;
}

/**
 * ids [N, T] → LookupTable(V → E) → LSTM(E → H, L layers) → Linear(H → V): scores of the next
 * character at every position, [N, T, V].
 */
export class CharLSTM extends Module {
  readonly embed: LookupTable;
  readonly lstm: LSTM;
  readonly head: Linear;

  constructor(readonly sizes: CharLSTMSizes, rng: Generator, dropoutRng: Generator = rng) {
    super();
    this.embed = this.registerModule('embed', new LookupTable(sizes.vocab, sizes.embed, { rng }));
    // Init draws from `rng`; the dropout masks come from `dropoutRng` afterwards.
    this.lstm = this.registerModule('lstm', new LSTM(sizes.embed, sizes.hidden, { numLayers: sizes.layers, dropout: sizes.dropout, rng: sizes.dropout > 0 ? dropoutRng : rng, batchFirst: true }));
    this.head = this.registerModule('head', new Linear(sizes.hidden, sizes.vocab, { rng }));
  }

  /** Scores [N·T, V] and the final state, from ids [N, T] and a carried state. */
  run(ids: Tensor, initial?: LSTMState): { logits: Tensor; state: LSTMState } {
    const [N, T] = ids.shape as [number, number];
    const { output, state } = this.lstm.forwardWithState(this.embed.forward(ids), initial ? { initial } : {});
    return { logits: this.head.forward(output.reshape([N * T, this.sizes.hidden])), state };
  }

  protected updateOutput(input: Tensor): Tensor {
    const [N, T] = input.shape as [number, number];
    return this.run(input).logits.reshape([N, T, this.sizes.vocab]);
  }

  override toString(): string {
    return `CharLSTM(${this.embed.toString()} -> ${this.lstm.toString()} -> ${this.head.toString()})`;
  }
}

/**
 * Mean cross-entropy in nats per character of predicting ids[i + 1] from ids[0..i], over `streams`
 * contiguous parts of the text read in chunks of `seq` with the state carried (each part's first
 * character is context only).
 */
export function crossEntropy(model: CharLSTM, ids: Int32Array, streams = 32, seq = 128): number {
  const B = Math.max(1, Math.min(streams, Math.floor((ids.length - 1) / 2)));
  const len = Math.floor(ids.length / B);
  const wasTraining = model.training;
  model.evaluate();
  let total = 0;
  let count = 0;
  let state: LSTMState | undefined;
  noGrad(() => {
    for (let start = 0; start < len - 1; start += seq) {
      const T = Math.min(seq, len - 1 - start);
      const x = new Float32Array(B * T);
      const y = new Float32Array(B * T);
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < T; t++) {
          x[b * T + t] = ids[b * len + start + t]!;
          y[b * T + t] = ids[b * len + start + t + 1]!;
        }
      }
      const { logits, state: next } = model.run(new Tensor(x, [B, T]), state);
      state = next;
      const logp = logits.logSoftmax(1).data;
      const V = model.sizes.vocab;
      for (let q = 0; q < B * T; q++) total -= logp[q * V + y[q]!]!;
      count += B * T;
    }
  });
  model.train(wasTraining);
  return total / count;
}

/** Options of {@link sample}. */
export interface SampleOptions {
  /** Characters to generate. */
  length: number;
  /** Softmax temperature: below 1 sharper, above 1 flatter (default 1). */
  temperature?: number;
  /** Seed of the draws: the same seed and model give the same text. */
  seed: number;
  /** Text the model reads first (default: a newline). */
  prime?: string;
}

/**
 * Generates text one character at a time, drawing each from softmax(scores / temperature) with a
 * generator seeded by `seed`, so generation is deterministic per seed.
 */
export function sample(model: CharLSTM, vocab: CharVocabulary, options: SampleOptions): string {
  const rng = new Generator(options.seed);
  const temperature = options.temperature ?? 1;
  if (!(temperature > 0)) throw new RangeError(`sample: temperature must be > 0, got ${temperature}`);
  const wasTraining = model.training;
  model.evaluate();
  const prime = vocab.encode(options.prime ?? '\n');
  const V = vocab.size;
  const out: number[] = [];
  noGrad(() => {
    let { logits, state } = model.run(new Tensor(Float32Array.from(prime), [1, prime.length]));
    for (let i = 0; i < options.length; i++) {
      const last = logits.data.subarray((logits.shape[0]! - 1) * V);
      const next = draw(last, temperature, rng);
      out.push(next);
      ({ logits, state } = model.run(Tensor.from([next], [1, 1]), detachState(state)));
    }
  });
  model.train(wasTraining);
  return vocab.decode(out);
}

/** One draw from softmax(scores / temperature). */
function draw(scores: Float32Array, temperature: number, rng: Generator): number {
  let max = -Infinity;
  for (const s of scores) max = Math.max(max, s);
  const p = Array.from(scores, (s) => Math.exp((s - max) / temperature));
  const total = p.reduce((a, b) => a + b, 0);
  let u = rng.uniform() * total;
  for (let i = 0; i < p.length; i++) {
    u -= p[i]!;
    if (u < 0) return i;
  }
  return p.length - 1;
}
