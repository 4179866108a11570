import { formatShape, logSigmoid, ShapeError, type Tensor } from '@eole/core';

/** Options of {@link discriminatorLoss}. */
export interface DiscriminatorLossOptions {
  /**
   * One-sided label smoothing (Salimans et al., "Improved techniques for training GANs", 2016): the
   * target of real samples is 1 − smoothing, that of generated ones stays 0. Default 0.
   */
  smoothing?: number;
}

/** The generator's objective: the 2014 paper's minimax form, or its non-saturating variant. */
export type GeneratorLossKind = 'nonSaturating' | 'minimax';

function checkLogits(op: string, name: string, t: Tensor): void {
  if (t.ndim < 1 || t.size === 0) throw new ShapeError(op, `${name} must be a non-empty tensor of logits, got ${formatShape(t.shape)}`);
}

/**
 * The discriminator's loss on logits l = D(·) (before the sigmoid), the binary cross-entropy of
 * Goodfellow et al., "Generative adversarial nets" (2014), averaged over each batch:
 *
 *   L_D = −mean[(1 − ε)·log σ(l_real) + ε·log σ(−l_real)] − mean[log σ(−l_fake)]
 *
 * with ε the one-sided label smoothing (0 by default). Computed with log σ, finite for any logit.
 *
 * @example
 * discriminatorLoss(Tensor.zeros([8]), Tensor.zeros([8])).item(); // 2·log 2 ≈ 1.3863
 */
export function discriminatorLoss(realLogits: Tensor, fakeLogits: Tensor, options: DiscriminatorLossOptions = {}): Tensor {
  const op = 'discriminatorLoss';
  checkLogits(op, 'realLogits', realLogits);
  checkLogits(op, 'fakeLogits', fakeLogits);
  const eps = options.smoothing ?? 0;
  if (!(eps >= 0 && eps < 1)) throw new RangeError(`${op}: smoothing must be in [0, 1), got ${String(options.smoothing)}`);
  let real = logSigmoid(realLogits).mean();
  if (eps > 0) real = real.mul(1 - eps).add(logSigmoid(realLogits.neg()).mean().mul(eps));
  return real.add(logSigmoid(fakeLogits.neg()).mean()).neg();
}

/**
 * The generator's loss on the discriminator's logits of generated samples l = D(G(z)):
 * `'nonSaturating'` (default, the paper's practical choice) L_G = −mean log σ(l), whose gradient
 * is strong while D still rejects the samples; `'minimax'` L_G = mean log(1 − σ(l)) = mean log σ(−l),
 * the game's value as written, which saturates early in training.
 *
 * @example
 * generatorLoss(Tensor.zeros([8])).item();            // log 2 ≈ 0.6931
 * generatorLoss(Tensor.zeros([8]), 'minimax').item(); // −log 2
 */
export function generatorLoss(fakeLogits: Tensor, kind: GeneratorLossKind = 'nonSaturating'): Tensor {
  const op = 'generatorLoss';
  checkLogits(op, 'fakeLogits', fakeLogits);
  if (kind === 'nonSaturating') return logSigmoid(fakeLogits).mean().neg();
  if (kind === 'minimax') return logSigmoid(fakeLogits.neg()).mean();
  throw new TypeError(`${op}: kind must be 'nonSaturating' or 'minimax', got '${String(kind)}'`);
}
