/**
 * `@eole/metric` in a browser (the `browser` export condition): Siamese nets, contrastive and
 * triplet criteria, mining, nearest neighbours, ROC/EER and speaker enrollment (`toJSON`/`fromJSON`)
 * on the browser entry of `@eole/core`. The enrollment file reader and writer stay in the Node entry.
 *
 * @example
 * import { Siamese, ContrastiveCriterion } from '@eole/metric';
 *
 * @packageDocumentation
 */
export * from './portable.js';
