/**
 * `@eole/gan`: generative adversarial networks for Eole (Goodfellow et al. 2014; DCGAN, Radford,
 * Metz & Chintala 2015; conditional GANs, Mirza & Osindero 2014; LAPGAN, Denton et al. 2015):
 * the adversarial losses, the nets, `adversarialTrain` / `lapganTrain` as streams of core's
 * training events, sampling utilities (noise, lerp/slerp, latent arithmetic, class conditioning),
 * a generator scorer (FID in a classifier's features, class accuracy and entropy), and video
 * prediction beyond mean square error (Mathieu, Couprie & LeCun 2016): Moving MNIST, `.npy` video
 * files, the multi-scale generator and discriminator, ℓp, gradient difference and adversarial
 * losses, recursive prediction, MSE per frame, PSNR, SSIM and sharpness.
 *
 * @packageDocumentation
 */
export * from './portable.js';
export { readVideoNpy, writeVideoNpy } from './data/readVideoNpy.js';
