import { defaultGenerator, formatShape, linear, Module, ShapeError, Tensor, type Generator } from '@eole/core';
import { embedding } from '../functional/embedding.js';
import { embeddingBag } from '../functional/embeddingBag.js';
import { LookupTable } from './LookupTable.js';
import { memoryAttention } from '../functional/memoryAttention.js';

/** Options of {@link MemN2N}. */
export interface MemN2NOptions {
  /** Memory hops K (default 3). */
  hops?: number;
  /** Weigh words by their position in the sentence, section 4.1's PE (default true). */
  positionEncoding?: boolean;
  /** Add learned temporal vectors T_A(i), T_C(i) to memory slot i, section 4.1's TE (default true). */
  temporalEncoding?: boolean;
  /**
   * Random noise RN: in training, before each sentence an empty memory is inserted with this
   * probability, which shifts the time index of every older sentence (default 0; the paper uses 0.1).
   */
  randomNoise?: number;
  /** Start in the linear-start mode (see {@link MemN2N.linearStart}; default false). */
  linearStart?: boolean;
  /**
   * Leave empty slots out of the softmax (default false: an empty slot is a zero vector that takes
   * part in the softmax with score 0 and adds nothing to the read, as in the authors' Matlab code).
   * That "null memory" acts as an attention sink. Measured with the babi-memn2n example's defaults
   * (seed 1): task 6 91.5% test accuracy unmasked against 82.9% masked; task 2 91.0% against 92.1%.
   */
  maskEmpty?: boolean;
  /** Standard deviation of the N(0, σ²) initial weights (default 0.1, as in the paper). */
  initStd?: number;
  /** Generator of the initial weights (default: the global one). */
  rng?: Generator;
  /** Generator of the random-noise shifts (default: `rng`). */
  noiseRng?: Generator;
}

/**
 * End-to-end memory network (Sukhbaatar, Szlam, Weston & Fergus, "End-To-End Memory Networks", NIPS
 * 2015) with adjacent weight tying, for bAbI-style question answering over a vocabulary of V ids
 * (id 0 is padding), embeddings of size d, M memory slots and K hops. In the terms of Weston,
 * Chopra & Bordes, "Memory Networks" (ICLR 2015):
 *
 * - **I** (input feature map): a sentence x_i becomes m_i = Σ_j l_j ⊙ A x_ij + T_A(i) (bag of words
 *   with position encoding l_kj = (1 − j/J) − (k/d)(1 − 2j/J), plus temporal encoding); the question
 *   becomes u¹ = Σ_j l_j ⊙ B q_j.
 * - **G** (generalization): writing the M most recent sentences into the slots, newest in slot 0;
 *   done when the input is built (see `babiBatch`), and by the random noise that shifts time indices.
 * - **O** (output): each hop k addresses and reads the memory, p = softmax(uᵏ·m_i),
 *   oᵏ = Σ_i p_i c_i with c_i = Σ_j l_j ⊙ C x_ij + T_C(i), then uᵏ⁺¹ = uᵏ + oᵏ
 *   ({@link memoryAttention}). An empty slot is a zero vector (no temporal term): it takes part in
 *   the softmax with score 0 and adds nothing to the read, unless `maskEmpty` leaves it out.
 * - **R** (response): â = softmax(W uᴷ⁺¹).
 *
 * Adjacent tying: Aᵏ⁺¹ = Cᵏ (and T_Aᵏ⁺¹ = T_Cᵏ), B = A¹, Wᵀ = Cᴷ; the parameters are the tables `A1`,
 * `C1` … `CK` (and `TA1`, `TC1` … `TCK`), and hop k+1 reuses hop k's output memories as its input
 * memories. Linear start (LS) removes the hops' softmax until training turns it back on.
 *
 * Input: one tensor [N, M + 1, L] of word ids: rows 0 … M − 1 the memory slots (slot 0 the most
 * recent sentence, an all-zero row an empty slot), row M the question. Output: log-probabilities
 * [N, V] of the answer word (train with `ClassNLLCriterion`). After each forward, `attention` holds
 * the K hops' weights p [N, M].
 *
 * @example
 * const net = new MemN2N(vocab.size, 20, 50, { hops: 3, rng: new Generator(1) });
 * const { x, y } = babiBatch(items, vocab, 50, 7);      // x [32, 51, 7]
 * const loss = new ClassNLLCriterion().forward(net.forward(x), y);
 * net.attention[0];                                     // hop 1's weights over the 50 slots
 */
export class MemN2N extends Module {
  readonly hops: number;
  readonly positionEncoding: boolean;
  readonly temporalEncoding: boolean;
  readonly randomNoise: number;
  readonly maskEmpty: boolean;
  /** Linear start: the hops use p_i = uᵀm_i instead of its softmax (the answer keeps its softmax). */
  linearStart: boolean;
  /** Each hop's attention over the slots [N, M] from the last forward. */
  attention: Tensor[] = [];
  /** The word tables E⁰ = A¹ = B, Eᵏ = Cᵏ = Aᵏ⁺¹, E^K = Wᵀ. */
  readonly tables: LookupTable[];
  /** The temporal tables, tied as the word tables (empty without temporal encoding). */
  readonly temporal: LookupTable[];
  private readonly noiseRng: Generator;

  constructor(
    readonly vocabSize: number,
    readonly embeddingSize: number,
    readonly memorySize: number,
    options: MemN2NOptions = {},
  ) {
    super();
    for (const [name, v] of [['vocabSize', vocabSize], ['embeddingSize', embeddingSize], ['memorySize', memorySize], ['hops', options.hops ?? 3]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`MemN2N: ${name} must be a positive integer, got ${v}`);
    }
    const noise = options.randomNoise ?? 0;
    if (!(noise >= 0 && noise < 1)) throw new RangeError(`MemN2N: randomNoise must be a probability in [0, 1), got ${noise}`);
    this.hops = options.hops ?? 3;
    this.positionEncoding = options.positionEncoding ?? true;
    this.temporalEncoding = options.temporalEncoding ?? true;
    this.randomNoise = noise;
    this.linearStart = options.linearStart ?? false;
    this.maskEmpty = options.maskEmpty ?? false;
    const rng = options.rng ?? defaultGenerator;
    this.noiseRng = options.noiseRng ?? rng;
    const std = options.initStd ?? 0.1;
    const names = ['A1', ...Array.from({ length: this.hops }, (_, k) => `C${k + 1}`)];
    this.tables = names.map((n) => this.registerModule(n, scaled(new LookupTable(vocabSize, embeddingSize, { rng, paddingIdx: 0 }), std)));
    this.temporal = this.temporalEncoding ? names.map((n) => this.registerModule(`T${n}`, scaled(new LookupTable(memorySize, embeddingSize, { rng }), std))) : [];
  }

  protected updateOutput(input: Tensor): Tensor {
    const M = this.memorySize;
    if (input.ndim !== 3 || input.shape[1] !== M + 1) {
      throw new ShapeError(this.typeName(), `expected ids [N, ${M + 1}, L] (${M} memory slots, then the question), got ${formatShape(input.shape)}`);
    }
    const [N, , L] = input.shape as [number, number, number];
    const { memories, query, live, time } = this.split(input.data, N, L);
    const bag = { paddingIdx: 0, positionEncoding: this.positionEncoding };
    const where = this.typeName();
    // I: the question and the memory slots as vectors. Encoding k serves as the output memory of
    // hop k and the input memory of hop k + 1 (adjacent tying).
    let u = embeddingBag(this.tables[0]!.weight, query, bag, where);
    const encoded = this.tables.map((table, k) => {
      const m = embeddingBag(table.weight, memories, bag, where).reshape([N, M, this.embeddingSize]);
      // An empty slot stays a zero vector: no temporal term either.
      return this.temporalEncoding ? m.add(embedding(this.temporal[k]!.weight, time, null, where).mul(live.reshape([N, M, 1]))) : m;
    });
    // O: K hops of addressing and reading.
    this.attention = [];
    const mask = this.maskEmpty ? live : Tensor.ones([N, M]);
    for (let k = 1; k <= this.hops; k++) {
      const read = memoryAttention(encoded[k - 1]!, encoded[k]!, u, mask, { softmax: !this.linearStart });
      this.attention.push(read.attention);
      u = u.add(read.output);
    }
    // R: the answer over the vocabulary, W = (Cᴷ)ᵀ.
    return linear(u, this.tables[this.hops]!.weight).logSoftmax(1);
  }

  /**
   * Separates memories [N·M, L] and questions [N, L]; marks the slots that hold a sentence (live
   * [N, M], 1 or 0) and gives each its time index [N, M].
   */
  private split(ids: Float32Array, N: number, L: number): { memories: Tensor; query: Tensor; live: Tensor; time: Tensor } {
    const M = this.memorySize;
    const memories = new Float32Array(N * M * L);
    const query = new Float32Array(N * L);
    const live = new Float32Array(N * M);
    const time = new Float32Array(N * M);
    const noisy = this.training && this.randomNoise > 0;
    for (let n = 0; n < N; n++) {
      const base = n * (M + 1) * L;
      memories.set(ids.subarray(base, base + M * L), n * M * L);
      query.set(ids.subarray(base + M * L, base + (M + 1) * L), n * L);
      // G: with random noise, empty memories pushed in before sentences age the older ones, and
      // those pushed past the last slot are forgotten.
      let t = 0;
      for (let i = 0; i < M; i++) {
        if (noisy && this.noiseRng.uniform() < this.randomNoise) t++;
        let words = false;
        for (let j = 0; j < L; j++) if (ids[base + i * L + j] !== 0) words = true;
        if (words && t >= M) memories.fill(0, (n * M + i) * L, (n * M + i + 1) * L);
        live[n * M + i] = words && t < M ? 1 : 0;
        time[n * M + i] = Math.min(t, M - 1);
        t++;
      }
    }
    return {
      memories: new Tensor(memories, [N * M, L]),
      query: new Tensor(query, [N, L]),
      live: new Tensor(live, [N, M]),
      time: new Tensor(time, [N, M]),
    };
  }

  override toString(): string {
    const parts = [`${this.vocabSize} words`, `d ${this.embeddingSize}`, `${this.memorySize} slots`, `${this.hops} hops`];
    if (this.positionEncoding) parts.push('PE');
    if (this.temporalEncoding) parts.push('TE');
    if (this.randomNoise > 0) parts.push(`RN ${this.randomNoise}`);
    if (this.maskEmpty) parts.push('empty slots masked');
    if (this.linearStart) parts.push('LS');
    return `${this.typeName()}(${parts.join(', ')})`;
  }
}

function scaled(table: LookupTable, std: number): LookupTable {
  const w = table.weight.data;
  for (let i = 0; i < w.length; i++) w[i]! *= std;
  return table;
}
