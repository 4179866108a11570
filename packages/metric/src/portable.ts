/**
 * Everything of @eole/metric that runs on any platform (the Node entry adds the enrollment file
 * reader and writer; the browser entry is this alone).
 *
 * @packageDocumentation
 */
export { Siamese } from './nn/Siamese.js';
export { PairModule } from './nn/PairModule.js';
export { PairwiseDistance } from './nn/PairwiseDistance.js';
export { CosineDistance } from './nn/CosineDistance.js';
export { ContrastiveCriterion } from './nn/ContrastiveCriterion.js';
export { TripletMarginCriterion, type TripletMarginOptions } from './nn/TripletMarginCriterion.js';
export { BatchContrastiveCriterion } from './nn/BatchContrastiveCriterion.js';
export { pairwiseDistance, cosineSimilarity } from './functional/distance.js';
export { distanceMatrix, type Metric } from './functional/distanceMatrix.js';
export type { Labels } from './mining/labelGroups.js';
export { randomPairs, hardPairs, type Pairs, type RandomPairsOptions } from './mining/pairs.js';
export { randomTriplets, hardNegativeTriplets, type Triplets, type HardTripletOptions } from './mining/triplets.js';
export { gatherPairs, gatherTriplets } from './mining/gather.js';
export { minePairs, siameseBatch, type PairMining, type PairMiningStrategy } from './mining/batchPairs.js';
export { NearestNeighbors, type NearestNeighborsOptions, type SearchOptions, type SearchResult } from './retrieval/NearestNeighbors.js';
export { recallAtK, knnAccuracy } from './retrieval/metrics.js';
export { rocCurve, equalErrorRate, type RocPoint, type EqualErrorRate } from './retrieval/verification.js';
export { embed, collectEmbeddings, type EmbedInput, type Embedded, type EmbedOptions, type EmbedOutput, type CollectedEmbeddings } from './stream/embed.js';
export { SpeakerEnrollment, type SpeakerEnrollmentOptions, type SpeakerEnrollmentJson, type Verification } from './enrollment/SpeakerEnrollment.js';
export { cosineScore, l2Normalize, type EmbeddingRows } from './enrollment/vectors.js';
export { cohortStatistics, normalizeScore, SCORE_NORMALIZATIONS, COHORT_STD_FLOOR, type CohortStatistics, type ScoreNormalization } from './enrollment/scoreNormalization.js';
export { calibrateThreshold, type Calibration, type OperatingPoint } from './enrollment/calibrateThreshold.js';
