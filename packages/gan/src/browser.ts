/**
 * `@eole/gan` in a browser (the `browser` export condition): the adversarial losses, DCGAN and
 * LAPGAN nets, adversarial training streams, sampling, the scorer and video prediction, on the
 * browser entries of `@eole/core` and `@eole/conv` (WebGL2, WebGL, webasm or cpu kernels). The
 * `.npy` video reader and writer and the PNG reports stay in the Node entry.
 *
 * @example
 * import { kernels } from '@eole/core';
 * import { DCGANGenerator } from '@eole/gan';
 * kernels.setBackend('webgl2');
 *
 * @packageDocumentation
 */
export * from './portable.js';
