import { Container } from './Container.js';
import type { Module } from './Module.js';
import { add, affine, exp, log, sub } from '../ops/elementwise.js';
import { fmt, ShapeError } from '../tensor/shape.js';
import { Tensor } from '../tensor/Tensor.js';
import { branchTree } from './torchFormat.js';

/** How an {@link Ensemble} combines its members' outputs. */
export type EnsembleCombine = 'logprob' | 'mean';

/**
 * A model average: every member sees the same input and their outputs are averaged. With
 * `combine = 'logprob'` (the default, for classifiers ending in `LogSoftMax`) the members'
 * probabilities are averaged and the result is returned as a log-probability,
 *
 *   y = log( (1/K) Σ_k exp(f_k(x)) ),
 *
 * so an ensemble of classifiers is again a classifier for `ClassNLLCriterion` and argmax; with
 * `'mean'` the outputs themselves are averaged, y = (1/K) Σ_k f_k(x). Members trained from
 * different random seeds make different mistakes, and their average is usually better than any of
 * them (Hansen & Salamon, "Neural network ensembles", IEEE PAMI 1990; the committees of LeCun et
 * al. 1998 §V and Ciresan et al. 2012). Parameters are named `0.…`, `1.…` per member, so the
 * whole ensemble saves and loads as one module.
 *
 * @example
 * const e = new Ensemble([netA, netB, netC]);   // each net: [N, D] → [N, 10] log-probabilities
 * e.forward(x).argmax(1);                      // the committee's answer
 */
export class Ensemble extends Container {
  constructor(
    members: readonly Module[] = [],
    readonly combine: EnsembleCombine = 'logprob',
  ) {
    super(members);
    if (combine !== 'logprob' && combine !== 'mean') throw new Error(`Ensemble: combine must be 'logprob' or 'mean', got '${String(combine)}'`);
  }

  protected updateOutput(input: Tensor): Tensor {
    const members = this.children();
    if (members.length === 0) throw new Error(`${this.typeName()}.forward: the ensemble has no members; add() some first`);
    const outs = members.map((m) => m.forward(input));
    const shape = outs[0]!.shape;
    outs.forEach((o, k) => {
      if (o.shape.length !== shape.length || o.shape.some((d, i) => d !== shape[i])) {
        throw new ShapeError(this.typeName(), `member ${k} returned ${fmt(o.shape)}, member 0 returned ${fmt(shape)}: every member must give the same shape`);
      }
    });
    const K = outs.length;
    if (this.combine === 'mean') return affine(outs.reduce((a, b) => add(a, b)), 1 / K, 0);
    // log-mean-exp, shifted by the elementwise max over members for stability: m + log((1/K) Σ exp(y_k − m))
    const top = new Float32Array(outs[0]!.data);
    for (const o of outs.slice(1)) for (let i = 0; i < top.length; i++) top[i] = Math.max(top[i]!, o.data[i]!);
    const m = new Tensor(top, [...shape]);
    const total = outs.map((o) => exp(sub(o, m))).reduce((a, b) => add(a, b));
    return add(log(affine(total, 1 / K, 0)), m);
  }

  override toString(): string {
    return branchTree(`${this.typeName()}(${this.combine})`, this.children());
  }
}
