/**
 * `@eole/gan`: generative adversarial networks for Eole (Goodfellow et al. 2014; DCGAN, Radford,
 * Metz & Chintala 2015; LAPGAN, Denton et al. 2015) and video prediction (Mathieu, Couprie & LeCun
 * 2016). This first release holds the adversarial losses; the nets, the training stream and the
 * scorer follow.
 *
 * @packageDocumentation
 */
export { discriminatorLoss, generatorLoss, type DiscriminatorLossOptions, type GeneratorLossKind } from './functional/adversarialLosses.js';
