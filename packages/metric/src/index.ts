/**
 * @eole/metric: metric learning (Siamese nets, DrLIM's contrastive loss, triplets, mining),
 * retrieval and verification (nearest neighbours, ROC, EER) and speaker enrollment, on top of
 * @eole/core.
 *
 * @packageDocumentation
 */
export * from './portable.js';
export { saveEnrollment, loadEnrollment } from './enrollment/enrollmentFile.js';
