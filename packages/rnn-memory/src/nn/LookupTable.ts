import { defaultGenerator, formatShape, Module, ShapeError, Tensor, type Generator } from '@eole/core';
import { embedding } from '../functional/embedding.js';

/** Options of {@link LookupTable}. */
export interface LookupTableOptions {
  /** Generator of the initial weights (default: the global one). */
  rng?: Generator;
  /** An index whose row starts at zero and never gets a gradient (PyTorch's `padding_idx`). */
  paddingIdx?: number;
}

/**
 * A learned embedding (Torch7 `nn.LookupTable`, PyTorch `nn.Embedding`): a table W [nIndex, nOutput]
 * whose row i is the vector of index i. Input: integer ids stored as floats, [N] or [N, T]; output
 * [N, nOutput] or [N, T, nOutput], y[n, t] = W[ids[n, t]]. Initialised N(0, 1) as PyTorch does.
 * Backward: ∂W[v] = Σ over the positions holding v of ∂y (repeated ids add up), computed as a
 * scatter-add in O(ids·nOutput) whatever the vocabulary size; the input gets a zero gradient, as in
 * Torch7. Bengio, Ducharme, Vincent & Jauvin, "A Neural Probabilistic Language Model" (JMLR 2003).
 *
 * @example
 * const emb = new LookupTable(10000, 64, { rng: new Generator(1), paddingIdx: 0 });
 * const x = Tensor.from([[5, 9, 0], [7, 7, 2]].flat(), [2, 3]);
 * emb.forward(x).shape; // [2, 3, 64]
 */
export class LookupTable extends Module {
  readonly weight: Tensor;
  readonly paddingIdx: number | null;

  constructor(
    readonly nIndex: number,
    readonly nOutput: number,
    options: LookupTableOptions = {},
  ) {
    super();
    for (const [name, v] of [['nIndex', nIndex], ['nOutput', nOutput]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`LookupTable: ${name} must be a positive integer, got ${v}`);
    }
    const pad = options.paddingIdx;
    if (pad !== undefined && (!Number.isInteger(pad) || pad < 0 || pad >= nIndex)) {
      throw new RangeError(`LookupTable: paddingIdx must be an integer in [0, ${nIndex}), got ${pad}`);
    }
    this.paddingIdx = pad ?? null;
    const w = Tensor.randn([nIndex, nOutput], options.rng ?? defaultGenerator);
    if (pad !== undefined) w.data.fill(0, pad * nOutput, (pad + 1) * nOutput);
    this.weight = this.registerParameter('weight', w);
  }

  protected updateOutput(input: Tensor): Tensor {
    if (input.ndim !== 1 && input.ndim !== 2) {
      throw new ShapeError(this.typeName(), `expected ids [N] or [N, T], got ${formatShape(input.shape)}`);
    }
    return embedding(this.weight, input, this.paddingIdx, this.typeName());
  }

  override toString(): string {
    return `${this.typeName()}(${this.nIndex} -> ${this.nOutput}${this.paddingIdx === null ? '' : `, paddingIdx ${this.paddingIdx}`})`;
  }
}
