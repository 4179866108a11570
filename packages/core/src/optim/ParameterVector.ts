import type { Tensor } from '../tensor/Tensor.js';

/**
 * A model's parameters (or their gradients) seen as one flat float32 vector, the unit a parallel
 * run exchanges: `gather` copies them out in order, `scatter` copies a vector back in place, so the
 * tensors stay the module's own. Exact copies: a gather-scatter round trip changes no bit.
 *
 * @example
 * const v = new ParameterVector(model.parameters());
 * const x = v.gather();     // [size]
 * v.scatter(x);             // the same weights back
 */
export class ParameterVector {
  readonly params: readonly Tensor[];
  /** The total number of values. */
  readonly size: number;

  constructor(params: Iterable<Tensor>) {
    this.params = [...params];
    this.size = this.params.reduce((s, p) => s + p.size, 0);
    if (this.size === 0) throw new RangeError('ParameterVector: there are no parameter values to exchange');
  }

  /** The parameter values, in order, into `out` (a new array when omitted). */
  gather(out: Float32Array = new Float32Array(this.size)): Float32Array {
    let at = 0;
    for (const p of this.params) {
      out.set(p.data, at);
      at += p.size;
    }
    return out;
  }

  /** Writes `values` back into the parameters, in place. */
  scatter(values: Float32Array): void {
    this.check('scatter', values);
    let at = 0;
    for (const p of this.params) {
      p.data.set(values.subarray(at, at + p.size));
      at += p.size;
    }
  }

  /** The gradients, in order (zeros for a parameter without one), into `out`. */
  gatherGrads(out: Float32Array = new Float32Array(this.size)): Float32Array {
    let at = 0;
    for (const p of this.params) {
      if (p.grad) out.set(p.grad.data, at);
      else out.fill(0, at, at + p.size);
      at += p.size;
    }
    return out;
  }

  /** Writes `values` into the gradients, in place (a parameter without a gradient gets none). */
  scatterGrads(values: Float32Array): void {
    this.check('scatterGrads', values);
    let at = 0;
    for (const p of this.params) {
      if (p.grad) p.grad.data.set(values.subarray(at, at + p.size));
      at += p.size;
    }
  }

  private check(where: string, values: Float32Array): void {
    if (!(values instanceof Float32Array) || values.length !== this.size) {
      throw new RangeError(`ParameterVector.${where}: values must be a Float32Array of ${this.size} values, got ${values instanceof Float32Array ? `${values.length} values` : typeof values}`);
    }
  }
}
