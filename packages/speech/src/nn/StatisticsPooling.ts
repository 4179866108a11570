import { concat, describeValue, formatShape, Module, ShapeError, Tensor } from '@eole/core';

/**
 * Statistics pooling over time, the layer between the frame-level and the segment-level parts of an
 * x-vector network (Snyder, Garcia-Romero, Sell, Povey & Khudanpur, "X-vectors: robust DNN
 * embeddings for speaker recognition", ICASSP 2018): frame features [N, C, T] (or [N, C, H, T], the
 * maps of a ConvNet over coefficients × frames, read as C·H features) become one vector per
 * utterance, the mean and the standard deviation of every feature over the frames,
 *
 *   μ_c = (1/Lₙ)·Σ_{t<Lₙ} x[n, c, t],   σ_c = √((1/Lₙ)·Σ_{t<Lₙ} (x[n, c, t] − μ_c)² + ε),
 *   output[n] = [μ₁ … μ_F, σ₁ … σ_F]                                   ([N, 2F], F = C or C·H)
 *
 * where Lₙ is the length of utterance n (default T for all). Frames t ≥ Lₙ are padding: they are
 * masked out (multiplied by 0), so their content changes neither the output nor any gradient
 * (padding must be finite: 0·NaN is NaN). The ε inside the square root keeps the gradient of σ finite
 * on constant features. Built from core ops (mul, sum, sqrt, concat), so autograd differentiates it.
 *
 * Lengths are given per call, `forward(input, lengths)`, or set once with
 * {@link StatisticsPooling.setLengths} for a pooling layer inside a `Sequential` (in frames of the
 * pooled input, after any striding of the layers before it).
 *
 * @example
 * const pool = new StatisticsPooling();
 * pool.forward(Tensor.randn([4, 16, 50], rng)).shape;            // [4, 32]
 * pool.forward(Tensor.randn([2, 16, 50], rng), [50, 31]).shape;  // the second utterance's last 19 frames ignored
 */
export class StatisticsPooling extends Module {
  private lengths: number[] | null = null;
  private callLengths: number[] | null = null;

  constructor(readonly eps = 1e-5) {
    super();
    if (typeof eps !== 'number' || !Number.isFinite(eps) || eps < 0) throw new RangeError(`StatisticsPooling: eps must be a finite number >= 0, got ${String(eps)}`);
  }

  /**
   * Sets the lengths (frames) used by every later forward without its own lengths; `null` for
   * full-length utterances.
   */
  setLengths(lengths: ArrayLike<number> | null): this {
    this.lengths = lengths === null ? null : Array.from(lengths);
    return this;
  }

  /** Pools `input` [N, C, T] or [N, C, H, T] over its last axis, frames t ≥ lengths[n] ignored. */
  override forward(input: Tensor, lengths?: ArrayLike<number>): Tensor {
    this.callLengths = lengths === undefined ? null : Array.from(lengths);
    try {
      return super.forward(input);
    } finally {
      this.callLengths = null;
    }
  }

  protected updateOutput(input: Tensor): Tensor {
    if (input.ndim !== 3 && input.ndim !== 4) {
      throw new ShapeError('StatisticsPooling', `input must be [N, C, T] or [N, C, H, T] (frames last), got ${formatShape(input.shape)}`);
    }
    const n = input.shape[0]!;
    const T = input.shape[input.ndim - 1]!;
    const features = input.size / (n * T);
    const lengths = this.checkedLengths(n, T);
    const x = input.reshape([n, features, T]);
    const count = Tensor.from(lengths, [n, 1]);
    let centred: Tensor;
    let mean: Tensor;
    if (lengths.every((l) => l === T)) {
      mean = x.mean(2);
      centred = x.sub(mean.reshape([n, features, 1]));
    } else {
      const mask = new Float32Array(n * T);
      lengths.forEach((l, i) => mask.fill(1, i * T, i * T + l));
      const m = new Tensor(mask, [n, 1, T]);
      mean = x.mul(m).sum(2).div(count);
      centred = x.sub(mean.reshape([n, features, 1])).mul(m);
    }
    const std = centred.square().sum(2).div(count).add(this.eps).sqrt();
    return concat([mean, std], 1);
  }

  private checkedLengths(n: number, T: number): number[] {
    const lengths = this.callLengths ?? this.lengths;
    if (lengths === null) return new Array<number>(n).fill(T);
    if (lengths.length !== n) throw new RangeError(`StatisticsPooling: lengths must have one entry per utterance (${n}), got ${lengths.length}`);
    lengths.forEach((l, i) => {
      if (!Number.isInteger(l) || l < 1 || l > T) throw new RangeError(`StatisticsPooling: lengths[${i}] must be an integer in [1, ${T}] (the frames of the input), got ${String(l)}`);
    });
    return lengths;
  }

  override toString(): string {
    return `nn.StatisticsPooling(mean ‖ std over time, eps=${this.eps})`;
  }
}
