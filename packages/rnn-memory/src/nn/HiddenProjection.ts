import { formatShape, isGradEnabled, noGrad, ShapeError, Tensor } from '@eole/core';

/**
 * The recurrent term hGates_t = h_t·Wᵀ + b of every step t of one unrolled layer, for W [G, H]:
 * one autograd node per step, sharing what can be shared across steps.
 *
 * - Forward: Wᵀ [H, G] is transposed once per sequence (not once per step, as `linear` would), so a
 *   step is one matmul.
 * - Backward of a step: ∂h_t = ∂hGates_t·W (no transpose needed).
 * - The weight gradient ∂W = Σ_t ∂hGates_tᵀ·h_t (and ∂b = Σ_t Σ_n ∂hGates_t) is one [H, T·N]·[T·N, G]
 *   matmul at the end instead of T small ones added up: the steps' backward passes store their
 *   ∂hGates_t in a tape, and a hub node over (W, b), which the engine reaches only after every step
 *   (a topological order), computes both from the tape. The first step to run hands the hub its
 *   gradient tensor; the hub fills it when it runs. The step inputs h_t are copied into the tape
 *   during forward.
 *
 * @example
 * const proj = new HiddenProjection(weightHh, biasHh, T);
 * for (let t = 0; t < T; t++) gates[t] = xGates[t].add(proj.apply(h, t));
 */
export class HiddenProjection {
  private readonly weightT: Tensor;
  private readonly hub: Tensor | null = null;
  private inputs: Float32Array | null = null;
  private grads: Float32Array | null = null;
  private dWeight: Tensor | null = null;
  private rows = 0;

  constructor(
    readonly weight: Tensor,
    readonly bias: Tensor | null,
    readonly steps: number,
  ) {
    if (weight.ndim !== 2) throw new ShapeError('HiddenProjection', `weight must be [G, H], got ${formatShape(weight.shape)}`);
    this.weightT = noGrad(() => weight.t());
    const parents = bias ? [weight, bias] : [weight];
    if (isGradEnabled() && parents.some((p) => p.requiresGrad)) {
      this.hub = Tensor.record(new Tensor(weight.data, weight.shape), 'HiddenProjection.weights', parents, (g, needs) => this.weightGrads(g, needs));
    }
  }

  /** hGates_t [N, G] for the state h [N, H] at step t. */
  apply(h: Tensor, t: number): Tensor {
    const [G, H] = this.weight.shape as [number, number];
    if (h.ndim !== 2 || h.shape[1] !== H) throw new ShapeError('HiddenProjection', `h must be [N, ${H}], got ${formatShape(h.shape)}`);
    if (!Number.isInteger(t) || t < 0 || t >= this.steps) throw new RangeError(`HiddenProjection: step ${t} is outside [0, ${this.steps})`);
    const N = h.shape[0]!;
    const out = noGrad(() => {
      const y = h.matmul(this.weightT);
      return this.bias ? y.add(this.bias) : y;
    });
    const recording = isGradEnabled() && (h.requiresGrad || this.hub !== null);
    if (!recording) return out;
    if (this.hub) this.tapeInput(h, t, N);
    const parents = this.hub ? [h, this.hub] : [h];
    return Tensor.record(out, 'HiddenProjection.step', parents, (g, needs) => {
      const dh = needs[0] ? noGrad(() => g.matmul(this.weight)) : null;
      if (!this.hub || !needs[1]) return [dh, null];
      const first = this.grads === null;
      if (this.grads === null) {
        this.grads = new Float32Array(this.steps * N * G);
        this.dWeight = Tensor.zeros(this.weight.shape);
      }
      this.grads.set(g.data, t * N * G);
      return [dh, first ? this.dWeight : null];
    });
  }

  /** Copies h_t [N, H] into the tape, transposed: inputs is [H, T·N], column t·N + n holding h_t[n]. */
  private tapeInput(h: Tensor, t: number, N: number): void {
    const H = this.weight.shape[1]!;
    if (this.rows === 0) {
      this.rows = N;
      this.inputs = new Float32Array(H * this.steps * N);
    } else if (this.rows !== N) {
      throw new ShapeError('HiddenProjection', `every step must have the same N (${this.rows}), got ${formatShape(h.shape)}`);
    }
    const inputs = this.inputs!;
    const width = this.steps * N;
    const src = h.data;
    for (let n = 0; n < N; n++) {
      const col = t * N + n;
      for (let k = 0; k < H; k++) inputs[k * width + col] = src[n * H + k]!;
    }
  }

  /**
   * ∂W = (Hsᵀ·G)ᵀ and ∂b = Σ rows of G over the tape (G [T·N, G] the stored ∂hGates, Hsᵀ [H, T·N]
   * the transposed inputs), written into the tensor the hub was handed. Transposing the [H, G]
   * product is cheaper than transposing G.
   */
  private weightGrads(handed: Tensor, needs: readonly boolean[]): (Tensor | null)[] {
    const H = this.weight.shape[1]!;
    const rows = this.steps * this.rows;
    const G = this.weight.shape[0]!;
    const grads = new Tensor(this.grads!, [rows, G]);
    this.grads = null;
    this.dWeight = null;
    return noGrad(() => {
      let dW: Tensor | null = null;
      if (needs[0]) {
        handed.data.set(new Tensor(this.inputs!, [H, rows]).matmul(grads).t().data);
        dW = handed;
      }
      return [dW, this.bias && needs[1] ? grads.sum(0) : null];
    });
  }
}
